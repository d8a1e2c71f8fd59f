"""URLs of the accompagnement global (included, without a namespace of their own, by
`accompaniment.urls`: names are `accompaniment:global_…`)."""

from django.urls import path

from parcours.accompaniment import views_global as views

urlpatterns = [
    path("global/personne/<int:person_id>/commencer/", views.start, name="global_start"),
    path("global/<int:accompaniment_id>/", views.detail, name="global_detail"),
    path("global/<int:accompaniment_id>/diagnostic/", views.diagnosis_form, name="global_diagnosis"),
    path("global/<int:accompaniment_id>/objectifs/", views.objective_create, name="global_objective_create"),
    path("global/objectifs/<int:objective_id>/etat/", views.objective_status, name="global_objective_status"),
    path("global/objectifs/<int:objective_id>/actions/", views.action_create, name="global_action_create"),
    path("global/actions/<int:action_id>/etat/", views.action_status, name="global_action_status"),
    path("global/actions/<int:action_id>/abandonner/", views.action_abandon, name="global_action_abandon"),
    path("global/actions/<int:action_id>/modifier/", views.action_edit, name="global_action_edit"),
    path("global/mes-actions/", views.my_actions, name="global_my_actions"),
    path("global/cibles/", views.programme_targets, name="global_targets"),
]
