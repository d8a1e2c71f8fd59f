from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "parcours.people"
    label = "people"
    verbose_name = "Personnes et foyers"

    menu_group = "Personnes"  # `core.menu`
    menu_items = [("Personnes", "people:search", "may_search_persons")]
