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

Two writers, on purpose:

- the **orientation** part (rights, invitations, appointments, orientations, contracts, closures
  of both populations) is written with bulk SQL (COPY on PostgreSQL), bypassing model signals:
  about a million events at scale 1.0, outside the scope of issue #13;
- the **accompaniment** part (coaching entries, weekly contacts, jobs, trainings, ends and
  exits: the kinds `accompagnement.*`, `emploi.debut`, `formation.debut`, `sortie`) is produced
  by calling `parcours.accompaniment.workflows` with past dates, after the bulk part is
  written (a start needs the honoured interview), so that the demo's figures and the real ones
  come from the same code. The coachings are followed by an inactive agent, "historique.coach"
  (`HISTORY_COACH`), which is how the next run finds and replaces them.
"""

from __future__ import annotations

import datetime
import io
import json
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from parcours.accompaniment import workflows
from parcours.accompaniment.models import (
    Accompaniment,
    AccompanimentReferent,
    Contact,
    ContactMode,
    EndReason,
    Exit,
    Outcome,
    Programme,
)
from parcours.accounts.models import Agent, Organisation, OrganisationKind, Role
from parcours.indicators import events as ev
from parcours.indicators.eventlog import day_number, paris_transitions
from parcours.indicators.models import HistoryPerson
from parcours.people.models import Follow, Person, PersonEvent
from parcours.territory.models import Commune, Departement, Site

SOURCE = "historique-demo"
DAY = 86400
HISTORY_COACH = "historique.coach"  # the inactive agent who follows the history's coachings
CONTACT_SHARE = 0.85  # of coaching weeks with a contact (the others are missed)
CONTACT_MODES = [
    (ContactMode.INTERVIEW, 0.5),
    (ContactMode.PHONE, 0.35),
    (ContactMode.WORKSHOP, 0.1),
    (ContactMode.COMPANY_VISIT, 0.05),
]
DROP_OUT_SHARE = 0.1  # of coachings without an outcome, ended early (abandon)


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
        pool = _stock(out, rng, calibration, persons[n_entrants:], sites, year_start, year_days)
        _service_orientations(out, seed, persons, year_start, year_days)
        _write(out)
        coach = history_coach(departement)
        written = _coaching(coach, rng, calibration, pool, sites, year_start, year_days, scale)
    return HistoryOutcome(len(persons), created, len(out) + written, removed)


def history_coach(departement: Departement) -> Agent:
    """The inactive agent (no password, cannot log in) who followed the history's coachings, of
    the département's own organisation."""
    organisation = Organisation.objects.filter(
        departement=departement, kind=OrganisationKind.DEPARTEMENT
    ).order_by("id").first() or Organisation.objects.create(
        departement=departement, kind=OrganisationKind.DEPARTEMENT, name=f"Département — {departement.name}"
    )
    agent, created = Agent.objects.get_or_create(
        username=HISTORY_COACH,
        defaults={
            "first_name": "Coach",
            "last_name": "Historique",
            "organisation": organisation,
            "role": Role.COACH_EMPLOI,
            "is_active": False,
        },
    )
    if created:
        agent.set_unusable_password()
        agent.save(update_fields=["password"])
    return agent


def _remove_coachings() -> int:
    """Delete what the workflows wrote for the history's coachings (found through the history's
    coach): contacts, accompaniments, référents and their follows, outcomes, exits, and the
    persons' accompaniment events. Returns the events deleted."""
    person_ids = list(
        AccompanimentReferent.objects.filter(agent__username=HISTORY_COACH)
        .values_list("accompaniment__person_id", flat=True)
        .distinct()
    )
    removed = 0
    for start in range(0, len(person_ids), 2000):
        chunk = person_ids[start : start + 2000]
        events = PersonEvent.objects.filter(person_id__in=chunk, source=workflows.SOURCE)
        removed += events._raw_delete(events.db)
        for model in (Outcome, Exit):
            rows = model.objects.filter(person_id__in=chunk)
            rows._raw_delete(rows.db)
        contacts = Contact.objects.filter(accompaniment__person_id__in=chunk)
        contacts._raw_delete(contacts.db)
        referents = AccompanimentReferent.objects.filter(accompaniment__person_id__in=chunk)
        follows = list(referents.values_list("follow_id", flat=True))
        referents._raw_delete(referents.db)
        Follow.objects.filter(pk__in=[pk for pk in follows if pk]).delete()
        accompaniments = Accompaniment.objects.filter(person_id__in=chunk)
        accompaniments._raw_delete(accompaniments.db)
    return removed


