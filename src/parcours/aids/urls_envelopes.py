"""URLs of the aids' envelopes (included by `aids.urls`), under /aides/enveloppes/."""

from django.urls import path

from parcours.aids import views_envelopes

urlpatterns = [
    path("enveloppes/", views_envelopes.envelopes, name="envelopes"),
    path("enveloppes/export.<str:fmt>", views_envelopes.export, name="envelopes_export"),
    path("enveloppes/nouvelle/", views_envelopes.create, name="envelope_create"),
    path("enveloppes/<int:envelope_id>/montant/", views_envelopes.change_amount, name="envelope_amount"),
]
