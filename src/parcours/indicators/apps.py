from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "parcours.indicators"
    label = "indicators"
    verbose_name = "Indicateurs"

    menu_items = [
        ("Indicateurs", "indicators:dashboard", ["manager", "administrateur"]),
        ("Rapport de contractualisation", "indicators:contractualisation", ["manager", "administrateur"]),
    ]
