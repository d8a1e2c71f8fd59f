from django.apps import AppConfig


class AccompanimentConfig(AppConfig):
    name = "parcours.accompaniment"
    label = "accompaniment"
    verbose_name = "Accompagnement"

    menu_group = "Personnes"  # `core.menu`
    menu_items: list[tuple[str, ...]] = [
        ("Accompagnements", "accompaniment:caseload", "may_accompany"),
        ("Mes actions", "accompaniment:global_my_actions", "may_hold_caseload"),  # accompagnement global
    ]
    # The person page's "Accompagnements" panel (`core.person_panels`).
    person_panels = [
        ("accompaniment/person_panel.html", "parcours.accompaniment.person_panel.person_panel_context")
    ]
