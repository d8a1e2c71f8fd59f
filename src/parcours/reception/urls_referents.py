"""The référent de parcours and the charter's signatures (included by `reception/urls.py`)."""

from django.urls import path

from parcours.reception import views_referents

urlpatterns = [
    path(
        "personnes/<int:person_id>/referent-de-parcours/",
        views_referents.history,
        name="referent_history",
    ),
    path(
        "personnes/<int:person_id>/referent-de-parcours/designer/",
        views_referents.designate,
        name="referent_designate",
    ),
    path("referents-de-parcours/<int:referent_id>/fin/", views_referents.end, name="referent_end"),
    path("administration/charte/", views_referents.charter_list, name="charter"),
    path(
        "administration/charte/organisations/<int:organisation_id>/signer/",
        views_referents.charter_sign,
        name="charter_sign",
    ),
    path(
        "administration/charte/signatures/<int:signature_id>/fin/",
        views_referents.charter_end,
        name="charter_end",
    ),
]
