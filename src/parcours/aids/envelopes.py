"""Moving money on a budget envelope: commit (a grant), consume (a payment), release (a
cancellation, a reduction). Each is ONE conditional UPDATE, so that concurrent grants can never
overspend: `commit` adds to `committed` only where `amount >= committed + consumed + x`, and
tells whether a row was updated; the check constraint `aids_envelope_never_overspent` stands
behind it. Callers run these inside their transaction and write the matching `AidEvent`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F, Q

from parcours.aids.models import Envelope
from parcours.aids.models.envelopes import cents, cents_to_euros
from parcours.aids.money import euros


class EnvelopeExhausted(ValidationError):
    """The envelope has not enough left for a grant (message for the agent)."""


def envelope_for(scheme, unit, day: datetime.date) -> Envelope | None:
    """The envelope a grant of `scheme` on `day` draws on: the unit's own for that year if it
    has one, else the département-wide one; None when no envelope is set (the grant is refused)."""
    envelopes = Envelope.objects.filter(scheme=scheme, year=day.year).filter(
        Q(unit__isnull=True) | Q(unit=unit) if unit is not None else Q(unit__isnull=True)
    )
    return min(envelopes, key=lambda e: e.unit_id is None, default=None)


def commit(envelope: Envelope, amount: Decimal) -> None:
    """Commit `amount` on `envelope`, or raise EnvelopeExhausted saying what is left."""
    value = cents(amount)
    updated = Envelope.objects.filter(
        pk=envelope.pk, amount_cents__gte=F("committed_cents") + F("consumed_cents") + value
    ).update(committed_cents=F("committed_cents") + value)
    if not updated:
        envelope.refresh_from_db()
        raise EnvelopeExhausted(
            f"L'enveloppe « {envelope} » n'a plus que {euros(envelope.available)} disponibles : "
            f"l'aide de {euros(Decimal(amount))} ne peut pas être accordée. Réduisez le montant, ajournez "
            "la demande ou demandez un abondement de l'enveloppe."
        )


def consume(envelope: Envelope, amount: Decimal) -> None:
    """A payment of `amount`: moves it from committed to consumed."""
    value = cents(amount)
    updated = Envelope.objects.filter(pk=envelope.pk, committed_cents__gte=value).update(
        committed_cents=F("committed_cents") - value, consumed_cents=F("consumed_cents") + value
    )
    if not updated:
        raise ValidationError("Ce paiement dépasse le montant engagé sur l'enveloppe.")


def release(envelope: Envelope, amount: Decimal) -> None:
    """Release `amount` of committed money (a cancellation, a reduction of the grant)."""
    value = cents(amount)
    if value <= 0:
        return
    updated = Envelope.objects.filter(pk=envelope.pk, committed_cents__gte=value).update(
        committed_cents=F("committed_cents") - value
    )
    if not updated:
        raise ValidationError("Le montant à libérer dépasse le montant engagé sur l'enveloppe.")


__all__ = ["EnvelopeExhausted", "cents", "cents_to_euros", "commit", "consume", "envelope_for", "release"]
