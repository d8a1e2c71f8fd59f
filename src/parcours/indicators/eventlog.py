"""Loading the event log into numpy arrays, in one scan of integers.

The indicators never loop over ORM objects nor parse JSON: one query reads, for every event, the
integer columns of `people.PersonEvent` that type what they use (person, kind number, instant in
Unix seconds, id and three `data` values, see `events.typed_values`), each column aggregated by the
database into one text that numpy parses; one more reads the persons' attributes. Instants are
turned into Europe/Paris calendar days with the zone's transitions, so that an event at 00:30 on
1 January, Paris time, falls on 1 January even though it is 31 December in UTC.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection

from parcours.indicators import events as ev

PARIS = ZoneInfo("Europe/Paris")
EPOCH = datetime.date(1970, 1, 1)


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
    "seul_avec_enfants": "Personne seule avec enfants",
    "couple_sans_enfant": "Couple sans enfant",
    "couple_avec_enfants": "Couple avec enfants",
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


# The SQL below is assembled from constants of this module only (column names); the only values
# that come from callers are bound parameters or integers.
COLUMNS = ("person_id", "kind_code", "occurred_epoch", "id", "value_1", "value_2", "value_3")
NOT_TYPED = -1  # `kind_code` of an event whose writer left the typed columns to their defaults


@dataclass
class _Scan:
    """The events table as read: the indicators' events sorted by (person, instant, id), as columns."""

    person: np.ndarray
    kind: np.ndarray
    seconds: np.ndarray
    day: np.ndarray
    values: tuple[np.ndarray, np.ndarray, np.ndarray]  # value_1…value_3
    signature: tuple[int, int, str]  # (rows, last id, recorded_at of the last id)


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


def _aggregated(expression: str, where: str = "") -> str:
    """SQL aggregating a column of integers or comma-free texts (of the rows matching `where`)
    into one comma-separated text."""
    if connection.vendor == "postgresql":
        aggregate = f"string_agg(CAST({expression} AS TEXT), ',')"
    else:
        aggregate = f"group_concat({expression}, ',')"
    return f"{aggregate} FILTER (WHERE {where})" if where else aggregate


# The kinds that use each value column: the other rows hold 0 there, and are not sent.
_VALUE_KINDS = [
    [ev.KIND_CODES[kind] for kind, keys in ev.FACT_KEYS.items() if len(keys) > position]
    for position in range(3)
]


def _fetch(after_id: int) -> list[np.ndarray]:
    """COLUMNS of the events with an id above `after_id`, in one scan: each column aggregated into
    one text by the database and parsed by numpy, with no Python object per row (fetching rows
    costs several times more). The columns are NOT NULL: aggregates skip NULLs, which would
    misalign them. The rows come in the table's order (id order in practice, not guaranteed)."""
    aggregates = [_aggregated(column) for column in COLUMNS[:4]] + [
        _aggregated(f"value_{position + 1}", f"kind_code IN ({', '.join(map(str, kinds))})")
        for position, kinds in enumerate(_VALUE_KINDS)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(aggregates)} FROM people_personevent WHERE id > %s", [after_id])  # noqa: S608
        texts = cursor.fetchone()
    if texts[0] is None:
        return [np.zeros(0, dtype=np.int64) for _ in COLUMNS]
    columns = _integers(texts[:4])
    for text, kinds in zip(texts[4:], _VALUE_KINDS, strict=True):
        values = np.zeros(len(columns[0]), dtype=np.int64)
        if text is not None:
            values[np.isin(columns[1], kinds)] = _integers([text])[0]
        columns.append(values)
    return columns


def _integers(texts: Sequence[str]) -> list[np.ndarray]:
    """Comma-separated integers as arrays of one length (numpy stops at a text it cannot read,
    which would misalign the columns: checked against the count of commas)."""
    columns = [np.fromstring(text, dtype=np.int64, sep=",") for text in texts]
    if {len(column) for column in columns} != {texts[0].count(",") + 1}:
        raise RuntimeError("Journal des événements illisible : colonnes de longueurs différentes.")
    return columns


