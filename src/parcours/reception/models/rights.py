"""Access to rights at reception: likely entitlements computed by OpenFisca, then followed.

A `RightsCheck` keeps the answers given at reception (household, resources, housing) and
OpenFisca's result. Each likely entitlement becomes a `RightStatus` that goes identified →
claim started → opened (or not opened), with the dates: non-take-up (non-recours) is the share of
entitlements identified and never opened.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Benefit(models.TextChoices):
    RSA = "rsa", "Revenu de solidarité active (RSA)"
    ACTIVITY_BONUS = "prime_activite", "Prime d'activité"
    HOUSING = "aides_logement", "Aides au logement (APL, ALS, ALF)"
    CSS = "css", "Complémentaire santé solidaire"
    AAH = "aah", "Allocation aux adultes handicapés (AAH)"


class RightState(models.TextChoices):
    IDENTIFIED = "identifie", "Droit probable identifié"
    CLAIM_STARTED = "demande", "Demande engagée"
    OPENED = "ouvert", "Droit ouvert"
    NOT_OPENED = "non_ouvert", "Droit non ouvert (refus ou abandon)"


RIGHT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start_claim": (frozenset({RightState.IDENTIFIED}), RightState.CLAIM_STARTED),
    "open": (frozenset({RightState.IDENTIFIED, RightState.CLAIM_STARTED}), RightState.OPENED),
    "not_open": (frozenset({RightState.IDENTIFIED, RightState.CLAIM_STARTED}), RightState.NOT_OPENED),
}


class RightsCheck(models.Model):
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="rights_checks"
    )
    contact = models.ForeignKey(
        "reception.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="rights_checks"
    )
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField("le", default=timezone.now)
    answers = models.JSONField("réponses", default=dict)
    results = models.JSONField("résultat de la simulation", default=dict)

    class Meta:
        verbose_name = "simulation d'accès aux droits"
        ordering = ["-made_at", "-pk"]

    def __str__(self) -> str:
        return f"Simulation n° {self.pk}"


class RightStatus(models.Model):
    check_run = models.ForeignKey(RightsCheck, on_delete=models.CASCADE, related_name="rights")
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="rights_followed"
    )
    benefit = models.CharField("prestation", max_length=20, choices=Benefit.choices)
    monthly_amount = models.DecimalField("montant mensuel estimé (€)", max_digits=8, decimal_places=2)
    state = models.CharField("état", max_length=12, choices=RightState.choices, default=RightState.IDENTIFIED)
    identified_at = models.DateTimeField("identifié le", default=timezone.now)
    claim_started_at = models.DateTimeField("demande engagée le", null=True, blank=True)
    closed_at = models.DateTimeField("ouvert ou non ouvert le", null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "droit suivi"
        verbose_name_plural = "droits suivis"
        ordering = ["identified_at", "pk"]
        indexes = [models.Index(fields=["person", "state"])]

    def __str__(self) -> str:
        return f"{self.get_benefit_display()} : {self.get_state_display()}"
