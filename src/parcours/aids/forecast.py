"""The forecast of an envelope's spending to the end of its year.

    forecast = consumed + committed
             + scheduled payments due by 31/12 not covered by a commitment
             + pace of new grants × days left in the year

- consumed and committed are the envelope's counters (a grant commits its whole amount: the
  monthly payments of a recurring aid already granted are inside `committed`; `scheduled` shows
  how much of it falls due by 31/12, and only a scheduled amount above what its application still
  has committed is added — none with the workflows of today, the term guards a later change);
- the pace is what was granted on the envelope (`aide.accordee` events) over the last 90 days, or
  since 1 January when the year is younger, per day; it runs over the days left to 31 December
  (none for a past year; the whole year for a future one, at today's pace of its scheme).

Every term is in cents (exact), `Forecast` gives them in euros. `forecasts(envelopes, today)`
computes them for a list of envelopes in at most four queries whatever their number.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from parcours.aids import event_kinds
from parcours.aids.models import AidEvent, Envelope, Payment, PaymentState
from parcours.aids.models.envelopes import cents, cents_to_euros

PACE_DAYS = 90
COMING_STATES = (PaymentState.SCHEDULED, PaymentState.IN_BATCH)


@dataclass(frozen=True)
class Forecast:
    envelope: Envelope
    scheduled_cents: int  # payments due from today to 31/12 (inside `committed`)
    uncovered_cents: int  # the part of them no commitment covers (added)
    pace_cents_per_day: int
    days_left: int
    pace_days: int

    @property
    def projected_cents(self) -> int:
        return self.pace_cents_per_day * self.days_left

    @property
    def total_cents(self) -> int:
        e = self.envelope
        return e.consumed_cents + e.committed_cents + self.uncovered_cents + self.projected_cents

    @property
    def total(self) -> Decimal:
        return cents_to_euros(self.total_cents)

    @property
    def scheduled(self) -> Decimal:
        return cents_to_euros(self.scheduled_cents)

    @property
    def projected(self) -> Decimal:
        return cents_to_euros(self.projected_cents)

    @property
    def pace_per_day(self) -> Decimal:
        return cents_to_euros(self.pace_cents_per_day)

    @property
    def overrun(self) -> bool:
        """The forecast goes beyond the voted amount: an alert on the page."""
        return self.total_cents > self.envelope.amount_cents

    @property
    def overrun_amount(self) -> Decimal:
        return cents_to_euros(max(0, self.total_cents - self.envelope.amount_cents))

    def share(self, value_cents: int) -> float:
        """`value_cents` as a share of the voted amount (0 when none is voted), for the bars."""
        return value_cents / self.envelope.amount_cents if self.envelope.amount_cents else 0.0


def _window(year: int, today: datetime.date) -> tuple[datetime.date, datetime.date, int]:
    """(first day, last day, days left after today) of the pace's window for an envelope of `year`."""
    end_of_year = datetime.date(year, 12, 31)
    if year < today.year:
        return today, today, 0
    start = max(today - datetime.timedelta(days=PACE_DAYS - 1), datetime.date(today.year, 1, 1))
    left = (
        (end_of_year - today).days
        if year == today.year
        else (end_of_year - datetime.date(year, 1, 1)).days + 1
    )
    return start, today, left


def forecasts(envelopes: list[Envelope], today: datetime.date) -> list[Forecast]:
    """The forecast of each envelope (same order)."""
    years = {e.pk: e.year for e in envelopes}
    scheduled: dict[int, dict[int, int]] = defaultdict(dict)
    for envelope_id, application_id, year, total in (
        Payment.objects.filter(application__envelope_id__in=years, state__in=COMING_STATES, due_on__gte=today)
        .values_list("application__envelope_id", "application_id", "due_on__year")
        .annotate(total=Sum("amount"))
    ):
        if year == years[envelope_id]:
            scheduled[envelope_id][application_id] = cents(total)
    still_committed = _still_committed({a for per in scheduled.values() for a in per})
    by_envelope, by_scheme = _pace(envelopes, today)
    result = []
    for envelope in envelopes:
        per_application = scheduled.get(envelope.pk, {})
        start, end, left = _window(envelope.year, today)
        days = (end - start).days + 1
        granted = (by_scheme if envelope.year > today.year else by_envelope).get(
            envelope.scheme_id if envelope.year > today.year else envelope.pk, 0
        )
        result.append(
            Forecast(
                envelope=envelope,
                scheduled_cents=sum(per_application.values()),
                uncovered_cents=sum(
                    max(0, amount - still_committed.get(pk, 0)) for pk, amount in per_application.items()
                ),
                pace_cents_per_day=granted // days if left else 0,
                days_left=left,
                pace_days=days,
            )
        )
    return result


def _still_committed(application_ids: set[int]) -> dict[int, int]:
    """Cents each application still holds on its envelope: granted − paid − released."""
    if not application_ids:
        return {}
    moved: dict[int, int] = defaultdict(int)
    sign = {event_kinds.GRANTED: 1, event_kinds.PAYMENT: -1, event_kinds.RELEASED: -1}
    for application_id, kind, amount in AidEvent.objects.filter(
        application_id__in=application_ids, kind__in=sign
    ).values_list("application_id", "kind", "amount"):
        moved[application_id] += sign[kind] * cents(amount or 0)
    return moved


def _pace(envelopes: list[Envelope], today: datetime.date) -> tuple[dict[int, int], dict[int, int]]:
    """Cents granted over the pace's window: per envelope id (this year's envelopes), and per
    scheme id (what a future year's envelope is projected with)."""
    start = max(today - datetime.timedelta(days=PACE_DAYS - 1), datetime.date(today.year, 1, 1))
    current = [e.pk for e in envelopes if e.year == today.year]
    future_schemes = {e.scheme_id for e in envelopes if e.year > today.year}
    granted = AidEvent.objects.filter(kind=event_kinds.GRANTED, occurred_at__date__gte=start)
    by_envelope: dict[int, int] = {}
    by_scheme: dict[int, int] = {}
    if current:
        for envelope_id, total in (
            granted.filter(envelope_id__in=current).values_list("envelope_id").annotate(total=Sum("amount"))
        ):
            by_envelope[envelope_id] = cents(total or 0)
    if future_schemes:
        for scheme_id, total in (
            granted.filter(envelope__scheme_id__in=future_schemes, envelope__year=today.year)
            .values_list("envelope__scheme_id")
            .annotate(total=Sum("amount"))
        ):
            by_scheme[scheme_id] = cents(total or 0)
    return by_envelope, by_scheme
