"""Loading the event log into numpy arrays, in a handful of queries.

The indicators never loop over ORM objects: one query reads (id, person, kind, instant) of every
event of the kinds they use, a few small queries read the `data` keys of the kinds that carry
values (orientation type, contract dates…), and one reads the persons' attributes. Instants are
read as Unix seconds (the databases do the parsing) and turned into Europe/Paris calendar days
with the zone's transitions, so that an event at 00:30 on 1 January, Paris time, falls on
1 January even though it is 31 December in UTC.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection

from parcours.indicators import events as ev

PARIS = ZoneInfo("Europe/Paris")
EPOCH = datetime.date(1970, 1, 1)
# Extra keys read from `data`, per kind, in this order.
DATA_KEYS: dict[str, tuple[str, ...]] = {
    ev.APPOINTMENT_BOOKED: ("channel",),
    ev.APPOINTMENT_HONOURED: ("site",),
    ev.ORIENTATION_DECIDED: ("orientation", "organism"),
    ev.CONTRACT_SIGNED: ("contract_kind", "starts_on", "ends_on"),
    ev.JOB_START: ("contract_type", "placement"),
}


def day_number(day: datetime.date) -> int:
    """Days since 1970-01-01 (the unit of every `day` array here)."""
    return (day - EPOCH).days


def to_date(number: int) -> datetime.date:
    return EPOCH + datetime.timedelta(days=int(number))


@lru_cache(maxsize=64)
def paris_transitions(first_year: int, last_year: int) -> tuple[np.ndarray, np.ndarray]:
    """UTC instants (s) where the Paris offset changes in [first_year, last_year], and the offsets (s)
    from each instant on. The first entry covers everything before the range."""
    start = datetime.datetime(first_year, 1, 1, tzinfo=datetime.UTC)
    instants, offsets = (
        [start.timestamp() - 10**11],
        [int(start.astimezone(PARIS).utcoffset().total_seconds())],
    )
    moment = start
    hour = datetime.timedelta(hours=1)
    end = datetime.datetime(last_year + 1, 1, 1, tzinfo=datetime.UTC)
    previous = offsets[0]
    while moment < end:
        # Day by day, then hour by hour inside a day where the offset changes.
        next_day = moment + datetime.timedelta(days=1)
        if int(next_day.astimezone(PARIS).utcoffset().total_seconds()) != previous:
            probe = moment
            while probe <= next_day:
                offset = int(probe.astimezone(PARIS).utcoffset().total_seconds())
                if offset != previous:
                    instants.append(probe.timestamp())
                    offsets.append(offset)
                    previous = offset
                    break
                probe += hour
        moment = next_day
    return np.array(instants, dtype=np.int64), np.array(offsets, dtype=np.int64)


def paris_days(seconds: np.ndarray) -> np.ndarray:
    """Europe/Paris calendar day (days since 1970-01-01) of each UTC instant given in Unix seconds."""
    seconds = np.asarray(seconds, dtype=np.int64)
    if not len(seconds):
        return np.zeros(0, dtype=np.int64)
    first = datetime.datetime.fromtimestamp(int(seconds.min()), datetime.UTC).year - 1
    last = datetime.datetime.fromtimestamp(int(seconds.max()), datetime.UTC).year + 1
    instants, offsets = paris_transitions(first, last)
    offset = offsets[np.searchsorted(instants, seconds, side="right") - 1]
    return (seconds + offset) // 86400


@dataclass
class Facts:
    """Events of one kind with their `data` values: arrays sorted by (person, day, id)."""

    person: np.ndarray
    day: np.ndarray
    values: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.person)


@dataclass
class Persons:
    """Attributes of the persons who have events (arrays aligned on `id`, sorted)."""

    id: np.ndarray
    birth_day: np.ndarray  # days since 1970-01-01
    sex: np.ndarray  # "F", "M" or ""
    unit: np.ndarray  # territorial unit id, -1 when unknown
    commune: np.ndarray  # INSEE code, "" when unknown
    family: np.ndarray  # family situation key (see FAMILY_SITUATIONS)

    def index_of(self, person_ids: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.id, person_ids)

    def subset(self, mask: np.ndarray) -> Persons:
        return Persons(
            id=self.id[mask],
            birth_day=self.birth_day[mask],
            sex=self.sex[mask],
            unit=self.unit[mask],
            commune=self.commune[mask],
            family=self.family[mask],
        )


FAMILY_SITUATIONS = {
    "seul_sans_enfant": "Personne seule sans enfant",
    "seul_avec_enfants": "Personne seule avec enfant(s)",
    "couple_sans_enfant": "Couple sans enfant",
    "couple_avec_enfants": "Couple avec enfant(s)",
    "inconnue": "Situation non renseignée",
}


@dataclass
class EventLog:
    """Every event the indicators read, sorted by (person, day, id); `kind` holds `events.KIND_CODES`."""

    person: np.ndarray
    kind: np.ndarray
    day: np.ndarray
    facts: dict[str, Facts]
    persons: Persons

    def __len__(self) -> int:
        return len(self.person)


def _epoch_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT)"
    # julianday() is SQLite's fastest date parser; rounding keeps midnight on the right side.
    return f"CAST(ROUND((julianday({column}) - 2440587.5) * 86400) AS INTEGER)"


def _json_sql(key: str) -> str:
    if connection.vendor == "postgresql":
        return f"(data ->> '{key}')"
    return f"json_extract(data, '$.{key}')"


def _value_columns() -> list[str]:
    """Up to three `data` values per event, chosen by kind (DATA_KEYS), as SQL expressions."""
    width = max(len(keys) for keys in DATA_KEYS.values())
    columns = []
    for position in range(width):
        branches = " ".join(
            f"WHEN '{kind}' THEN {_json_sql(keys[position])}"
            for kind, keys in DATA_KEYS.items()
            if position < len(keys)
        )
        columns.append(f"CASE kind {branches} END")
    return columns


# The SQL below is assembled from constants of this module only (kind codes, column names, JSON
# keys); the only values that come from callers are bound parameters.
@dataclass
class _Scan:
    """The events table as read: the indicators' events sorted by (person, instant, id)."""

    table: np.ndarray  # (person, kind, Unix seconds, id) rows
    day: np.ndarray
    values: _Values
    signature: tuple[int, int, str]  # (rows, last id, recorded_at of the last id)

    @property
    def person(self) -> np.ndarray:
        return self.table[:, 0]


