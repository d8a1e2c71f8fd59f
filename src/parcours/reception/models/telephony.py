"""Screen pops: the telephony system tells Parcours of an incoming call at a station, and the
operator logged in at that station sees the caller's record open (`reception.telephony`)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ScreenPop(models.Model):
    station = models.ForeignKey("reception.Station", on_delete=models.CASCADE, related_name="pops")
    phone = models.CharField("numéro appelant", max_length=20)
    call_id = models.CharField("identifiant de l'appel", max_length=100, blank=True)
    received_at = models.DateTimeField("reçu le", default=timezone.now)
    shown_at = models.DateTimeField("affiché le", null=True, blank=True)
    contact = models.ForeignKey(
        "reception.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "appel entrant"
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["station", "received_at"])]

    def __str__(self) -> str:
        return f"Appel entrant n° {self.pk}"
