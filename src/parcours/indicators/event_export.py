"""The pseudonymised export of the event log (`parcours export-events`), for auditors.

One row per `people.PersonEvent` dated in the period (Paris days, both ends included). No name,
NIR, contact detail or address: the person is a stable pseudonym (HMAC-SHA256 of the person id
with the key `PARCOURS_PSEUDONYM_KEY`, else SECRET_KEY, truncated to 16 hex digits); age band
(at the event's date), sex, territorial unit and commune are kept. Of `data`, only the keys in
`DATA_COLUMNS` (controlled vocabularies and dates, never free text or identifiers of persons)
are exported. Columns are documented in docs/indicators.md. A Parquet export records its days
and the time it was taken in the file's metadata (`export_metadata`).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import hmac
import io
import json
import os
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection

from parcours.core.spreadsheet_safety import neutralised
from parcours.core.statistics import day_bounds
from parcours.indicators.eventlog import PARIS, paris_days, to_date
from parcours.indicators.measures import age_bands

DATA_COLUMNS = [
    "etat",
    "motif",
    "nature",
    "reouverture",
    "channel",
    "site",
    "orientation",
    "organism",
    "reorientation",
    "contract_kind",
    "starts_on",
    "ends_on",
    "programme",
    "contract_type",
    "hours_per_week",
    "placement",
    "training_kind",
    "mode",
    "category",  # orientations to a service (directory): coverage category, origin, refusal reason
    "origin",
    "sent_on",
    "refusal",
]
COLUMNS = [
    "seq",
    "person",
    "kind",
    "occurred_at",
    "date",
    "source",
    "sex",
    "age_band",
    "unit",
    "commune",
    *DATA_COLUMNS,
]


def pseudonym_key() -> bytes:
    return (os.environ.get("PARCOURS_PSEUDONYM_KEY") or settings.SECRET_KEY).encode()


def pseudonym(person_id: int, key: bytes | None = None) -> str:
    """Stable pseudonym of a person: the same id and key always give the same 16 hex digits."""
    return hmac.new(key or pseudonym_key(), str(person_id).encode(), hashlib.sha256).hexdigest()[:16]


def object_pseudonym(kind: str, pk: int | None, key: bytes) -> str:
    """Stable pseudonym of an object of another stream (a contact, a tray item, an aid
    application): HMAC of « kind:pk » with the same key as the persons' (empty for None)."""
    if pk is None:
        return ""
    return hmac.new(key, f"{kind}:{pk}".encode(), hashlib.sha256).hexdigest()[:16]


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    low, high = day_bounds(start, end)
    return low.astimezone(datetime.UTC), high.astimezone(datetime.UTC)


