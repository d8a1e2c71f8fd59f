"""URLs of the RSA + salary cumulation proposals (included by `aids.urls`)."""

from django.urls import path

from parcours.aids import views_cumulation

urlpatterns = [
    path(
        "demandes/<int:application_id>/simulation/relancer/",
        views_cumulation.retry_simulation,
        name="cumulation_retry",
    ),
]
