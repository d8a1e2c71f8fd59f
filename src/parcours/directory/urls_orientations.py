"""URLs of the orientations to services and of the mobility diagnosis (included by `directory.urls`,
under /annuaire/). No name, address or contact in any URL: ids only."""

from django.urls import path

from parcours.directory import views_orientations as views

urlpatterns = [
    path("orientations/", views.inbox, name="orientation_inbox"),
    path("orientations/<int:orientation_id>/", views.orientation_detail, name="orientation_detail"),
    path(
        "orientations/<int:orientation_id>/valider/", views.orientation_validate, name="orientation_validate"
    ),
    path("orientations/<int:orientation_id>/refuser/", views.orientation_refuse, name="orientation_refuse"),
    path("personnes/<int:person_id>/orienter/", views.orient, name="orient"),
    path("personnes/<int:person_id>/chercher/", views.orient_search, name="orient_search"),
    path("personnes/<int:person_id>/mobilite/", views.mobility_page, name="mobility"),
    path("personnes/<int:person_id>/mobilite/diagnostic/", views.mobility_new, name="mobility_new"),
]
