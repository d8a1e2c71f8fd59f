"""« Accès aux droits » (`reception.views_rights`), under /premier-accueil/droits/."""

from django.urls import path

from parcours.reception import views_rights

urlpatterns = [
    path("droits/", views_rights.check, name="rights_check"),
    path("droits/personne/<int:person_id>/", views_rights.check_person, name="rights_check_person"),
    path("droits/sollicitation/<int:contact_id>/", views_rights.check_contact, name="rights_check_contact"),
    path("droits/suivi/", views_rights.followup, name="rights_followup"),
    path("droits/suivi/<int:right_id>/demande/", views_rights.start_claim, name="rights_start_claim"),
    path("droits/suivi/<int:right_id>/ouvert/", views_rights.mark_opened, name="rights_opened"),
    path("droits/suivi/<int:right_id>/non-ouvert/", views_rights.mark_not_opened, name="rights_not_opened"),
]
