from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "parcours.territory"
    label = "territory"
    verbose_name = "Territoire"

    menu_group = "Administration"  # `core.menu`
    menu_items = [("Territoire", "territory:overview", "may_see_territory")]
