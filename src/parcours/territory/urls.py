from django.urls import path

from parcours.territory import views

app_name = "territory"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("communes/", views.commune_search, name="commune_search"),
]
