from django.urls import path

from parcours.jobs import portal, views

app_name = "jobs"
urlpatterns = [
    path("", views.offers, name="offers"),
    path("appellations/", views.appellations, name="appellations"),
    path("employeurs/", views.employers, name="employers"),
    path("employeurs/nouveau/", views.employer_create, name="employer_create"),
    path("employeurs/<int:employer_id>/", views.employer_detail, name="employer"),
    path("groupes/", views.sector_groups, name="sector_groups"),
    path("groupes/<int:group_id>/", views.sector_group_detail, name="sector_group"),
    path("offres/nouvelle/", views.offer_edit, name="offer_create"),
    path("offres/<int:offer_id>/", views.offer_detail, name="offer"),
    path("offres/<int:offer_id>/modifier/", views.offer_edit, name="offer_edit"),
    path("offres/<int:offer_id>/statut/<str:action>/", views.offer_action, name="offer_action"),
    path("offres/<int:offer_id>/candidats/", views.offer_candidates, name="offer_candidates"),
    path("offres/<int:offer_id>/preselection/<int:person_id>/", views.shortlist, name="shortlist"),
    path("profils/<int:person_id>/", views.profile, name="profile"),
    path("profils/<int:person_id>/offres/", views.profile_offers, name="profile_offers"),
    path("simulation/<int:person_id>/<int:offer_id>/", views.simulation, name="simulation"),
    path("candidatures/", views.applications, name="applications"),
    path("candidatures/<int:application_id>/", views.application_detail, name="application"),
    path(
        "candidatures/<int:application_id>/transition/<str:name>/",
        views.application_transition,
        name="application_transition",
    ),
    path("suivis/<int:follow_up_id>/", views.follow_up, name="follow_up"),
    path("statistiques/", views.statistics, name="statistics"),
    path("portail/", portal.home, name="portal"),
    path("portail/offres/nouvelle/", portal.offer_edit, name="portal_offer_create"),
    path("portail/offres/<int:offer_id>/", portal.offer_edit, name="portal_offer_edit"),
    path("portail/offres/<int:offer_id>/actualiser/", portal.offer_refresh, name="portal_offer_refresh"),
    path("portail/candidatures/<int:application_id>/", portal.proposal, name="portal_proposal"),
    path(
        "portail/candidatures/<int:application_id>/transition/<str:name>/",
        portal.proposal_transition,
        name="portal_transition",
    ),
    path("portail/personnes/<int:person_id>/", portal.person, name="portal_person"),
]
