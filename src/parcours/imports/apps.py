from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "parcours.imports"
    label = "imports"
    verbose_name = "Imports de fichiers"

    menu_group = "Personnes"  # `core.menu`
    menu_items = [("Imports", "imports:index", "may_import")]
