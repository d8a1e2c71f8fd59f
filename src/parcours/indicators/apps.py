from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "parcours.indicators"
    label = "indicators"
    verbose_name = "Indicateurs"

    menu_group = "Indicateurs"  # `core.menu`
    menu_items = [
        ("Indicateurs", "indicators:dashboard", "may_view_indicators"),
        ("Rapport de contractualisation", "indicators:contractualisation", "may_view_indicators"),
    ]
