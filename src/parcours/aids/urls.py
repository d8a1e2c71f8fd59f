"""The aids' URLs, under /aides/: one module per part (each includes its own views)."""

from django.urls import include, path

app_name = "aids"
urlpatterns = [
    path("", include("parcours.aids.urls_applications")),  # queue, filing, application, documents
    path("", include("parcours.aids.urls_catalogue")),  # schemes and versions
    path("", include("parcours.aids.urls_envelopes")),  # envelopes, consumption, forecast
    path("", include("parcours.aids.urls_commissions")),  # sessions, agenda, minutes, letters
    path("", include("parcours.aids.urls_payments")),  # payments, batches, SEPA/CSV, recoveries
    path("", include("parcours.aids.urls_figures")),  # figures and their export
    path("", include("parcours.aids.urls_cumulation")),  # the RSA + salary cumulation proposals
]
