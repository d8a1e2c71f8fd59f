from django.urls import path

from parcours.accounts import management_views as views

app_name = "administration"
urlpatterns = [
    path("agents/", views.agents, name="agents"),
    path("agents/export.csv", views.agents_export, name="agents_export"),
    path("agents/nouveau/", views.agent_create, name="agent_create"),
    path("agents/<int:agent_id>/", views.agent_detail, name="agent"),
    path("agents/<int:agent_id>/desactiver/", views.agent_deactivate, name="agent_deactivate"),
    path("agents/<int:agent_id>/reactiver/", views.agent_reactivate, name="agent_reactivate"),
    path(
        "agents/<int:agent_id>/second-facteur/",
        views.agent_reset_second_factor,
        name="agent_reset_second_factor",
    ),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/nouvelle/", views.organisation_edit, name="organisation_create"),
    path("organisations/<int:organisation_id>/", views.organisation_edit, name="organisation"),
    path("unites/", views.units, name="units"),
    path("unites/nouvelle/", views.unit_edit, name="unit_create"),
    path("unites/<int:unit_id>/", views.unit_edit, name="unit"),
]
