from django.urls import path

from parcours.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("contractualisation/", views.contractualisation, name="contractualisation"),
    path("export.<str:fmt>", views.export, name="export"),
]
