"""Commission sessions: a date, an agenda of applications, decisions recorded for the whole
agenda at once (`aids.commissions`), minutes as a PDF."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SessionState(models.TextChoices):
    PLANNED = "prevue", "Prévue"
    HELD = "tenue", "Tenue (décisions enregistrées)"


class CommissionSession(models.Model):
    title = models.CharField("intitulé", max_length=150, default="Commission des aides individuelles")
    scheme = models.ForeignKey(
        "aids.Scheme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        help_text="Vide : commission de tous les dispositifs.",
    )
    unit = models.ForeignKey(
        "territory.TerritorialUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_on = models.DateTimeField("date et heure")
    place = models.CharField("lieu", max_length=150, blank=True)
    chair = models.CharField("présidence", max_length=150, blank=True)
    members = models.TextField("membres présents", blank=True)
    state = models.CharField(
        "état", max_length=10, choices=SessionState.choices, default=SessionState.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("décisions enregistrées le", null=True, blank=True)

    class Meta:
        verbose_name = "séance de commission"
        verbose_name_plural = "séances de commission"
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.title} du {self.held_on:%d/%m/%Y}"