def _typed_afresh(after_id: int, last_id: int) -> list[np.ndarray]:
    """COLUMNS of the events whose typed columns were left to their defaults, derived from kind,
    occurred_at and data as the writers would have (`events.typed_values`)."""
    from parcours.people.models import PersonEvent

    found = (
        PersonEvent.objects.filter(kind_code=NOT_TYPED, id__gt=after_id, id__lte=last_id)
        .order_by()
        .values_list("person_id", "id", "kind", "occurred_at", "data")
    )
    rows = [
        (person_id, typed[0], typed[1], event_id, *typed[2:])
        for person_id, event_id, kind, moment, data in found.iterator(chunk_size=5000)
        for typed in [PersonEvent.typed_values(kind, moment, data)]
    ]
    table = np.array(rows, dtype=np.int64).reshape(-1, len(COLUMNS))
    return [table[:, position] for position in range(len(COLUMNS))]


def _read(after_id: int) -> tuple[list[np.ndarray], int, int]:
    """COLUMNS (without `id`) of the events with an id above `after_id`, in id order, the kinds
    the indicators do not read dropped; the number of rows read and their greatest id."""
    # Kinds are filtered in numpy, not in SQL: with a WHERE on the kind, SQLite walks an index and
    # fetches each row at random, three times slower than a plain scan.
    columns = _fetch(after_id)
    rows = len(columns[0])
    last = int(columns[3].max()) if rows else after_id
    not_typed = columns[1] == NOT_TYPED
    if not_typed.any():
        columns = [
            np.concatenate([mine[~not_typed], afresh])
            for mine, afresh in zip(columns, _typed_afresh(after_id, last), strict=True)
        ]
    ids = columns[3]
    if len(ids) > 1 and not (ids[1:] > ids[:-1]).all():
        order = np.argsort(ids, kind="stable")
        columns = [column[order] for column in columns]
    kept = columns[1] > 0
    return [column[kept] for position, column in enumerate(columns) if position != 3], rows, last


def _sorted_scan(columns: list[np.ndarray], signature: tuple[int, int, str]) -> _Scan:
    """The scan of (person, kind, seconds, value_1…value_3) columns given in id order, sorted by
    (person, instant) with ties left in id order (stable sort)."""
    person, seconds = columns[0], columns[2]
    base = int(seconds.min()) if len(seconds) else 0
    if len(person) and person.min() >= 0 and person.max() < 2**32 and seconds.max() - base < 2**31:
        order = np.argsort((person << 31) | (seconds - base), kind="stable")  # one key: faster
    else:
        order = np.lexsort((seconds, person))
    person, kind, seconds, *values = (column[order] for column in columns)
    return _Scan(person, kind, seconds, paris_days(seconds), tuple(values), signature)


def _scan(cached: bool) -> _Scan:
    key = f"{connection.alias}:{connection.settings_dict['NAME']}"
    previous = _SCANS.get(key) if cached else None
    count, last = _count_and_last() if previous is not None else (0, 0)
    if previous is not None and previous.signature[:2] == (count, last):
        if _recorded_at(last) == previous.signature[2]:
            return previous
        previous = None
    scan = None
    # Only rows added since: read those, if the old last row is still the one we read. The old
    # rows go first, so that the stable sort keeps ties in id order.
    if (
        previous is not None
        and last > previous.signature[1]
        and _recorded_at(previous.signature[1]) == previous.signature[2]
    ):
        columns, rows, read_last = _read(previous.signature[1])
        if previous.signature[0] + rows == count and read_last == last:
            mine = [previous.person, previous.kind, previous.seconds, *previous.values]
            combined = [np.concatenate(pair) for pair in zip(mine, columns, strict=True)]
            scan = _sorted_scan(combined, (count, last, _recorded_at(last)))
    if scan is None:
        columns, rows, read_last = _read(0)
        scan = _sorted_scan(columns, (rows, read_last, _recorded_at(read_last)))
    if cached:
        with _SCANS_LOCK:
            _SCANS[key] = scan
    return scan


