"""The front door's stream of the pseudonymised event export (`parcours export-events --stream
accueil`): one row per `reception.FrontDoorEvent` dated in the period (Paris days, both ends
included), for auditors and for the independent recomputation (`reception.recompute`).

No name, phone, address, note or other free text: the person is the same pseudonym as in the
PersonEvent export (`indicators.event_export.pseudonym`), the contact and the item are pseudonyms
of their own (HMAC with the same key, so two exports with the same key link up); trays, units and
stations are exported by code; of `data`, only the keys of `DATA_COLUMNS`, each checked against
its controlled vocabulary or type (anything else is exported empty). Columns are documented in
docs/indicators.md (« Premier accueil »).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from pathlib import Path

from parcours.accounts.models import OrganisationKind
from parcours.appointments.calendar import PARIS
from parcours.indicators.event_export import (
    export_metadata,
    object_pseudonym,
    pseudonym,
    pseudonym_key,
    write_columns,
)
from parcours.reception.figures import bounds
from parcours.reception.models import FrontDoorEvent, Station, Tray
from parcours.reception.models.contacts import CallbackState, CallerRelation
from parcours.reception.models.referents import ConsentMode
from parcours.reception.models.trays import WaitReason
from parcours.reception.rights import NOT_OPENED_REASONS


def _number(value) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return str(value)


def _boolean(value) -> str:
    return str(value).lower() if isinstance(value, bool) else ""


def _vocabulary(choices) -> Callable[[object], str]:
    allowed = {str(value) for value in choices.values if value}
    return lambda value: str(value) if isinstance(value, str) and value in allowed else ""


def _instant(value) -> str:
    if not isinstance(value, str):
        return ""
    try:
        return datetime.datetime.fromisoformat(value).astimezone(PARIS).isoformat()
    except ValueError:
        return ""


# Exported column → (key of FrontDoorEvent.data, check). Codes of trays and stations are resolved
# in `rows` (the data may hold the id or the code).
DATA_CHECKS: dict[str, tuple[str, Callable[[object], str]]] = {
    "caller": ("caller", _vocabulary(CallerRelation)),
    "duration_seconds": ("duration_seconds", _number),
    "station": ("station", lambda value: ""),
    "rule": ("rule", _number),
    "child_concern": ("child_concern", _boolean),
    "due_at": ("due_at", _instant),
    "within_sla": ("within_sla", _boolean),
    "working_hours": ("working_hours", _number),
    "wait_reason": ("reason", _vocabulary(WaitReason)),
    "waited_seconds": ("waited_seconds", _number),
    "from_tray": ("from_tray", lambda value: ""),
    "reason_given": ("reason_given", _boolean),
    "waiting_seconds": ("waiting_seconds", _number),
    "open_seconds": ("open_seconds", _number),
    "organisation_kind": ("organisation_kind", _vocabulary(OrganisationKind)),
    "consent_mode": ("consent_mode", _vocabulary(ConsentMode)),
    "monthly_amount": ("monthly_amount", lambda value: _number(value) or _decimal_text(value)),
    "callback_state": ("outcome", _vocabulary(CallbackState)),
    "not_opened_reason": ("reason", lambda value: value if value in NOT_OPENED_REASONS else ""),
}
DATA_COLUMNS = list(DATA_CHECKS)
COLUMNS = [
    "seq",
    "person",
    "contact",
    "item",
    "right",
    "kind",
    "occurred_at",
    "date",
    "tray",
    "unit",
    "channel",
    "theme",
    "urgency",
    "outcome",
    "benefit",
    *DATA_COLUMNS,
]


def _decimal_text(value) -> str:
    """An amount stored as text ("512.30"): kept only when it is a number."""
    if not isinstance(value, str):
        return ""
    try:
        float(value)
    except ValueError:
        return ""
    return value


def _code(value, codes: dict[str, str]) -> str:
    """A tray's or station's code from the id (or code) an event's data holds."""
    if value is None or value == "":
        return ""
    text = str(value)
    return codes.get(text, text if text in codes.values() else "")


def rows(start: datetime.date, end: datetime.date) -> dict[str, list]:
    """The stream as columns (name → list of values), in the order of the events."""
    low, high = bounds(start, end)
    events = FrontDoorEvent.objects.filter(occurred_at__gte=low, occurred_at__lt=high).order_by(
        "occurred_at", "pk"
    )
    tray_codes = {str(pk): code for pk, code in Tray.objects.values_list("pk", "code")}
    station_codes = {str(pk): code for pk, code in Station.objects.values_list("pk", "code")}
    key = pseudonym_key()
    people: dict[int, str] = {}
    columns: dict[str, list] = {name: [] for name in COLUMNS}
    fields = (
        "person_id", "contact_id", "item_id", "kind", "occurred_at", "tray__code", "unit__code",
        "channel", "theme", "urgency", "outcome", "benefit", "data",
    )  # fmt: skip
    for position, values in enumerate(events.values_list(*fields).iterator(chunk_size=5000)):
        person_id, contact_id, item_id, kind, occurred_at, tray, unit, *vocabulary, data = values
        if person_id is not None and person_id not in people:
            people[person_id] = pseudonym(person_id, key)
        moment = occurred_at.astimezone(PARIS)
        columns["seq"].append(position + 1)
        columns["person"].append(people.get(person_id, ""))
        columns["contact"].append(object_pseudonym("contact", contact_id, key))
        columns["item"].append(object_pseudonym("item", item_id, key))
        data = data if isinstance(data, dict) else {}
        right = data.get("right")
        columns["right"].append(
            object_pseudonym("right", right, key)
            if isinstance(right, int) and not isinstance(right, bool)
            else ""
        )
        columns["kind"].append(kind)
        columns["occurred_at"].append(moment.isoformat())
        columns["date"].append(moment.date().isoformat())
        columns["tray"].append(tray or "")
        columns["unit"].append(unit or "")
        for name, value in zip(
            ("channel", "theme", "urgency", "outcome", "benefit"), vocabulary, strict=True
        ):
            columns[name].append(value or "")
        for name, (source, check) in DATA_CHECKS.items():
            value = data.get(source)
            if name == "station":
                columns[name].append(_code(value, station_codes))
            elif name == "from_tray":
                columns[name].append(_code(value, tray_codes))
            else:
                columns[name].append(check(value) if value is not None else "")
    return columns


def write(start: datetime.date, end: datetime.date, fmt: str, target: Path | io.TextIOBase) -> int:
    """Write the stream as CSV or Parquet to `target` (a path, or a text stream for CSV); returns the
    number of rows. CSV cells go through `core.spreadsheet_safety.neutralise`."""
    metadata = {**export_metadata(start, end), "parcours.stream": "accueil"}
    return write_columns(rows(start, end), COLUMNS, fmt, target, metadata)
