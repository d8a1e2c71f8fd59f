"""A synthetic, seed-calibrated pathway history of one département-year (`parcours generate-history`).

The history is a set of dated `people.PersonEvent` rows (source `historique-demo`) drawn from
distributions chosen so that, at scale 1.0, the indicators computed by `stats.compute` over the
year come out near the Nord's 2019 figures: about 16,686 new entrants received at a first
orientation interview, with a mean delay of about 18 days from the rights opening, 2,748 persons
entering coaching and 709 of them in a job or a training within 3 months. Those figures are never
written anywhere: they come out of the events through the real indicator code.

Two populations are drawn:

- **entrants** of the year: request, rights opening and duties, then invitation, booking (or an
  expired invitation and a convocation), the first orientation interview after a gamma-distributed
  delay, the orientation, the référent and most often a contract; a tenth are never received
  (absent, or their right closes first);
- the **stock** of persons already soumis à droits et devoirs on 1 January (opened 1 to 6 years
  before), with their past orientation and contracts, and the year's suspensions, closures,
  departures, reorientations, follow-up appointments, contract renewals, coaching entries and the
  jobs and trainings that follow.

Persons: adults of the demo population (`parcours generate`) that have no event yet are reused;
the rest are created with minimal records (listed in `HistoryPerson`, replaced on the next run).
Events are written with bulk SQL (COPY on PostgreSQL), bypassing model signals.
"""

from __future__ import annotations

import datetime
import io
import json
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from parcours.indicators import events as ev
from parcours.indicators.eventlog import day_number, paris_transitions
from parcours.indicators.models import HistoryPerson
from parcours.people.models import Person, PersonEvent
from parcours.territory.models import Commune, Departement, Site

SOURCE = "historique-demo"
DAY = 86400


@dataclass(frozen=True)
class Calibration:
    """Distribution parameters at scale 1.0 for one year (persons are scaled, shares are not)."""

    entrants: int = 18_540  # persons entering droits et devoirs during the year
    received_share: float = 0.9  # of entrants, reach a first orientation interview
    delay_mean_days: float = 18.0  # rights opening → first honoured interview (gamma)
    delay_shape: float = 2.4
    convocation_share: float = 0.15  # of received entrants with a delay of 12 days or more
    stock: int = 76_000  # persons soumis à droits et devoirs on 1 January
    coached: int = 2_748  # stock persons entering coaching during the year
    outcome_share: float = 0.258  # of coached: job or training within 3 months
    job_share_of_outcomes: float = 0.75


ORIENTATIONS = [
    # (orientation, organism, weight)
    ("professionnelle", "france_travail", 0.44),
    ("professionnelle", "mdie_coaching", 0.11),
    ("socio_professionnelle", "mdie_coaching", 0.10),
    ("socio_professionnelle", "association", 0.06),
    ("socio_professionnelle", "service_social", 0.04),
    ("sociale", "service_social", 0.17),
    ("sociale", "ccas", 0.05),
    ("sociale", "association", 0.03),
]
JOB_TYPES = [
    ("cdd", 0.38),
    ("interim", 0.22),
    ("cdi", 0.14),
    ("iae", 0.16),
    ("alternance", 0.05),
    ("creation", 0.05),
]
FIRST_NAMES = {
    "F": ["Camille", "Léa", "Sarah", "Nadia", "Julie", "Inès"],
    "M": ["Lucas", "Karim", "Thomas", "Yanis", "Paul", "Kevin"],
}


@dataclass
class HistoryOutcome:
    persons: int
    created_persons: int
    events: int
    removed_events: int


@dataclass
class _Events:
    """Columns of the events to write: person id, kind, local day, local second of the day, data."""

    rng: np.random.Generator
    person: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    day: list[int] = field(default_factory=list)
    second: list[int] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    _times: np.ndarray | None = None

    def add(self, person: int, kind: str, day: int, data: str = "{}", *, timed: bool = True) -> None:
        if self._times is None:
            # Office hours, 09:00 to 17:00, drawn once and cycled.
            self._times = (9 * 3600 + self.rng.integers(0, 8 * 3600, 4099)).tolist()
        self.person.append(person)
        self.kind.append(kind)
        self.day.append(day)
        self.second.append(self._times[len(self.person) % 4099] if timed else 0)
        self.data.append(data)

    def __len__(self) -> int:
        return len(self.person)


