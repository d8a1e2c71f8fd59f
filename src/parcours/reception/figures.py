"""The front door's figures, computed from its event log (`reception.FrontDoorEvent`) only.

`compute(start, end, unit_ids=None, tray_id=None)` returns the figures of a period (Paris days,
both ends included), for the département, some territorial units (`unit_ids`, the events' unit)
or one tray (`tray_id`, the events' tray). Definitions (docs/indicators.md, « Premier accueil »):

- **contacts**: `accueil.sollicitation` events dated in the period, by channel, by territorial unit
  (``""`` when none is known), by hour of the day (Paris) and by theme: the number of distinct
  contacts having at least one need of the theme (`accueil.besoin` events dated in the period). With
  a tray filter, the contacts with at least one need routed to the tray.
- **items**: needs routed (`accueil.besoin`) in the period, by first tray.
- **first action** per tray (the tray of the `accueil.premiere_action` event dated in the period):
  working hours (`reception.working_hours`) from the item's entry in that tray (its
  `accueil.besoin` event, or its last `accueil.transmission` before) to its first action there;
  median and 90th percentile (linear interpolation).
- **closure** per tray (the tray of the `accueil.cloture` event dated in the period): calendar
  hours from the item's creation to its closure, minus the time it waited (each
  `accueil.attente` to the next `accueil.reprise` or `accueil.transmission`, or to the closure);
  median and 90th percentile.
- **service level** per tray and urgency: first actions in the period within the service level
  (the event's `within_sla`), plus, as breaches, the items escalated (`accueil.escalade`) in the
  period that had no first action in that tray by its end (still open and overdue).
- **transfers**: `accueil.transmission` events in the period (tray: the receiving one), and the
  share of the items created in the period transferred at least once by its end.
- **outcomes**: `accueil.cloture` events in the period, by outcome.
- **rights** (filtered by the unit of the identification, not by tray): per benefit, the rights
  identified in the period (`droits.identifie`; one per followed right, `data.right`), and of them
  those with a claim started, opened, and not opened by the end of the period; non-take-up
  (non-recours) = identified and not opened (yet), with its share.

`flat(figures)` gives the same figures as one level of dotted keys: what the independent
recomputation over the event export (`reception.recompute`) returns.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from parcours.appointments.calendar import PARIS
from parcours.core.statistics import day_bounds as bounds  # noqa: F401 (re-exported)
from parcours.core.statistics import median_p90_hours
from parcours.reception import event_kinds as ev
from parcours.reception.models import FrontDoorEvent
from parcours.reception.working_hours import working_hours_between

FIELDS = (
    "kind",
    "occurred_at",
    "person_id",
    "contact_id",
    "item_id",
    "tray__code",
    "unit__code",
    "channel",
    "theme",
    "urgency",
    "outcome",
    "benefit",
    "data",
)
ITEM_HISTORY_KINDS = (ev.NEED, ev.WAITING, ev.RESUMED, ev.FIRST_ACTION, ev.TRANSFER, ev.CLOSURE)
RIGHT_KINDS = (ev.RIGHT_IDENTIFIED, ev.RIGHT_CLAIM_STARTED, ev.RIGHT_OPENED, ev.RIGHT_NOT_OPENED)


def _share(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _rows(queryset) -> list[dict]:
    return [dict(zip(FIELDS, values, strict=True)) for values in queryset.values_list(*FIELDS)]


def _scoped(queryset, unit_ids, tray_id):
    if unit_ids is not None:
        queryset = queryset.filter(unit_id__in=unit_ids)
    if tray_id is not None:
        queryset = queryset.filter(tray_id=tray_id)
    return queryset


def _item_histories(item_ids: set[int], high: datetime.datetime) -> dict[int, list[dict]]:
    histories: dict[int, list[dict]] = defaultdict(list)
    ids = sorted(item_ids)
    for offset in range(0, len(ids), 5000):
        chunk = FrontDoorEvent.objects.filter(
            item_id__in=ids[offset : offset + 5000], kind__in=ITEM_HISTORY_KINDS, occurred_at__lt=high
        ).order_by("occurred_at", "pk")
        for row in _rows(chunk):
            histories[row["item_id"]].append(row)
    return histories


def _created_at(history: list[dict]) -> datetime.datetime | None:
    return next((row["occurred_at"] for row in history if row["kind"] == ev.NEED), None)


def _entered_at(history: list[dict], before: datetime.datetime) -> datetime.datetime | None:
    """When the item entered its current tray before `before`: its creation or last transfer."""
    entered = None
    for row in history:
        if row["occurred_at"] > before:
            break
        if row["kind"] in (ev.NEED, ev.TRANSFER):
            entered = row["occurred_at"]
    return entered


def _waited_seconds(history: list[dict], until: datetime.datetime) -> float:
    """Seconds the item waited before `until`: each `attente` to the next `reprise` or
    `transmission` (or to `until`)."""
    total, since = 0.0, None
    for row in history:
        if row["occurred_at"] > until:
            break
        if row["kind"] == ev.WAITING and since is None:
            since = row["occurred_at"]
        elif row["kind"] in (ev.RESUMED, ev.TRANSFER) and since is not None:
            total += (row["occurred_at"] - since).total_seconds()
            since = None
    if since is not None:
        total += (until - since).total_seconds()
    return total


def compute(
    start: datetime.date,
    end: datetime.date,
    *,
    unit_ids: list[int] | None = None,
    tray_id: int | None = None,
) -> dict:
    """The front door's figures of the period (see the module docstring for each definition)."""
    low, high = bounds(start, end)
    in_period = FrontDoorEvent.objects.filter(occurred_at__gte=low, occurred_at__lt=high)
    scoped = _rows(_scoped(in_period.exclude(kind__in=RIGHT_KINDS), unit_ids, tray_id))
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for row in scoped:
        by_kind[row["kind"]].append(row)

    contacts = by_kind[ev.CONTACT]
    if tray_id is not None:  # a contact belongs to a tray through its needs
        contact_ids = set(
            _scoped(in_period.filter(kind=ev.NEED), None, tray_id).values_list("contact_id", flat=True)
        )
        contacts = _rows(
            _scoped(in_period.filter(kind=ev.CONTACT, contact_id__in=contact_ids), unit_ids, None)
        )
    themes: dict[str, set] = defaultdict(set)
    for row in by_kind[ev.NEED]:
        themes[row["theme"]].add(row["contact_id"])

    needs = by_kind[ev.NEED]
    wanted = {
        row["item_id"] for kind in (ev.FIRST_ACTION, ev.CLOSURE, ev.ESCALATION) for row in by_kind[kind]
    }
    wanted |= {row["item_id"] for row in needs}
    histories = _item_histories({pk for pk in wanted if pk is not None}, high)

    first_action: dict[str, list[float]] = defaultdict(list)
    levels: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for row in by_kind[ev.FIRST_ACTION]:
        entered = _entered_at(histories.get(row["item_id"], []), row["occurred_at"])
        if entered is not None:
            first_action[row["tray__code"]].append(working_hours_between(entered, row["occurred_at"]))
        counter = levels[(row["tray__code"], row["urgency"])]
        counter["due"] += 1
        counter["within" if (row["data"] or {}).get("within_sla") else "breaches"] += 1
    for row in by_kind[ev.ESCALATION]:
        history = histories.get(row["item_id"], [])
        if not any(
            event["kind"] == ev.FIRST_ACTION
            and event["tray__code"] == row["tray__code"]
            and event["occurred_at"] >= row["occurred_at"]
            for event in history
        ):
            counter = levels[(row["tray__code"], row["urgency"])]
            counter["due"] += 1
            counter["breaches"] += 1

    closure: dict[str, list[float]] = defaultdict(list)
    for row in by_kind[ev.CLOSURE]:
        history = histories.get(row["item_id"], [])
        created = _created_at(history)
        if created is not None:
            seconds = (row["occurred_at"] - created).total_seconds()
            seconds -= _waited_seconds(history, row["occurred_at"])
            closure[row["tray__code"]].append(seconds / 3600)

    transferred = {
        row["item_id"]
        for row in needs
        if any(event["kind"] == ev.TRANSFER for event in histories.get(row["item_id"], []))
    }
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat(), "events": len(scoped)},
        "contacts": {
            "count": len(contacts),
            "by_channel": dict(Counter(row["channel"] for row in contacts)),
            "by_unit": dict(Counter(row["unit__code"] or "" for row in contacts)),
            "by_hour": dict(Counter(row["occurred_at"].astimezone(PARIS).hour for row in contacts)),
            "by_theme": {theme: len(ids) for theme, ids in themes.items()},
        },
        "items": {"created": len(needs), "by_tray": dict(Counter(row["tray__code"] for row in needs))},
        "first_action": {tray: median_p90_hours(values) for tray, values in first_action.items()},
        "closure": {tray: median_p90_hours(values) for tray, values in closure.items()},
        "service_level": {
            f"{tray}.{urgency}": {
                "due": counter["due"],
                "within": counter["within"],
                "breaches": counter["breaches"],
                "share_within": _share(counter["within"], counter["due"]),
            }
            for (tray, urgency), counter in levels.items()
        },
        "transfers": {
            "count": len(by_kind[ev.TRANSFER]),
            "items_created": len(needs),
            "items_transferred": len(transferred),
            "share_transferred": _share(len(transferred), len(needs)),
        },
        "outcomes": dict(Counter(row["outcome"] for row in by_kind[ev.CLOSURE])),
        "rights": _rights(low, high, unit_ids),
    }


