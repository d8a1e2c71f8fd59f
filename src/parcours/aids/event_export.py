"""The aids' stream of the pseudonymised event export (`parcours export-events --stream aides`):
one row per `aids.AidEvent` dated in the period (Paris days, both ends included), for auditors
and for the independent recomputation of the figures (`aids.recompute`).

No name, IBAN, note, purpose or other free text: the person is the same pseudonym as in the
PersonEvent export (`indicators.event_export.pseudonym`), the application a pseudonym of its own
(HMAC with the same key); schemes and units by code, the envelope by its id; `reason` keeps only
codes of `RefusalReason` (anything else is dropped); `data` is not exported. Columns are
documented in docs/indicators.md (« Aides financières »).
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

from parcours.aids.event_kinds import LABELS
from parcours.aids.models import AidEvent, RefusalReason, Scheme
from parcours.appointments.calendar import PARIS
from parcours.core.statistics import day_bounds as bounds
from parcours.indicators.event_export import (
    export_metadata,
    object_pseudonym,
    pseudonym,
    pseudonym_key,
    write_columns,
)

COLUMNS = [
    "seq",
    "person",
    "application",
    "kind",
    "occurred_at",
    "date",
    "scheme",
    "scheme_family",
    "version",
    "unit",
    "envelope",
    "emergency",
    "amount",
    "reason",
]
REASONS = frozenset(RefusalReason.values)


def reason_codes(value: str) -> str:
    """The refusal reasons' codes of `value` (comma-separated), unknown ones dropped."""
    return ",".join(code for code in (value or "").split(",") if code in REASONS)


def rows(start: datetime.date, end: datetime.date) -> dict[str, list]:
    """The stream as columns (name → list of values), in the order of the events."""
    low, high = bounds(start, end)
    events = AidEvent.objects.filter(occurred_at__gte=low, occurred_at__lt=high).order_by("occurred_at", "pk")
    families = dict(Scheme.objects.values_list("code", "family"))
    key = pseudonym_key()
    people: dict[int, str] = {}
    columns: dict[str, list] = {name: [] for name in COLUMNS}
    fields = (
        "person_id", "application_id", "kind", "occurred_at", "scheme", "version", "unit__code",
        "envelope_id", "emergency", "amount", "reason",
    )  # fmt: skip
    values = events.values_list(*fields).iterator(chunk_size=5000)
    for position, row in enumerate(values):
        (
            person_id,
            application_id,
            kind,
            moment,
            scheme,
            version,
            unit,
            envelope,
            emergency,
            amount,
            reason,
        ) = row
        if person_id is not None and person_id not in people:
            people[person_id] = pseudonym(person_id, key)
        moment = moment.astimezone(PARIS)
        columns["seq"].append(position + 1)
        columns["person"].append(people.get(person_id, ""))
        columns["application"].append(object_pseudonym("aid_application", application_id, key))
        columns["kind"].append(kind if kind in LABELS else "")
        columns["occurred_at"].append(moment.isoformat())
        columns["date"].append(moment.date().isoformat())
        columns["scheme"].append(scheme)
        columns["scheme_family"].append(families.get(scheme, ""))
        columns["version"].append("" if version is None else str(version))
        columns["unit"].append(unit or "")
        columns["envelope"].append("" if envelope is None else str(envelope))
        columns["emergency"].append("true" if emergency else "false")
        columns["amount"].append("" if amount is None else f"{amount:.2f}")
        columns["reason"].append(reason_codes(reason))
    return columns


def write(start: datetime.date, end: datetime.date, fmt: str, target: Path | io.TextIOBase) -> int:
    """Write the stream as CSV or Parquet to `target` (a path, or a text stream for CSV); returns the
    number of rows. CSV cells go through `core.spreadsheet_safety.neutralise`."""
    metadata = {**export_metadata(start, end), "parcours.stream": "aides"}
    return write_columns(rows(start, end), COLUMNS, fmt, target, metadata)
