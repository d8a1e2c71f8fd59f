"""The front door's event log: what its figures are computed from.

Contacts may concern a person not (yet) identified, so the front door does not write
`people.PersonEvent` rows for them: it writes `FrontDoorEvent` rows, appended by
`parcours.reception.workflows` only (kinds in `parcours.reception.event_kinds`), exported with
the other events (`parcours export-events`, stream « accueil ») and recomputed independently.
`person` is set when known (pseudonymised in the export); `tray`, `unit`, `channel`, `theme`,
`urgency`, `outcome`, `benefit` are the dimensions the figures group by.
"""

from __future__ import annotations

from django.db import models


class FrontDoorEvent(models.Model):
    kind = models.CharField("nature", max_length=40)
    occurred_at = models.DateTimeField("date", db_index=True)
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    contact = models.ForeignKey(
        "reception.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    item = models.ForeignKey(
        "reception.TrayItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    tray = models.ForeignKey(
        "reception.Tray", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    unit = models.ForeignKey(
        "territory.TerritorialUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    channel = models.CharField("canal", max_length=20, blank=True)
    theme = models.CharField("thématique", max_length=60, blank=True)
    urgency = models.CharField("urgence", max_length=10, blank=True)
    outcome = models.CharField("issue", max_length=20, blank=True)
    benefit = models.CharField("prestation", max_length=20, blank=True)
    data = models.JSONField("données", default=dict, blank=True)

    class Meta:
        verbose_name = "événement du premier accueil"
        ordering = ["occurred_at", "pk"]
        indexes = [models.Index(fields=["kind", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.kind} ({self.occurred_at:%d/%m/%Y})"
