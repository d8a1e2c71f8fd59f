from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "parcours.core"
    label = "core"
    verbose_name = "Socle"

    menu_items = [
        ("Accueil", "core:home", "is_professional"),
        ("Journal d'audit", "core:audit_log", "may_view_audit_log"),
    ]
