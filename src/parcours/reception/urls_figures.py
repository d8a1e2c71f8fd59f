"""The front door's figures (`reception.views_figures`), under /premier-accueil/indicateurs/."""

from django.urls import path

from parcours.reception import views_figures

urlpatterns = [
    path("indicateurs/", views_figures.dashboard, name="figures"),
    path("indicateurs/export.<str:fmt>", views_figures.export, name="figures_export"),
]
