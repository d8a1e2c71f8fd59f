from django.urls import include, path

from parcours.accompaniment import views

app_name = "accompaniment"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("<int:accompaniment_id>/", views.detail, name="detail"),
    path("<int:accompaniment_id>/contacts/", views.log_contact, name="log_contact"),
    path("<int:accompaniment_id>/terminer/", views.end, name="end"),
    path("personne/<int:person_id>/proposer/", views.start, name="start"),
    path("personne/<int:person_id>/formation/", views.record_training, name="record_training"),
    path("personne/<int:person_id>/emploi/", views.record_job, name="record_job"),
    path("personne/<int:person_id>/sortie/", views.record_exit, name="record_exit"),
    path("", include("parcours.accompaniment.urls_global")),  # the accompagnement global's screens
]
