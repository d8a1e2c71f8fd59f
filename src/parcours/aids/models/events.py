"""The aids' event log: what their figures are computed from (`aids.figures`), exported with the
other events (`parcours export-events --stream aides`) and recomputed independently
(`aids.recompute`). Appended by `aids.workflows`, `aids.envelopes` and `aids.payments` only
(kinds in `aids.event_kinds`). `amount` is the money the event moves (committed, released,
paid, undue), `envelope` the envelope it moves it on."""

from __future__ import annotations

from django.db import models


class AidEvent(models.Model):
    kind = models.CharField("nature", max_length=40)
    occurred_at = models.DateTimeField("date")
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)
    application = models.ForeignKey(
        "aids.AidApplication",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    scheme = models.CharField("dispositif (code)", max_length=40)
    version = models.PositiveSmallIntegerField("version", null=True, blank=True)
    unit = models.ForeignKey(
        "territory.TerritorialUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    envelope = models.ForeignKey(
        "aids.Envelope", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    emergency = models.BooleanField("urgence", default=False)
    amount = models.DecimalField("montant (€)", max_digits=12, decimal_places=2, null=True, blank=True)
    reason = models.CharField("motif(s)", max_length=200, blank=True)
    data = models.JSONField("données", default=dict, blank=True)

    class Meta:
        verbose_name = "événement des aides"
        ordering = ["occurred_at", "pk"]
        indexes = [
            models.Index(fields=["kind", "occurred_at"]),
            models.Index(fields=["application", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.occurred_at:%d/%m/%Y})"
