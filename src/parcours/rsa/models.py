"""The RSA right of a household, as last stated by the CNAF flux.

The right is a snapshot; its history is in `people.PersonEvent` (kinds `rsa.*`, see
docs/data-formats.md), written by `rsa.importer` with the real dates of the flux.
"""

from django.db import models


class RightState(models.TextChoices):
    """ETATDOSRSA, the state of the RSA dossier."""

    NEW_REQUEST = "0", "Nouvelle demande en attente de décision"
    REFUSED = "1", "Droit refusé"
    OPEN_PAID = "2", "Droit ouvert et versable"
    OPEN_SUSPENDED = "3", "Droit ouvert et suspendu"
    PAYMENT_SUSPENDED = "4", "Droit ouvert, versement suspendu"
    CLOSED = "5", "Droit clos"
    CLOSED_EARLIER = "6", "Droit clos sur un mois antérieur"


OPEN_STATES = {RightState.OPEN_PAID, RightState.OPEN_SUSPENDED, RightState.PAYMENT_SUSPENDED}
SUSPENDED_STATES = {RightState.OPEN_SUSPENDED, RightState.PAYMENT_SUSPENDED}
CLOSED_STATES = {RightState.CLOSED, RightState.CLOSED_EARLIER}

# Reasons as published in the CNAF's "dictionnaire des données" of the RSA flux; an unknown code
# is shown as such ("motif XX").
CLOSURE_REASONS = {
    "PCG": "Clôture suite à décision du président du conseil départemental",
    "ECH": "Clôture suite à échéance (4 mois sans droit)",
    "EFF": "Clôture suite à l'annulation de la bascule RMI/API",
    "MUT": "Clôture suite à la mutation du dossier dans un autre organisme",
    "RGD": "Clôture pour regroupement de dossier",
    "RFD": "Radiation fin de droit",
    "RAU": "Radiation autre motif",
    "RST": "Radiation option RSTA (DOM)",
    "RSO": "Radiation option RSO (DOM)",
}
SUSPENSION_REASONS = {
    "01": "Ressources trop élevées",
    "02": "Moins de 25 ans sans enfant ni autre personne à charge",
    "03": "Titre de séjour non valide",
    "04": "RSA inférieur au seuil",
    "05": "Déclaration trimestrielle de ressources non fournie",
    "06": "Résidence non conforme",
    "09": "Pas d'isolement",
    "19": "Prestation exclue (affiliation partielle)",
    "31": "Prestation exclue (affiliation partielle)",
    "34": "Régime non conforme",
    "35": "Demande d'avantage vieillesse absente ou tardive",
    "36": "Titre de séjour absent",
    "44": "Hospitalisation",
    "70": "Action non engagée",
    "78": "Surface pondérée supérieure au plafond ou inconnue",
    "84": "Droit éteint",
    "85": "Pas d'allocataire",
    "97": "Bénéficiaire AAH",
    "AB": "Allocataire absent du foyer",
    "CG": "Sanction du conseil départemental",
    "CV": "Attente de décision du conseil départemental",
}
ROLE_LABELS = {
    "DEM": "Demandeur",
    "CJT": "Conjoint",
    "ENF": "Enfant",
    "AUT": "Autre personne",
    "RDO": "Responsable du dossier",
}


def reason_label(table: dict[str, str], code: str) -> str:
    if not code:
        return ""
    return table.get(code, f"motif {code}")


class RsaRightQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def suspended(self):
        return self.filter(state__in=SUSPENDED_STATES)

    def closed(self):
        return self.filter(state__in=CLOSED_STATES)

    def of_person(self, person):
        return self.filter(household__memberships__person=person)


class RsaRight(models.Model):
    """The RSA right of one CAF/MSA dossier, as of the latest flux that changed it."""

    household = models.OneToOneField(
        "people.Household", verbose_name="foyer", on_delete=models.CASCADE, related_name="rsa_right"
    )
    organism_number = models.CharField("numéro d'organisme", max_length=3, blank=True)
    request_number = models.CharField("numéro de demande RSA", max_length=11)  # shown, never looked up
    departement = models.CharField("département (IDEPARTE)", max_length=3, blank=True)
    state = models.CharField("état du droit", max_length=1, choices=RightState.choices)
    requested_on = models.DateField("date de la demande", null=True, blank=True)
    opened_on = models.DateField("date d'ouverture du droit", null=True, blank=True)
    refused_on = models.DateField("date de refus", null=True, blank=True)
    refusal_reason = models.CharField("motif de refus", max_length=3, blank=True)
    suspended_on = models.DateField("date de suspension", null=True, blank=True)
    suspension_reason = models.CharField("motif de suspension", max_length=3, blank=True)
    suspension_kind = models.CharField("nature de la suspension", max_length=10, blank=True)
    closed_on = models.DateField("date de clôture", null=True, blank=True)
    closure_reason = models.CharField("motif de clôture", max_length=3, blank=True)
    arrived_on = models.DateField("arrivée d'un autre département le", null=True, blank=True)
    left_on = models.DateField("départ vers un autre département le", null=True, blank=True)
    amount_paid = models.DecimalField("montant versé", max_digits=11, decimal_places=2, null=True, blank=True)
    amount_total = models.DecimalField(
        "montant total du droit", max_digits=11, decimal_places=2, null=True, blank=True
    )
    # [{"person": id, "role": "DEM", "duties": true}, …] as stated by the last flux.
    members = models.JSONField("membres (dernier flux)", default=list, blank=True)
    address_key = models.CharField(max_length=300, blank=True)
    reference_date = models.DateField("date de référence du flux")
    fingerprint = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = RsaRightQuerySet.as_manager()

    class Meta:
        verbose_name = "droit RSA"
        verbose_name_plural = "droits RSA"

    def __str__(self) -> str:
        return f"RSA {self.request_number} : {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def suspension_reason_label(self) -> str:
        return reason_label(SUSPENSION_REASONS, self.suspension_reason)

    @property
    def closure_reason_label(self) -> str:
        return reason_label(CLOSURE_REASONS, self.closure_reason)

    def member_entry(self, person_id: int) -> dict | None:
        return next((m for m in self.members if m.get("person") == person_id), None)
