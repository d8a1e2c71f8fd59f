from django.urls import path

from parcours.reception import views

app_name = "reception"
urlpatterns = [
    path("referentiel-des-besoins/", views.needs_referential, name="needs"),
]