def _right(row: dict) -> tuple | None:
    """The right an event is about: its `data.right` (the followed right), else the person — or
    the contact when no person is known — and the benefit."""
    right = (row["data"] or {}).get("right")
    if isinstance(right, int) and not isinstance(right, bool):
        return ("right", right)
    if row["person_id"] is not None:
        return ("person", row["person_id"], row["benefit"])
    if row["contact_id"] is not None:
        return ("contact", row["contact_id"], row["benefit"])
    return None


def _rights(low: datetime.datetime, high: datetime.datetime, unit_ids: list[int] | None) -> dict:
    identified_events = FrontDoorEvent.objects.filter(
        kind=ev.RIGHT_IDENTIFIED, occurred_at__gte=low, occurred_at__lt=high
    )
    if unit_ids is not None:
        identified_events = identified_events.filter(unit_id__in=unit_ids)
    identified: dict[str, set] = defaultdict(set)
    for row in _rows(identified_events):
        right = _right(row)
        if right is not None:
            identified[row["benefit"]].add(right)
    reached: dict[str, set] = defaultdict(set)
    later = FrontDoorEvent.objects.filter(kind__in=RIGHT_KINDS[1:], occurred_at__lt=high)
    for row in _rows(later.filter(benefit__in=list(identified))):
        right = _right(row)
        if right is not None:
            reached[row["kind"]].add(right)
    figures = {}
    for benefit, rights in identified.items():
        opened = len(rights & reached[ev.RIGHT_OPENED])
        figures[benefit] = {
            "identified": len(rights),
            "claim_started": len(rights & reached[ev.RIGHT_CLAIM_STARTED]),
            "opened": opened,
            "not_opened": len(rights & reached[ev.RIGHT_NOT_OPENED]),
            "non_recours": len(rights) - opened,
            "share_non_recours": _share(len(rights) - opened, len(rights)),
        }
    return figures


def flat(figures: dict) -> dict:
    """The figures as one level of dotted keys (`contacts.by_channel.telephone`…), without the
    `period` block: the shape `reception.recompute.figures` returns."""
    result = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        else:
            result[prefix] = value

    walk("", {key: value for key, value in figures.items() if key != "period"})
    return result
