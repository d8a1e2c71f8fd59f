"""The aids' figures, computed from their event log (`aids.AidEvent`) only, over a period (Paris
calendar days, both ends included) and optionally one scheme and one territorial unit (by code).

`compute(start, end, scheme=, unit=)` returns a nested dict (definitions in docs/indicators.md,
« Aides financières »); `aids.recompute` computes the same dict from the exported events with
DuckDB, sharing no code with this module:

- `requests`: applications deposited in the period (`aide.deposee`), of which emergencies;
- `decisions`: grants, refusals (and each refusal reason: a refusal with two reasons counts in
  both), adjournments, cancellations dated in the period;
- `amounts`: requested at deposit, granted (committed), paid (consumed), released, undue,
  recovered — sums of the events' amounts, in euros;
- `delay`: for each grant or refusal of the period, the hours from the deposit to that decision,
  less the time spent waiting for documents (from each `aide.pieces_demandees` to the next
  `aide.pieces_recues`, or to the decision when the documents never came), in calendar hours:
  count, median and 90th percentile (linear interpolation), in hours and days;
- `emergencies`: the FDAJ emergencies (scheme of the family « jeunesse », emergency flag) decided
  in the period, and how many (and which share) within 48 hours as `delay` counts them;
- `schemes`: per scheme code, deposits, grants, refusals and the amounts granted, paid, released
  (the consumption of its envelopes).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

from parcours.aids import event_kinds as ev
from parcours.aids.models import AidEvent, RefusalReason, Scheme, SchemeFamily
from parcours.core.statistics import day_bounds as bounds  # noqa: F401 (re-exported)
from parcours.core.statistics import median_p90_hours

EMERGENCY_HOURS = 48
DECISION_KINDS = (ev.GRANTED, ev.REFUSED)
AMOUNT_KINDS = {
    "requested": ev.DEPOSITED,
    "granted": ev.GRANTED,
    "paid": ev.PAYMENT,
    "released": ev.RELEASED,
    "undue": ev.RECOVERY_OPENED,
    "recovered": ev.RECOVERY_SETTLED,
}
ZERO = Decimal("0.00")


def delay_summary(hours: list[float]) -> dict:
    """Median and p90 in hours (rounded to 2 decimals), then in days: a recomputation rounds the
    same way."""
    summary = median_p90_hours(hours)
    for name in ("median", "p90"):
        value = summary[f"{name}_hours"]
        summary[f"{name}_days"] = None if value is None else round(value / 24, 2)
    return summary


def _histories(application_ids: list[int], high: datetime.datetime) -> dict[int, list[tuple]]:
    """(kind, instant) of the deposit and the documents' pauses of each application, in order."""
    histories: dict[int, list[tuple]] = defaultdict(list)
    for offset in range(0, len(application_ids), 5000):
        rows = (
            AidEvent.objects.filter(
                application_id__in=application_ids[offset : offset + 5000],
                kind__in=(ev.DEPOSITED, ev.DOCUMENTS_REQUESTED, ev.DOCUMENTS_RECEIVED),
                occurred_at__lt=high,
            )
            .order_by("occurred_at", "pk")
            .values_list("application_id", "kind", "occurred_at")
        )
        for application_id, kind, moment in rows:
            histories[application_id].append((kind, moment))
    return histories


def net_hours(history: list[tuple], decided_at: datetime.datetime) -> float | None:
    """Hours from the deposit to `decided_at`, less the pauses for documents; None without deposit."""
    deposited = next((moment for kind, moment in history if kind == ev.DEPOSITED), None)
    if deposited is None:
        return None
    paused = 0.0
    for index, (kind, moment) in enumerate(history):
        if kind != ev.DOCUMENTS_REQUESTED or moment >= decided_at:
            continue
        resumed = next((m for k, m in history[index + 1 :] if k == ev.DOCUMENTS_RECEIVED), decided_at)
        paused += (min(resumed, decided_at) - moment).total_seconds()
    return ((decided_at - deposited).total_seconds() - paused) / 3600


def _scheme_row() -> dict:
    return {
        "deposited": 0,
        "granted": 0,
        "refused": 0,
        "granted_amount": ZERO,
        "paid_amount": ZERO,
        "released_amount": ZERO,
    }


def compute(start: datetime.date, end: datetime.date, *, scheme: str = "", unit: str = "") -> dict:
    """The figures of the period (see the module docstring), for one scheme and one unit (codes)
    when given."""
    low, high = bounds(start, end)
    events = AidEvent.objects.filter(occurred_at__gte=low, occurred_at__lt=high)
    if scheme:
        events = events.filter(scheme=scheme)
    if unit:
        events = events.filter(unit__code=unit)
    kinds: Counter = Counter()
    amounts = dict.fromkeys(AMOUNT_KINDS, ZERO)
    kind_amount = {kind: name for name, kind in AMOUNT_KINDS.items()}
    reasons = dict.fromkeys(RefusalReason.values, 0)
    schemes: dict[str, dict] = defaultdict(_scheme_row)
    decided: list[tuple[int, datetime.datetime, str, bool]] = []
    emergency_deposits = 0
    fields = ("kind", "application_id", "scheme", "emergency", "amount", "reason", "occurred_at")
    for kind, application_id, code, emergency, amount, reason, moment in events.order_by(
        "occurred_at", "pk"
    ).values_list(*fields):
        kinds[kind] += 1
        if kind in kind_amount and amount is not None:
            amounts[kind_amount[kind]] += amount
        row = schemes[code]
        if kind == ev.DEPOSITED:
            row["deposited"] += 1
            emergency_deposits += emergency
        elif kind == ev.GRANTED:
            row["granted"] += 1
            row["granted_amount"] += amount or ZERO
        elif kind == ev.REFUSED:
            row["refused"] += 1
            for code_ in filter(None, reason.split(",")):
                if code_ in reasons:
                    reasons[code_] += 1
        elif kind == ev.PAYMENT:
            row["paid_amount"] += amount or ZERO
        elif kind == ev.RELEASED:
            row["released_amount"] += amount or ZERO
        if kind in DECISION_KINDS and application_id is not None:
            decided.append((application_id, moment, code, emergency))
    families = dict(Scheme.objects.values_list("code", "family"))
    histories = _histories(sorted({d[0] for d in decided}), high)
    hours: list[float] = []
    fdaj = within = 0
    for application_id, moment, code, emergency in decided:
        value = net_hours(histories.get(application_id, []), moment)
        if value is None:
            continue
        hours.append(value)
        if emergency and families.get(code) == SchemeFamily.YOUTH:
            fdaj += 1
            within += value <= EMERGENCY_HOURS
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "requests": {"deposited": kinds[ev.DEPOSITED], "emergency": emergency_deposits},
        "decisions": {
            "granted": kinds[ev.GRANTED],
            "refused": kinds[ev.REFUSED],
            "adjourned": kinds[ev.ADJOURNED],
            "cancelled": kinds[ev.CANCELLED],
            "refusal_reasons": reasons,
        },
        "amounts": amounts,
        "delay": delay_summary(hours),
        "emergencies": {
            "fdaj_decided": fdaj,
            "fdaj_within_48h": within,
            "fdaj_share_within_48h": round(within / fdaj, 4) if fdaj else None,
        },
        "schemes": {code: schemes[code] for code in sorted(schemes)},
    }
