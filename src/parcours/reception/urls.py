from django.urls import include, path

from parcours.reception import views, views_admin, views_trays

app_name = "reception"
urlpatterns = [
    path("referentiel-des-besoins/", views.needs_referential, name="needs"),
    # Trays (R1): the agent's trays, a tray's queue, an item and its actions.
    path("bannettes/", views_trays.my_trays, name="trays"),
    path("bannettes/<int:tray_id>/", views_trays.tray, name="tray"),
    path("demandes/<int:item_id>/", views_trays.item, name="item"),
    path("demandes/<int:item_id>/<str:transition>/", views_trays.item_action, name="item_action"),
    # Administration of trays, members, service levels and routing rules (R1).
    path("administration/bannettes/", views_admin.trays, name="admin_trays"),
    path("administration/bannettes/<int:tray_id>/", views_admin.tray, name="admin_tray"),
    path("administration/bannettes/<int:tray_id>/fermer/", views_admin.close_tray, name="admin_tray_close"),
    path("administration/regles/", views_admin.rules, name="admin_rules"),
    path("administration/regles/<int:rule_id>/", views_admin.rule, name="admin_rule"),
    path("administration/regles/<int:rule_id>/deplacer/", views_admin.move_rule, name="admin_rule_move"),
    # Référent de parcours and the charter's signatures (R3).
    path("", include("parcours.reception.urls_referents")),
    # Access to rights: the simulation and the follow-up of the rights identified (R4).
    path("", include("parcours.reception.urls_rights")),
    # Contact-centre screen, callbacks, screen pops and the live board (R2).
    path("", include("parcours.reception.urls_contacts")),
    # The front door's figures and their export (R5).
    path("", include("parcours.reception.urls_figures")),
]
