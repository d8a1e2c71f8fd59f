from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "parcours.privacy"
    label = "privacy"
    verbose_name = "Données personnelles"

    # The person page's "Données personnelles" panel (`core.person_panels`).
    person_panels = [("privacy/_person_panel.html", "parcours.privacy.panels.person_panel_context")]
