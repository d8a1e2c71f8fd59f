"""Facts about a person that only the aids read: a past placement with the aide sociale à
l'enfance (EVA, the student grant of former ASE children), attested by the ASE service."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ChildProtectionPlacement(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="ase_placements")
    placed_from = models.DateField("confié(e) à l'ASE du")
    placed_until = models.DateField("jusqu'au", null=True, blank=True)
    attested_by = models.CharField(
        "attesté par", max_length=150, help_text="Service ou document qui l'atteste."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        verbose_name = "placement à l'aide sociale à l'enfance"
        verbose_name_plural = "placements à l'aide sociale à l'enfance"
        ordering = ["-placed_from"]

    def __str__(self) -> str:
        return f"Placement ASE du {self.placed_from:%d/%m/%Y}"
