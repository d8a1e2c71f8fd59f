"""URLs of the aids' applications (included by `aids.urls`): the queue, filing, the application
page and its actions, documents, ASE placements."""

from django.urls import path

from parcours.aids import views_applications as views

urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("personnes/<int:person_id>/nouvelle/", views.new, name="new"),
    path("demandes/<int:application_id>/", views.application, name="application"),
    path("demandes/<int:application_id>/brouillon/", views.edit, name="edit"),
    path("demandes/<int:application_id>/pieces/", views.document_upload, name="document_upload"),
    path("demandes/<int:application_id>/placement-ase/", views.placement_add, name="placement_add"),
    path(
        "demandes/<int:application_id>/<slug:transition>/",
        views.application_action,
        name="application_action",
    ),
    path("pieces/<int:document_id>/", views.document_download, name="document"),
    path("pieces/<int:document_id>/controle/", views.document_check, name="document_check"),
]
