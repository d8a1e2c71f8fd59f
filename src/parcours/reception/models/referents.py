"""The charter of the premier accueil social inconditionnel, and the référent de parcours.

Organisations that sign the charter (the département, CCAS, associations, the CAF…) receive
needs in their trays and may provide a person's *référent de parcours*: the one lead professional
who coordinates the others around the person, designated with the person's recorded consent.
At most one is active per person (partial unique constraint); designating another ends the
previous one. The référent gets a `people.Follow` of kind « référent de parcours », so they see
the person through the one access rule.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class CharterSignatureQuerySet(models.QuerySet):
    def in_force(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(signed_on__lte=on), Q(ended_on__isnull=True) | Q(ended_on__gt=on))


class CharterSignature(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="charter_signatures"
    )
    signed_on = models.DateField("signée le")
    ended_on = models.DateField("jusqu'au", null=True, blank=True)

    objects = CharterSignatureQuerySet.as_manager()

    class Meta:
        verbose_name = "signature de la charte d'accueil"
        ordering = ["-signed_on"]

    def __str__(self) -> str:
        return f"{self.organisation} (depuis le {self.signed_on:%d/%m/%Y})"


class ConsentMode(models.TextChoices):
    ORAL = "oral", "Accord oral, noté par l'agent"
    WRITTEN = "ecrit", "Accord écrit signé"


class ParcoursReferentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_on__isnull=True)


class ParcoursReferent(models.Model):
    FOLLOW_KIND = "referent_parcours"

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="parcours_referents")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="parcours_referent_of",
        verbose_name="référent",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="organisation"
    )
    consent_on = models.DateField("accord de la personne le")
    consent_mode = models.CharField("forme de l'accord", max_length=10, choices=ConsentMode.choices)
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField("depuis le", default=timezone.localdate)
    ended_on = models.DateField("jusqu'au", null=True, blank=True)
    end_reason = models.CharField("motif de fin", max_length=200, blank=True)

    objects = ParcoursReferentQuerySet.as_manager()

    class Meta:
        verbose_name = "référent de parcours"
        verbose_name_plural = "référents de parcours"
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_on__isnull=True), name="one_active_parcours_referent"
            )
        ]

    def __str__(self) -> str:
        return f"Référent de parcours : {self.agent}"
