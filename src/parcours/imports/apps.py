from django.apps import AppConfig

IMPORT_ROLES = ["administrateur", "manager", "charge_orientation"]


class ImportsConfig(AppConfig):
    name = "parcours.imports"
    label = "imports"
    verbose_name = "Imports de fichiers"

    menu_items = [("Imports", "imports:index", IMPORT_ROLES)]
