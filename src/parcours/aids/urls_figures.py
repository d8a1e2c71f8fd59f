"""URLs of the aids' figures (included by `aids.urls`), under /aides/indicateurs/."""

from django.urls import path

from parcours.aids import views_figures

urlpatterns = [
    path("indicateurs/", views_figures.dashboard, name="figures"),
    path("indicateurs/export.<str:fmt>", views_figures.export, name="figures_export"),
]
