"""URLs of the aids' commissions and decision letters (included by `aids.urls`)."""

from django.urls import path

from parcours.aids import views_commissions as views

urlpatterns: list = [
    path("commissions/", views.sessions, name="sessions"),
    path("commissions/nouvelle/", views.session_new, name="session_new"),
    path("commissions/<int:session_id>/", views.session, name="session"),
    path("commissions/<int:session_id>/inscrire/", views.session_enlist, name="session_enlist"),
    path(
        "commissions/<int:session_id>/retirer/<int:application_id>/",
        views.session_unlist,
        name="session_unlist",
    ),
    path("commissions/<int:session_id>/decisions/", views.session_decide, name="session_decide"),
    path("commissions/<int:session_id>/proces-verbal.pdf", views.session_minutes, name="session_minutes"),
    # Not under demandes/<id>/…/: `urls_applications` routes demandes/<id>/<action>/ to its actions.
    path("commissions/inscrire-demande/<int:application_id>/", views.enlist, name="enlist"),
    path("demandes/<int:application_id>/courrier.pdf", views.letter, name="letter"),
]
