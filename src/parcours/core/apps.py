from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "parcours.core"
    label = "core"
    verbose_name = "Socle"

    menu_items = [("Accueil", "core:home", None), ("Journal d'audit", "core:audit_log", ["administrateur"])]
