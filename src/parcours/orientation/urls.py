from django.urls import path

from parcours.orientation import views

app_name = "orientation"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("portefeuille/", views.caseload, name="caseload"),
    path("suivis/<int:followup_id>/", views.followup_detail, name="followup"),
    path("suivis/<int:followup_id>/decision/", views.decide, name="decide"),
    path("suivis/<int:followup_id>/convoquer/", views.convoke, name="convoke"),
    path("rendez-vous/<int:booking_id>/presence/", views.attendance, name="attendance"),
    path("personnes/<int:person_id>/ouvrir/", views.open_for_person, name="open"),
    path("personnes/<int:person_id>/referent/", views.referent, name="referent"),
    path("personnes/<int:person_id>/contrat/", views.contract, name="contract"),
    path(
        "personnes/<int:person_id>/reorientation/", views.reorientation_request, name="reorientation_request"
    ),
    path("reorientations/", views.reorientations, name="reorientations"),
    path("reorientations/<int:request_id>/", views.reorientation_decide, name="reorientation_decide"),
]
