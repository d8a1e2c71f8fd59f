from django.urls import path

from parcours.territory import views

app_name = "territory"
urlpatterns = [
    path("", views.overview, name="overview"),
]
