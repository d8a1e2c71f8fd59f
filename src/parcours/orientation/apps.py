from django.apps import AppConfig


class OrientationConfig(AppConfig):
    name = "parcours.orientation"
    label = "orientation"
    verbose_name = "Orientation"
