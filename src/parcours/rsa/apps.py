from django.apps import AppConfig


class RsaConfig(AppConfig):
    name = "parcours.rsa"
    label = "rsa"
    verbose_name = "RSA : flux CNAF et droits"
