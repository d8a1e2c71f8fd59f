from django.apps import AppConfig


class ReceptionConfig(AppConfig):
    name = "parcours.reception"
    label = "reception"
    verbose_name = "Premier accueil et besoins"

    # `core.menu` skips an entry whose URL name does not exist (yet).
    # The trays' and the charter's administration are in Administration's own navigation
    # (templates/accounts/administration/_nav.html), not in the main menu.
    menu_group = "Premier accueil"  # `core.menu`
    menu_items: list[tuple[str, ...]] = [
        ("Nouvelle sollicitation", "reception:contact_screen", "may_take_contacts"),
        ("Mes bannettes", "reception:trays", "may_use_trays"),
        ("Rappels", "reception:callbacks", "may_take_contacts"),
        ("Tableau de l'accueil", "reception:board", "may_view_front_door_board"),
        ("Indicateurs de l'accueil", "reception:figures", "may_view_indicators", "Indicateurs"),
        ("Accès aux droits", "reception:rights_followup", "may_check_rights"),
    ]
    # A tray's members see the persons of its items (`core.access_grants`, `reception.access`).
    person_access_grants = ["parcours.reception.access.persons_in_trays_of"]
    # The person page's « Premier accueil » panel (`core.person_panels`).
    person_panels = [("reception/person_panel.html", "parcours.reception.person_panel.person_panel_context")]
