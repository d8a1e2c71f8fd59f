from django.apps import AppConfig


class ReceptionConfig(AppConfig):
    name = "parcours.reception"
    label = "reception"
    verbose_name = "Premier accueil et besoins"