def _decoded(key: str, codes: np.ndarray) -> np.ndarray:
    """A typed `data` value back in the shape the indicators use: text for categories ("" when
    absent, "?" for a value outside the vocabulary), day numbers for dates (MISSING_DAY when absent
    or invalid), the site id (0 when absent, -1 when not an integer), a bool for `placement`."""
    if key in ev.VOCABULARIES:
        words = np.array(["", *ev.VOCABULARIES[key], "?"], dtype=object)  # OTHER_CODE = -1: the last
        return words[codes]
    if key == "placement":
        return codes != 0
    return codes


def load(unit_ids: list[int] | None = None, *, cached: bool = True) -> EventLog:
    """The event log (of the persons living in `unit_ids` when given), in memory: the indicators'
    events with the `data` values of the few kinds that carry some, and the persons' attributes
    (always read afresh: a person may have moved to another unit)."""
    scan = _scan(cached)
    starts = np.flatnonzero(np.diff(scan.person, prepend=-1))  # sorted: no np.unique needed
    persons = _load_persons(scan.person[starts])
    person, kind, day, values = scan.person, scan.kind, scan.day, scan.values
    if unit_ids is not None:
        living = np.isin(persons.unit, np.array(list(unit_ids), dtype=np.int64))
        persons = persons.subset(living)
        keep = np.isin(person, persons.id)
        person, kind, day = person[keep], kind[keep], day[keep]
        values = tuple(column[keep] for column in values)
    facts = {}
    for name, keys in ev.FACT_KEYS.items():
        positions = np.flatnonzero(kind == ev.KIND_CODES[name])
        facts[name] = Facts(
            person=person[positions],
            day=day[positions],
            values={key: _decoded(key, values[column][positions]) for column, key in enumerate(keys)},
        )
    return EventLog(person=person, kind=kind, day=day, facts=facts, persons=persons)


def _load_persons(person_ids: np.ndarray) -> Persons:
    """Attributes of every person with an event: birth day, sex, unit, commune, family situation.
    Each column comes aggregated into one text (no Python object per person)."""
    if connection.vendor == "postgresql":
        birth = "(p.birth_date - DATE '1970-01-01')"
    else:
        birth = "CAST(julianday(p.birth_date) - 2440587.5 AS INTEGER)"
    # Sexes and INSEE codes hold no comma.
    columns = ["p.id", f"COALESCE({birth}, -1000000)", "COALESCE(c.unit_id, -1)", "COALESCE(p.sex, '')"]
    columns.append("COALESCE(c.insee_code, '')")
    sql = (
        f"SELECT {', '.join(_aggregated(column) for column in columns)} "  # noqa: S608
        "FROM people_person p LEFT JOIN territory_commune c ON c.id = p.commune_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        texts = cursor.fetchone()
        cursor.execute("SELECT household_id, person_id, role FROM people_householdmember ORDER BY id")
        members = cursor.fetchall()
    if texts[0] is None:  # no person
        ids = birth_day = unit = np.zeros(0, dtype=np.int64)
        sex = commune = np.zeros(0, dtype=object)
    else:
        ids, birth_day, unit = _integers(texts[:3])
        sex, commune = (np.array(text.split(","), dtype=object) for text in texts[3:])
        if not len(ids) == len(sex) == len(commune):
            raise RuntimeError("Personnes illisibles : colonnes de longueurs différentes.")
    pick = np.argsort(ids)
    pick = pick[np.isin(ids[pick], person_ids)]
    ids = ids[pick]
    return Persons(
        id=ids,
        birth_day=birth_day[pick],
        sex=sex[pick],
        unit=unit[pick],
        commune=commune[pick],
        family=_families(ids, members),
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
