"""Budget envelopes: a yearly amount per scheme (optionally per territorial unit).

A grant *commits* its amount, a payment *consumes* (moves from committed to consumed), a
cancellation or a reduction *releases*. `committed + consumed <= amount` is a database check
constraint, and every movement is a conditional UPDATE (`aids.envelopes`): two instructors
granting the last euros at the same moment cannot both succeed. Each movement is also an
`AidEvent` with its amount and envelope (kinds `aide.accordee`, `aide.paiement`,
`aide.liberation`), from which the export recomputes the counters.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q


class Envelope(models.Model):
    scheme = models.ForeignKey("aids.Scheme", on_delete=models.PROTECT, related_name="envelopes")
    year = models.PositiveSmallIntegerField("année")
    unit = models.ForeignKey(
        "territory.TerritorialUnit",
        verbose_name="unité territoriale",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Vide : enveloppe de tout le département.",
    )
    # In cents: exact arithmetic on every database (SQLite keeps decimals as floating point), so
    # that the check constraint and the conditional updates never err by a rounding.
    amount_cents = models.BigIntegerField("montant voté (centimes)", validators=[MinValueValidator(0)])
    committed_cents = models.BigIntegerField("engagé (centimes)", default=0)
    consumed_cents = models.BigIntegerField("payé (centimes)", default=0)
    updated_at = models.DateTimeField("mise à jour", auto_now=True)

    class Meta:
        verbose_name = "enveloppe budgétaire"
        verbose_name_plural = "enveloppes budgétaires"
        ordering = ["-year", "scheme__name", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "year", "unit"],
                condition=Q(unit__isnull=False),
                name="aids_envelope_unit_unique",
            ),
            models.UniqueConstraint(
                fields=["scheme", "year"],
                condition=Q(unit__isnull=True),
                name="aids_envelope_departement_unique",
            ),
            models.CheckConstraint(
                condition=Q(committed_cents__gte=0) & Q(consumed_cents__gte=0),
                name="aids_envelope_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gte=F("committed_cents") + F("consumed_cents")),
                name="aids_envelope_never_overspent",
            ),
        ]

    def __str__(self) -> str:
        where = f" — {self.unit}" if self.unit_id else ""
        return f"{self.scheme} {self.year}{where}"

    @property
    def amount(self) -> Decimal:
        return cents_to_euros(self.amount_cents)

    @property
    def committed(self) -> Decimal:
        return cents_to_euros(self.committed_cents)

    @property
    def consumed(self) -> Decimal:
        return cents_to_euros(self.consumed_cents)

    @property
    def available(self) -> Decimal:
        return cents_to_euros(self.amount_cents - self.committed_cents - self.consumed_cents)


def cents(amount: Decimal | int | str) -> int:
    """Euros (a Decimal, or its text) as a whole number of cents."""
    return int((Decimal(str(amount)) * 100).quantize(Decimal("1")))


def cents_to_euros(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))