def remove_history(departement: Departement) -> int:
    """Delete the synthetic events and the persons created for them. Returns the events deleted."""
    coaching_events = _remove_coachings()
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
    return removed + coaching_events


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


def _stock(out, rng, calibration, persons, sites, year_start, year_days) -> list[tuple[int, int]]:
    """The stock's bulk events; returns the persons oriented towards work still here at the end
    of the year (the coaching pool), with the day of their first interview."""
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
            oriented_professionally.append((pid, interview))
    return oriented_professionally


def _date(day: int) -> datetime.date:
    return datetime.date(1970, 1, 1) + datetime.timedelta(days=int(day))


def _weekly_contacts(
    rng: np.random.Generator, start: int, last: int, modes: list[str], weights: np.ndarray
) -> list[tuple[datetime.date, str]]:
    """One contact in most weeks from the start to `last` (both included), on a weekday of the
    week inside that span; CONTACT_SHARE of the weeks have one, the others are missed."""
    contacts = []
    monday = start - (start + 3) % 7
    while monday <= last:
        days = list(range(max(monday, start), min(monday + 5, last + 1)))
        if days and rng.random() < CONTACT_SHARE:
            day = days[int(rng.integers(0, len(days)))]
            contacts.append((_date(day), str(rng.choice(modes, p=weights))))
        monday += 7
    return contacts


def _coaching(coach, rng, calibration, pool, sites, year_start, year_days, scale) -> int:
    """The coachings of the year, through `accompaniment.workflows`: start, weekly contacts
    (`log_contacts`), then a job or a training within 3 months and the end that goes with it
    (an exit), or the end of the programme at 3 months (a tenth drop out earlier), and for a
    quarter of the others a job 100 to 250 days after the start. Returns the events written."""
    # A coaching starts after the first interview (`workflows.start_refusal`).
    pool = [(pid, seen) for pid, seen in pool if seen < year_start + year_days - 1]
    count = min(round(calibration.coached * scale), len(pool))
    chosen = [pool[i] for i in rng.permutation(len(pool))[:count]]
    coached = [pid for pid, _ in chosen]
    outcomes = np.zeros(count, dtype=bool)
    outcomes[rng.permutation(count)[: round(count * calibration.outcome_share)]] = True
    job_types = [t for t, _ in JOB_TYPES]
    job_weights = np.array([w for _, w in JOB_TYPES])
    modes = [str(mode) for mode, _ in CONTACT_MODES]
    mode_weights = np.array([w for _, w in CONTACT_MODES])
    site_objects = {
        str(site.pk): site for site in Site.objects.filter(pk__in={int(s) for s in _site_ids(sites, coached)})
    }
    persons = Person.objects.in_bulk(coached)
    before = PersonEvent.objects.filter(source=workflows.SOURCE).count()
    today = day_number(timezone.localdate())
    for i, (pid, seen) in enumerate(chosen):
        person = persons[pid]
        first = max(year_start, seen + 1)
        start = first + int(rng.integers(0, year_start + year_days - first))
        if start > today:  # a history of the current year stops today
            continue
        site = site_objects.get(str(rng.choice(sites[pid])))
        try:
            accompaniment = workflows.start(
                person, Programme.COACHING, referents=[coach], on=_date(start), by=None, site=site
            )
        except ValidationError:  # e.g. the person left the département: the product refuses, so does the demo
            continue
        planned_end = day_number(accompaniment.planned_end_on)
        outcome_day = later_job = None
        if outcomes[i]:
            # Within 3 months: 5 to 85 days after the start (3 calendar months are at least 89 days).
            outcome_day = start + int(rng.integers(5, 86))
            end_day, reason = outcome_day, None
        elif rng.random() < DROP_OUT_SHARE:
            end_day, reason = start + int(rng.integers(14, 60)), EndReason.DROPPED_OUT
        else:
            end_day, reason = planned_end, EndReason.PROGRAMME_OVER
        if not outcomes[i] and rng.random() < 0.25:
            later_job = start + int(rng.integers(100, 250))
        if end_day > today:  # still open today: contacts up to today, no end nor outcome yet
            contacts = _weekly_contacts(rng, start, today, modes, mode_weights)
            workflows.log_contacts(accompaniment, contacts, by=None)
            continue
        workflows.log_contacts(
            accompaniment, _weekly_contacts(rng, start, end_day, modes, mode_weights), by=None
        )
        if outcome_day is not None:
            if rng.random() < calibration.job_share_of_outcomes:
                _job(person, outcome_day, rng, job_types, job_weights)
                reason = EndReason.JOB
            else:
                workflows.record_training(
                    person,
                    started_on=_date(outcome_day),
                    ended_on=_date(outcome_day + int(rng.integers(30, 180))),
                    organism="Organisme de formation (historique)",
                    title="Formation qualifiante",
                    qualifying=True,
                    by=None,
                )
                reason = EndReason.TRAINING
        workflows.end(accompaniment, on=_date(end_day), reason=reason, by=None)
        if later_job is not None and later_job <= today:
            _job(person, later_job, rng, job_types, job_weights)
    return PersonEvent.objects.filter(source=workflows.SOURCE).count() - before


