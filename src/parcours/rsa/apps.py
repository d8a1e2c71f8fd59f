from django.apps import AppConfig


class RsaConfig(AppConfig):
    name = "parcours.rsa"
    label = "rsa"
    verbose_name = "RSA : flux CNAF et droits"

    # The person page's "Droit au RSA" panel (`core.person_panels`).
    person_panels = [("rsa/person_rights.html", "parcours.rsa.rights.person_rights_context")]