def _data(**values) -> str:
    return json.dumps(values, separators=(",", ":"))


def _iso(day: int) -> str:
    return (datetime.date(1970, 1, 1) + datetime.timedelta(days=int(day))).isoformat()


def _add_months(day: int, months: int) -> int:
    date = datetime.date(1970, 1, 1) + datetime.timedelta(days=int(day))
    index = date.month - 1 + months
    year, month = date.year + index // 12, index % 12 + 1
    for candidate in (date.day, 30, 29, 28):
        try:
            return day_number(datetime.date(year, month, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def generate_history(
    code: str, year: int, seed: int, scale: float, calibration: Calibration | None = None
) -> HistoryOutcome:
    """Replace the département's synthetic history with a new one for `year`. Raises
    Departement.DoesNotExist / ValueError with a message when the territory is not loaded."""
    calibration = calibration or Calibration()
    departement = Departement.objects.filter(code=code).first()
    if departement is None or not Commune.objects.filter(departement=departement).exists():
        raise ValueError(
            f"Le territoire du département {code} n'est pas chargé : lancez d'abord "
            f"« parcours load-territory --departement {code} »."
        )
    rng = np.random.default_rng(seed)
    n_entrants = round(calibration.entrants * scale)
    n_stock = round(calibration.stock * scale)
    with transaction.atomic():
        removed = remove_history(departement)
        persons, created = _persons(departement, n_entrants + n_stock, rng)
        rng.shuffle(persons)
        sites = _sites_by_person(departement, persons)
        out = _Events(rng)
        year_start = day_number(datetime.date(year, 1, 1))
        year_days = day_number(datetime.date(year + 1, 1, 1)) - year_start
        _entrants(out, rng, calibration, persons[:n_entrants], sites, year_start, year_days)
        _stock(out, rng, calibration, persons[n_entrants:], sites, year_start, year_days, scale)
        _write(out)
    return HistoryOutcome(len(persons), created, len(out), removed)


def remove_history(departement: Departement) -> int:
    """Delete the synthetic events and the persons created for them. Returns the events deleted."""
    events = PersonEvent.objects.filter(source=SOURCE)
    for relation in PersonEvent._meta.related_objects:
        # Rows of other apps pointing at an event (e.g. a follow-up opened from it) keep living.
        if relation.on_delete.__name__ == "SET_NULL":
            relation.related_model.objects.filter(**{f"{relation.field.name}__source": SOURCE}).update(
                **{relation.field.name: None}
            )
    # One DELETE statement: Django's collector would load every row first (a million at scale 1).
    removed = events._raw_delete(events.db)
    person_ids = list(
        HistoryPerson.objects.filter(departement=departement).values_list("person_id", flat=True)
    )
    for start in range(0, len(person_ids), 2000):
        Person.objects.filter(pk__in=person_ids[start : start + 2000]).delete()
    return removed


def _persons(departement: Departement, count: int, rng: np.random.Generator) -> tuple[list[int], int]:
    """Ids of `count` persons: demo adults without events first, then minimal new persons."""
    reusable = (
        Person.objects.filter(
            demo_generation__isnull=False,
            commune__departement=departement,
            memberships__role__in=["demandeur", "conjoint"],
        )
        .exclude(Exists(PersonEvent.objects.filter(person=OuterRef("pk"))))
        .order_by("id")
        .values_list("id", flat=True)
        .distinct()
    )
    ids = list(reusable[:count])
    missing = count - len(ids)
    if missing <= 0:
        return ids, 0
    communes = list(
        Commune.objects.filter(departement=departement).values_list("id", "population", "postal_codes")
    )
    weights = np.array([max(population, 1) for _, population, _ in communes], dtype=float)
    chosen = rng.choice(len(communes), size=missing, p=weights / weights.sum())
    sexes = rng.choice(["F", "M"], size=missing, p=[0.55, 0.45])
    ages = rng.integers(18, 64, size=missing)
    today = timezone.localdate()
    new = []
    for number in range(missing):
        sex = str(sexes[number])
        commune_id, _, postal = communes[int(chosen[number])]
        first = FIRST_NAMES[sex][number % 6]
        person = Person(
            civility="MME" if sex == "F" else "M",
            sex=sex,
            last_name="Historique",
            first_names=first,
            birth_date=today.replace(year=today.year - int(ages[number]), day=1 + number % 28),
            commune_id=commune_id,
            postal_code=(postal.split() or [""])[0],
        )
        person.search_names = person.compute_search_names()
        new.append(person)
    Person.objects.bulk_create(new, batch_size=2000)
    HistoryPerson.objects.bulk_create(
        [HistoryPerson(person=p, departement=departement) for p in new], batch_size=2000
    )
    return ids + [p.pk for p in new], missing


def _sites_by_person(departement: Departement, persons: list[int]) -> dict[int, list[str]]:
    """The candidate reception sites (ids as text) of each person: their unit's, else the département's."""
    by_unit: dict[int | None, list[str]] = {}
    for site_id, unit_id in Site.objects.filter(departement=departement).values_list("id", "unit_id"):
        by_unit.setdefault(unit_id, []).append(str(site_id))
    everywhere = [site for sites in by_unit.values() for site in sites] or [""]
    units = dict(Person.objects.filter(pk__in=persons).values_list("id", "commune__unit_id"))
    return {pid: by_unit.get(units.get(pid)) or everywhere for pid in persons}


def _orientation(rng_value: float) -> tuple[str, str]:
    total = 0.0
    for kind, organism, weight in ORIENTATIONS:
        total += weight
        if rng_value < total:
            return kind, organism
    return ORIENTATIONS[-1][:2]


def _pathway_start(out: _Events, pid: int, request: int, opening: int) -> None:
    out.add(pid, ev.RSA_REQUEST, request, _data(etat="0"), timed=False)
    out.add(pid, ev.RSA_ENTRY, opening, _data(etat="2", reouverture=False), timed=False)
    out.add(pid, ev.DUTIES_START, opening, _data(etat="2"), timed=False)


def _orientation_and_contract(
    out: _Events, rng: np.random.Generator, pid: int, day: int, site: str
) -> tuple[str, str, int]:
    kind, organism = _orientation(rng.random())
    out.add(pid, ev.ORIENTATION_DECIDED, day, _data(orientation=kind, organism=organism, reorientation=False))
    out.add(pid, ev.REFERENT_DESIGNATED, day + int(rng.integers(0, 11)), "{}")
    contract_end = -1
    if rng.random() < 0.82:
        start = day + int(rng.integers(5, 46))
        contract_end = _add_months(start, 12 if rng.random() < 0.6 else 6) - 1
        contract_kind = "ppae" if organism == "france_travail" else "cer"
        out.add(
            pid,
            ev.CONTRACT_SIGNED,
            start,
            _data(contract_kind=contract_kind, starts_on=_iso(start), ends_on=_iso(contract_end)),
        )
    return kind, organism, contract_end


def _entrants(out, rng, calibration, persons, sites, year_start, year_days) -> None:
    n = len(persons)
    received = np.zeros(n, dtype=bool)
    received[rng.permutation(n)[: round(n * calibration.received_share)]] = True
    openings = year_start + rng.integers(0, year_days, n)
    requests = openings - rng.integers(10, 50, n)
    shape = calibration.delay_shape
    delays = np.maximum(1, np.rint(rng.gamma(shape, calibration.delay_mean_days / shape, n))).astype(int)
    for i, pid in enumerate(persons):
        opening, site = int(openings[i]), rng.choice(sites[pid])
        _pathway_start(out, pid, int(requests[i]), opening)
        invited = opening + int(rng.integers(0, 3))
        if received[i]:
            interview = opening + int(delays[i])
            invited = min(invited, interview)
            if delays[i] >= 12 and rng.random() < calibration.convocation_share:
                out.add(pid, ev.INVITATION_SENT, opening, _data(site=site))
                out.add(pid, ev.INVITATION_EXPIRED, opening + 10)
                out.add(pid, ev.CONVOCATION_SENT, opening + 10, _data(site=site))
                out.add(pid, ev.APPOINTMENT_BOOKED, opening + 10, _data(site=site, channel="convocation"))
            else:
                out.add(pid, ev.INVITATION_SENT, invited, _data(site=site))
                booked = invited + int(rng.integers(0, interview - invited + 1))
                out.add(pid, ev.APPOINTMENT_BOOKED, booked, _data(site=site, channel="public"))
            out.add(pid, ev.APPOINTMENT_HONOURED, interview, _data(site=site))
            _orientation_and_contract(out, rng, pid, interview + int(rng.integers(0, 3)), site)
            continue
        out.add(pid, ev.INVITATION_SENT, invited, _data(site=site))
        fate = rng.random()
        if fate < 0.5:
            booked = invited + int(rng.integers(1, 8))
            out.add(pid, ev.APPOINTMENT_BOOKED, booked, _data(site=site, channel="public"))
            out.add(pid, ev.APPOINTMENT_ABSENT, booked + int(rng.integers(3, 15)), _data(site=site))
        elif fate < 0.8:
            out.add(pid, ev.INVITATION_EXPIRED, invited + 10)
            out.add(pid, ev.CONVOCATION_SENT, invited + 10, _data(site=site))
            out.add(pid, ev.APPOINTMENT_BOOKED, invited + 10, _data(site=site, channel="convocation"))
            out.add(pid, ev.APPOINTMENT_ABSENT, invited + 10 + int(rng.integers(5, 15)), _data(site=site))
        else:
            out.add(
                pid,
                ev.RSA_CLOSURE,
                opening + int(rng.integers(20, 90)),
                _data(etat="5", motif="ECH"),
                timed=False,
            )


def _stock(out, rng, calibration, persons, sites, year_start, year_days, scale) -> None:
    n = len(persons)
    openings = year_start - rng.integers(30, 6 * 365, n)
    fates = rng.random((n, 6))
    oriented_professionally: list[int] = []
    for i, pid in enumerate(persons):
        opening, site = int(openings[i]), rng.choice(sites[pid])
        _pathway_start(out, pid, opening - int(rng.integers(10, 50)), opening)
        invited = opening + int(rng.integers(0, 4))
        interview = opening + max(1, int(rng.gamma(2.0, 17.0)))
        out.add(pid, ev.INVITATION_SENT, invited, _data(site=site))
        out.add(
            pid,
            ev.APPOINTMENT_BOOKED,
            invited + int(rng.integers(0, max(1, interview - invited))),
            _data(site=site, channel="public"),
        )
        out.add(pid, ev.APPOINTMENT_HONOURED, interview, _data(site=site))
        kind, organism, contract_end = _orientation_and_contract(out, rng, pid, interview, site)
        # Renewals up to the end of the year (the history before the last two years is omitted).
        while contract_end >= 0 and contract_end < year_start + year_days - 1 and fates[i, 0] < 0.8:
            start = max(contract_end + 1, year_start - 730 + int(rng.integers(0, 365)))
            contract_end = _add_months(start, 12) - 1
            out.add(
                pid,
                ev.CONTRACT_SIGNED,
                start,
                _data(
                    contract_kind="ppae" if organism == "france_travail" else "cer",
                    starts_on=_iso(start),
                    ends_on=_iso(contract_end),
                ),
            )
            fates[i, 0] = rng.random()
        in_year = year_start + int(rng.integers(0, year_days))
        if fates[i, 1] < 0.12:
            out.add(pid, ev.RSA_CLOSURE, in_year, _data(etat="5", motif="RFD"), timed=False)
            continue
        if fates[i, 1] < 0.14:
            out.add(pid, ev.MOVED_OUT, in_year, _data(etat="5"), timed=False)
            continue
        if fates[i, 1] < 0.15:
            out.add(pid, ev.DUTIES_END, in_year, _data(etat="2"), timed=False)
            continue
        if fates[i, 2] < 0.10:
            out.add(pid, ev.RSA_SUSPENSION, in_year, _data(etat="3", motif="05", nature="droit"), timed=False)
            if fates[i, 3] < 0.7:
                out.add(
                    pid, ev.RSA_RESUMPTION, in_year + int(rng.integers(30, 120)), _data(etat="2"), timed=False
                )
            continue
        if fates[i, 4] < 0.04:
            new_kind = "sociale" if kind == "professionnelle" else "professionnelle"
            new_organism = "service_social" if new_kind == "sociale" else "france_travail"
            out.add(
                pid,
                ev.ORIENTATION_DECIDED,
                in_year,
                _data(orientation=new_kind, organism=new_organism, reorientation=True),
            )
            kind = new_kind
        if fates[i, 5] < 0.3:
            day = year_start + int(rng.integers(0, year_days))
            out.add(
                pid, ev.APPOINTMENT_BOOKED, day - int(rng.integers(3, 20)), _data(site=site, channel="agent")
            )
            outcome = ev.APPOINTMENT_HONOURED if rng.random() < 0.8 else ev.APPOINTMENT_ABSENT
            out.add(pid, outcome, day, _data(site=site))
        if kind != "sociale":
            oriented_professionally.append(pid)
    _coaching(out, rng, calibration, oriented_professionally, sites, year_start, year_days, scale)


def _coaching(out, rng, calibration, pool, sites, year_start, year_days, scale) -> None:
    count = min(round(calibration.coached * scale), len(pool))
    coached = [pool[i] for i in rng.permutation(len(pool))[:count]]
    outcomes = np.zeros(count, dtype=bool)
    outcomes[rng.permutation(count)[: round(count * calibration.outcome_share)]] = True
    job_types = [t for t, _ in JOB_TYPES]
    job_weights = np.array([w for _, w in JOB_TYPES])
    for i, pid in enumerate(coached):
        start = year_start + int(rng.integers(0, year_days))
        out.add(
            pid,
            ev.COACHING_START,
            start,
            _data(programme="coaching_emploi", site=str(rng.choice(sites[pid]))),
        )
        if outcomes[i]:
            # Within 3 months: 5 to 85 days after the start (3 calendar months are at least 89 days).
            day = start + int(rng.integers(5, 86))
        elif rng.random() < 0.25:
            day = start + int(rng.integers(100, 250))
        else:
            continue
        if not outcomes[i] or rng.random() < calibration.job_share_of_outcomes:
            contract_type = str(rng.choice(job_types, p=job_weights / job_weights.sum()))
            placement = f"historique-{pid}" if rng.random() < 0.3 else None
            out.add(
                pid,
                ev.JOB_START,
                day,
                _data(contract_type=contract_type, hours_per_week=35, placement=placement),
            )
        else:
            out.add(pid, ev.TRAINING_START, day, _data(training_kind="qualifiante"))


def _write(out: _Events) -> None:
    """Write the events in bulk: COPY on PostgreSQL, executemany on SQLite."""
    if not len(out):
        return
    days = np.array(out.day, dtype=np.int64)
    local = days * DAY + np.array(out.second, dtype=np.int64)
    instants = _utc(local)
    text = np.datetime_as_string(instants.astype("datetime64[s]"), unit="s")
    now = timezone.now().astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    # The typed copy of each event (PersonEvent.TYPED_COLUMNS), from the same values.
    typed = [
        ev.typed_values(kind, seconds, json.loads(data) if kind in ev.FACT_KEYS else {})
        for kind, seconds, data in zip(out.kind, instants.tolist(), out.data, strict=True)
    ]
    columns = (
        f"person_id, kind, occurred_at, recorded_at, source, data, {', '.join(PersonEvent.TYPED_COLUMNS)}"
    )
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        typed_text = ["\t".join(map(str, values)) for values in typed]
        for person, kind, moment, data, values in zip(
            out.person, out.kind, text.tolist(), out.data, typed_text, strict=True
        ):
            buffer.write(
                f"{person}\t{kind}\t{moment.replace('T', ' ')}+00\t{now}+00\t{SOURCE}\t{data}\t{values}\n"
            )
        buffer.seek(0)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY people_personevent ({columns}) FROM STDIN") as copy,
        ):
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
        return
    rows = [
        (person, kind, moment.replace("T", " "), now, SOURCE, data, *values)
        for person, kind, moment, data, values in zip(
            out.person, out.kind, text.tolist(), out.data, typed, strict=True
        )
    ]
    placeholders = ", ".join(["%s"] * (6 + len(PersonEvent.TYPED_COLUMNS)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 50_000):
            cursor.executemany(
                f"INSERT INTO people_personevent ({columns}) VALUES ({placeholders})",  # noqa: S608
                rows[start : start + 50_000],
            )


def _utc(local_seconds: np.ndarray) -> np.ndarray:
    """UTC Unix seconds of Paris wall-clock seconds (events are never placed in the night gap)."""
    first = int(local_seconds.min() // (365 * DAY)) + 1969
    last = int(local_seconds.max() // (365 * DAY)) + 1971
    instants, offsets = paris_transitions(first, last)
    offset = offsets[np.searchsorted(instants, local_seconds - 7200, side="right") - 1]
    return local_seconds - offset