def rows(start: datetime.date, end: datetime.date) -> dict[str, list]:
    """The export as columns (name → list of values), sorted by instant then pseudonym."""
    low, high = _bounds(start, end)
    if connection.vendor == "postgresql":
        epoch, data = "CAST(EXTRACT(EPOCH FROM e.occurred_at) AS BIGINT)", "CAST(e.data AS TEXT)"
        birth = "(p.birth_date - DATE '1970-01-01')"
    else:
        epoch, data = "CAST(strftime('%%s', e.occurred_at) AS INTEGER)", "e.data"
        birth = "CAST(julianday(p.birth_date) - 2440587.5 AS INTEGER)"
    sql = (
        f"SELECT e.person_id, e.kind, {epoch}, e.source, {data}, p.sex, {birth}, "  # noqa: S608
        "COALESCE(u.code, ''), COALESCE(c.insee_code, '') "
        "FROM people_personevent e JOIN people_person p ON p.id = e.person_id "
        "LEFT JOIN territory_commune c ON c.id = p.commune_id "
        "LEFT JOIN territory_territorialunit u ON u.id = c.unit_id "
        "WHERE e.occurred_at >= %s AND e.occurred_at < %s ORDER BY e.occurred_at, e.id"
    )
    with connection.cursor() as cursor:
        adapt = connection.ops.adapt_datetimefield_value
        cursor.execute(sql, [adapt(low), adapt(high)])
        fetched = cursor.fetchall()
        cursor.execute("SELECT id, code FROM territory_site")
        site_codes = {str(pk): code for pk, code in cursor.fetchall()}
    seconds = np.array([row[2] for row in fetched], dtype=np.int64)
    days = paris_days(seconds)
    births = np.array([row[6] if row[6] is not None else -(10**6) for row in fetched], dtype=np.int64)
    key = pseudonym_key()
    names: dict[int, str] = {}
    columns: dict[str, list] = {name: [] for name in COLUMNS}
    bands = age_bands(births, days).tolist() if len(fetched) else []
    for position, (person_id, kind, instant, source, raw, sex, _birth, unit, commune) in enumerate(fetched):
        if person_id not in names:
            names[person_id] = pseudonym(person_id, key)
        moment = datetime.datetime.fromtimestamp(instant, PARIS)
        columns["seq"].append(position + 1)
        columns["person"].append(names[person_id])
        columns["kind"].append(kind)
        columns["occurred_at"].append(moment.isoformat())
        columns["date"].append(to_date(days[position]).isoformat())
        columns["source"].append(source)
        columns["sex"].append(sex or "")
        columns["age_band"].append(bands[position])
        columns["unit"].append(unit)
        columns["commune"].append(commune)
        values = (json.loads(raw) if isinstance(raw, str) else raw) or {}
        for name in DATA_COLUMNS:
            value = values.get(name)
            if name == "site" and value is not None:
                value = site_codes.get(str(value), "")
            elif name == "placement":
                value = value is not None and value != ""
            columns[name].append(
                "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            )
    return columns


def export_metadata(start: datetime.date, end: datetime.date) -> dict[str, str]:
    """What a Parquet export records about itself: its first and last days (`to` is the cut-off an
    auditor compares with `period.events_until` of a `stats` run) and when it was taken."""
    from django.utils import timezone

    return {
        "parcours.from": start.isoformat(),
        "parcours.to": end.isoformat(),
        "parcours.exported_at": timezone.localtime().isoformat(timespec="seconds"),
    }


def write(start: datetime.date, end: datetime.date, fmt: str, target: Path | io.TextIOBase) -> int:
    """Write the export as CSV or Parquet to `target` (a path, or a text stream for CSV). Returns the
    number of rows. CSV cells go through `core.spreadsheet_safety.neutralise`, Parquet values not."""
    columns = rows(start, end)
    return write_columns(columns, COLUMNS, fmt, target, export_metadata(start, end))


def write_columns(
    columns: dict[str, list],
    order: list[str],
    fmt: str,
    target: Path | io.TextIOBase,
    metadata: dict[str, str],
) -> int:
    """Write an event stream's `columns` (name → values, in `order`) as CSV or Parquet to `target`;
    returns the number of rows. `seq` is an integer column, `date` a date one (ISO text in), the
    others text; Parquet files carry `metadata` (the period and the time of the export). Shared by
    the streams of `parcours export-events` (persons' events, the front door's)."""
    count = len(columns[order[0]])
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        arrays = {
            name: pa.array(columns[name], type=pa.int64() if name == "seq" else pa.string()) for name in order
        }
        arrays["date"] = pa.array([datetime.date.fromisoformat(v) for v in columns["date"]], type=pa.date32())
        pq.write_table(pa.table(arrays).replace_schema_metadata(metadata), target)
        return count
    if fmt != "csv":
        raise ValueError(f"Format inconnu : {fmt} (csv ou parquet).")
    stream = open(target, "w", newline="", encoding="utf-8") if isinstance(target, Path) else target  # noqa: SIM115
    try:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(order)
        writer.writerows(map(neutralised, zip(*(columns[name] for name in order), strict=True)))
    finally:
        if isinstance(target, Path):
            stream.close()
    return count