def _site_ids(sites: dict[int, list[str]], persons: list[int]) -> set[str]:
    return {site for pid in persons for site in sites[pid] if site}


def _job(person, day: int, rng, job_types, job_weights) -> None:
    workflows.record_job(
        person,
        started_on=_date(day),
        contract_type=str(rng.choice(job_types, p=job_weights / job_weights.sum())),
        hours_per_week=35 if rng.random() < 0.7 else int(rng.integers(15, 35)),
        sector="",
        by=None,
    )


# Orientations to services of the directory (`orientation_service.*`): events only, so that the
# indicators of the demo show them (the product's rows and events come from `directory.orientations`).
SERVICE_ORIENTATION_SHARE = 0.06
SERVICE_ANSWERS = (("validee", 0.6), ("refusee", 0.25), ("expiree", 0.15))


def _service_orientations(
    out: _Events, seed: int, persons: list[int], year_start: int, year_days: int
) -> None:
    """About 6 % of the persons oriented to a service during the year, each answered 1 to 20 days
    later (validated, refused) or expired after 30 days. Its own random stream: the figures
    calibrated above do not move."""
    from parcours.people import event_kinds as kinds

    rng = np.random.default_rng([seed, 15])
    chosen = [pid for pid in persons if rng.random() < SERVICE_ORIENTATION_SHARE]
    categories, origins = list(kinds.SERVICE_CATEGORIES), list(kinds.SERVICE_ORIENTATION_ORIGINS)
    refusals = list(kinds.SERVICE_REFUSAL_REASONS)
    answers, weights = zip(*SERVICE_ANSWERS, strict=True)
    for pid in chosen:
        sent = year_start + int(rng.integers(0, max(year_days - 45, 1)))
        category = str(rng.choice(categories))
        out.add(
            pid, ev.SERVICE_ORIENTATION_SENT, sent, _data(category=category, origin=str(rng.choice(origins)))
        )
        answer = str(rng.choice(answers, p=weights))
        if answer == "expiree":
            out.add(
                pid, ev.SERVICE_ORIENTATION_EXPIRED, sent + 30, _data(category=category, sent_on=_iso(sent))
            )
            continue
        day = sent + int(rng.integers(1, 21))
        if answer == "validee":
            out.add(pid, ev.SERVICE_ORIENTATION_VALIDATED, day, _data(category=category, sent_on=_iso(sent)))
        else:
            refusal = str(rng.choice(refusals))
            data = _data(category=category, sent_on=_iso(sent), refusal=refusal)
            out.add(pid, ev.SERVICE_ORIENTATION_REFUSED, day, data)


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
