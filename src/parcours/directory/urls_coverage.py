"""Coverage analysis URLs (D2), included by `directory/urls.py` under `/annuaire/`."""

from django.urls import path

from parcours.directory import views_coverage

urlpatterns = [
    path("couverture/", views_coverage.coverage_page, name="coverage"),
]
