from django.urls import path

from parcours.privacy import views

app_name = "privacy"
urlpatterns = [
    path("personnes/<int:person_id>/", views.person_data, name="person"),
    path("personnes/<int:person_id>/acces.pdf", views.access_pdf, name="access_pdf"),
    path("personnes/<int:person_id>/acces.json", views.access_json, name="access_json"),
    path("personnes/<int:person_id>/rectifications/", views.rectifications, name="rectifications"),
    path("personnes/<int:person_id>/limitation/", views.restriction_set, name="restriction_set"),
    path("personnes/<int:person_id>/limitation/lever/", views.restriction_lift, name="restriction_lift"),
    path("registre/", views.register, name="register"),
    path("registre.csv", views.register_csv, name="register_csv"),
    path("conservation/", views.runs, name="runs"),
    path("conservation/<int:run_id>/", views.run_detail, name="run"),
]