# The last scan per database. The log is append-only (a correction is a new event; rows go away
# only with their person): when the rows, the last id and its recording time are unchanged, the
# scan is reused; when rows were only added, only those are read.
_SCANS: dict[str, _Scan] = {}
_SCANS_LOCK = threading.Lock()


def _count_and_last() -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), COALESCE(max(id), 0) FROM people_personevent")
        count, last = cursor.fetchone()
    return int(count), int(last)


def _recorded_at(event_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT recorded_at FROM people_personevent WHERE id = %s", [event_id])
        row = cursor.fetchone()
    return str(row[0]) if row else ""


def _read(after_id: int) -> tuple[np.ndarray, int, int, _Values]:
    """(person, kind, seconds, id) of the events with an id above `after_id` (kinds the indicators
    do not read dropped), the number of rows read and their greatest id, and their `data` values."""
    cases = " ".join(f"WHEN '{code}' THEN {number}" for code, number in ev.KIND_CODES.items())
    # Kinds are filtered in numpy, not in SQL: with a WHERE on `kind`, SQLite walks the kind index
    # and fetches each row at random, three times slower than a plain scan.
    sql = (
        f"SELECT person_id, COALESCE(CASE kind {cases} END, 0), {_epoch_sql('occurred_at')}, id "  # noqa: S608
        "FROM people_personevent WHERE id > %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [after_id])
        table = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 4)
    last = int(table[:, 3].max()) if len(table) else after_id
    return table[table[:, 1] > 0], len(table), last, _load_values(after_id, last)


def _sorted_scan(table: np.ndarray, values: _Values, signature: tuple[int, int, str]) -> _Scan:
    table = table[np.lexsort((table[:, 3], table[:, 2], table[:, 0]))]
    return _Scan(table, paris_days(table[:, 2]), values, signature)


def _scan(cached: bool) -> _Scan:
    key = f"{connection.alias}:{connection.settings_dict['NAME']}"
    count, last = _count_and_last()
    previous = _SCANS.get(key) if cached else None
    if previous is not None and previous.signature[:2] == (count, last):
        if _recorded_at(last) == previous.signature[2]:
            return previous
        previous = None
    scan = None
    # Only rows added since: read those, if the old last row is still the one we read.
    if (
        previous is not None
        and last > previous.signature[1]
        and _recorded_at(previous.signature[1]) == previous.signature[2]
    ):
        table, rows, read_last, values = _read(previous.signature[1])
        if previous.signature[0] + rows == count and read_last == last:
            combined = np.concatenate([previous.table, table])
            signature = (count, last, _recorded_at(last))
            scan = _sorted_scan(combined, previous.values.extended(values), signature)
    if scan is None:
        table, rows, read_last, values = _read(0)
        scan = _sorted_scan(table, values, (rows, read_last, _recorded_at(read_last)))
    if cached:
        with _SCANS_LOCK:
            _SCANS[key] = scan
    return scan


def load(unit_ids: list[int] | None = None, *, cached: bool = True) -> EventLog:
    """The event log (of the persons living in `unit_ids` when given), in memory: the indicators'
    events with the `data` values of the few kinds that carry some, and the persons' attributes
    (always read afresh: a person may have moved to another unit)."""
    scan = _scan(cached)
    persons = _load_persons(np.unique(scan.person))
    person, kind, day, ids = scan.table[:, 0], scan.table[:, 1], scan.day, scan.table[:, 3]
    if unit_ids is not None:
        living = np.isin(persons.unit, np.array(list(unit_ids), dtype=np.int64))
        persons = persons.subset(living)
        keep = np.isin(person, persons.id)
        person, kind, day, ids = person[keep], kind[keep], day[keep], ids[keep]
    facts = {}
    for name, keys in DATA_KEYS.items():
        positions = np.flatnonzero(kind == ev.KIND_CODES[name])
        facts[name] = Facts(
            person=person[positions],
            day=day[positions],
            values={key: scan.values.take(ids[positions], column) for column, key in enumerate(keys)},
        )
    return EventLog(person=person, kind=kind, day=day, facts=facts, persons=persons)


@dataclass
class _Values:
    ids: np.ndarray  # sorted event ids
    columns: list[np.ndarray]  # text values (empty when absent), aligned on `ids`

    def take(self, event_ids: np.ndarray, column: int) -> np.ndarray:
        return self.columns[column][np.searchsorted(self.ids, event_ids)]

    def extended(self, other: _Values) -> _Values:
        """These values followed by `other`'s (whose ids are all greater)."""
        return _Values(
            np.concatenate([self.ids, other.ids]),
            [
                np.concatenate([mine, theirs])
                for mine, theirs in zip(self.columns, other.columns, strict=True)
            ],
        )


def _text_column(values: list) -> np.ndarray:
    """Values as text, "" for NULL (the databases return JSON values as text or numbers)."""
    column = np.array(values, dtype=object)
    column[column == None] = ""  # noqa: E711 (element-wise comparison)
    return column.astype(str)


def _load_values(after_id: int, last_id: int) -> _Values:
    kinds = ", ".join(f"'{kind}'" for kind in DATA_KEYS)
    # "+kind" keeps SQLite from walking the kind index (see `_read`); PostgreSQL has no such operator.
    column = "kind" if connection.vendor == "postgresql" else "+kind"
    sql = (
        f"SELECT id, {', '.join(_value_columns())} FROM people_personevent "  # noqa: S608
        f"WHERE {column} IN ({kinds}) AND id > %s AND id <= %s ORDER BY id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [after_id, last_id])
        rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in range(4)]
    return _Values(
        ids=np.array(columns[0], dtype=np.int64), columns=[_text_column(list(c)) for c in columns[1:]]
    )


def _load_persons(person_ids: np.ndarray) -> Persons:
    """Attributes of every person with an event: birth day, sex, unit, commune, family situation."""
    if connection.vendor == "postgresql":
        birth = "(p.birth_date - DATE '1970-01-01')"
    else:
        birth = "CAST(julianday(p.birth_date) - 2440587.5 AS INTEGER)"
    sql = (
        f"SELECT p.id, {birth}, p.sex, COALESCE(c.unit_id, -1), COALESCE(c.insee_code, '') "  # noqa: S608
        "FROM people_person p LEFT JOIN territory_commune c ON c.id = p.commune_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
        cursor.execute("SELECT household_id, person_id, role FROM people_householdmember ORDER BY id")
        members = cursor.fetchall()
    rows.sort()
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    keep = np.isin(ids, person_ids)
    ids = ids[keep]
    pick = np.flatnonzero(keep)
    birth_day = np.array([rows[i][1] if rows[i][1] is not None else -(10**6) for i in pick], dtype=np.int64)
    sex = np.array([rows[i][2] or "" for i in pick], dtype=object)
    unit = np.array([rows[i][3] for i in pick], dtype=np.int64)
    commune = np.array([rows[i][4] for i in pick], dtype=object)
    return Persons(
        id=ids, birth_day=birth_day, sex=sex, unit=unit, commune=commune, family=_families(ids, members)
    )


def _families(ids: np.ndarray, members: list[tuple]) -> np.ndarray:
    """Family situation from the person's (last) household: couple when it has a demandeur and a
    conjoint, with children when it has a member of role `enfant`."""
    adults: dict[int, int] = {}
    children: dict[int, int] = {}
    household_of: dict[int, int] = {}
    for household_id, person_id, role in members:
        household_of[person_id] = household_id
        if role in ("demandeur", "conjoint"):
            adults[household_id] = adults.get(household_id, 0) + 1
        elif role == "enfant":
            children[household_id] = children.get(household_id, 0) + 1
    family = np.full(len(ids), "inconnue", dtype=object)
    for position, person_id in enumerate(ids.tolist()):
        household_id = household_of.get(person_id)
        if household_id is None:
            continue
        couple = adults.get(household_id, 0) >= 2
        with_children = children.get(household_id, 0) > 0
        family[position] = (
            f"{'couple' if couple else 'seul'}_{'avec_enfants' if with_children else 'sans_enfant'}"
        )
    return family
