"""The demo's current orientation situation: the last weeks replayed through the product's workflows.

`simulate_recent_weeks()` is what `parcours demo-orientation` runs (after `create-demo-agendas`,
before `generate-history`). It writes nothing of its own: every row comes from a workflow of the
product, called as it would be called on each of the last `weeks` weeks, at the instant it would
have run:

1. intake: one CNAF flux (`rsa.synthetic.write_flux`, imported by the real importer) makes single
   adults of the demo population soumis à droits et devoirs, their rights opened on days spread
   over the last weeks, plus a few new entrants whose flux names no commune (no site is near
   them: the demo's "no free slot" alerts, mailed to the managers);
2. every day at 06:30 the daily pipeline (`orientation.tasks`: follow-ups opened from the intake,
   invitations, reminders, expiries, convocations), and a chargé d'orientation convokes some of
   yesterday's absentees (`convoke_nearest`); during the day some invited persons book one of the
   slots their personal link offers (`appointments.invitations.offer_for`, `booking.book`); in the
   evening the chargé d'orientation of each appointment of the day records the attendance and
   decides most orientations of the persons received;
3. today's flux closes the rights of two persons still waiting for their interview (their
   follow-ups close);
4. the queued messages are delivered (mails in var/mails, SMS and letters in their folders).

The follow-ups of rights opened today are opened, and left "à inviter" for the cluster's next run.
The whole run is idempotent: when the département already has follow-ups it does nothing.
"""

from __future__ import annotations

import datetime
import random
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from parcours.accounts.models import Agent, Role
from parcours.appointments.agendas import generate_slots
from parcours.appointments.booking import BookingError, book, record_attendance
from parcours.appointments.invitations import (
    convoke_nearest,
    offer_for,
    plan_invitations,
    process_invitations,
)
from parcours.appointments.models import Booking, BookingChannel, Invitation, InvitationKind
from parcours.appointments.notifications import deliver_pending
from parcours.demo.generation import loaded_departement
from parcours.imports.runner import run_import
from parcours.orientation.decisions import decide_orientation
from parcours.orientation.followups import open_followups_from_events
from parcours.orientation.models import FollowUp
from parcours.orientation.status import Status, derive
from parcours.people.models import HouseholdMember, MemberRole, PersonEvent
from parcours.rsa.importer import CnafFluxSource
from parcours.rsa.synthetic import SyntheticDossier, SyntheticPerson, synthetic_nir, write_flux
from parcours.territory.models import Site, SiteKind

# Nord's ~18,500 new entrants a year (see indicators/history.py), per week at scale 1.0.
ENTRANTS_PER_WEEK = 356
WITHOUT_ADDRESS = 3  # new entrants whose flux names no commune: the demo's alerts
PIPELINE_TIME = datetime.time(6, 30)
BOOKING_CHANCE_PER_DAY = 0.3  # of an invited person booking through the link, each day
ATTENDANCE = (("honore", 0.72), ("absent", 0.18), ("excuse", 0.10))
ORIENTED_SHARE = 0.8  # of persons received, oriented on the day of the interview
CLOSED_RIGHTS = 2  # rights closed by yesterday's flux, before the interview
CONVOKED_ABSENTEES = 0.5  # of yesterday's absentees, convoked again by a chargé d'orientation
ORIENTATIONS = (
    ("professionnelle", "france_travail", 0.45),
    ("socio_professionnelle", "mdie_coaching", 0.3),
    ("sociale", "service_social", 0.25),
)


@dataclass
class RecentWeeksOutcome:
    created: bool
    entrants: int = 0
    followups: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    messages: dict[str, int] = field(default_factory=dict)


def simulate_recent_weeks(code: str, seed: int, scale: Decimal, *, weeks: int = 6) -> RecentWeeksOutcome:
    """Replay the last `weeks` weeks of orientation in département `code` (see the module
    docstring). Raises TerritoryNotLoaded if the territory is missing."""
    departement = loaded_departement(code)
    if FollowUp.objects.filter(departement=departement).exists():
        return RecentWeeksOutcome(created=False)
    rng = random.Random(seed)
    today = timezone.localdate()
    first_day = today - datetime.timedelta(weeks=weeks)
    sites = Site.objects.filter(departement=departement, kind=SiteKind.MDIE)
    generate_slots(first_day, today + datetime.timedelta(weeks=6), sites=sites)

    count = max(12, round(ENTRANTS_PER_WEEK * float(scale) * weeks))
    dossiers = _import_intake(departement, rng, count, first_day, today)
    day = first_day
    while day < today:
        _one_day(day, rng)
        day += datetime.timedelta(days=1)
    _close_some_rights(dossiers, rng, today)
    open_followups_from_events()  # today's entrants: "à inviter" until the cluster's next run
    messages = deliver_pending()
    followups = FollowUp.objects.filter(departement=departement).for_status_display()
    statuses: dict[str, int] = {}
    for followup in followups:
        status = derive(followup).status.label
        statuses[status] = statuses.get(status, 0) + 1
    return RecentWeeksOutcome(
        created=True, entrants=len(dossiers), followups=len(followups), statuses=statuses, messages=messages
    )


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _single_adults(departement) -> list:
    """Demandeurs living alone, 25 to 60, with a commune and no pathway yet (stable order)."""
    today = timezone.localdate()
    members = (
        HouseholdMember.objects.filter(
            role=MemberRole.DEMANDEUR,
            person__commune__departement=departement,
            person__birth_date__lte=today.replace(year=today.year - 25),
            person__birth_date__gt=today.replace(year=today.year - 60),
        )
        .exclude(person__nir="")
        .annotate(size=Count("household__memberships"))
        .filter(size=1)
        .exclude(Exists(PersonEvent.objects.filter(person=OuterRef("person"))))
        .select_related("person__commune", "household")
        .order_by("person_id")
    )
    return list(members)


def member_dossier(member, departement, numdemrsa: str, opened, requested_on) -> SyntheticDossier:
    """The CNAF dossier of a demo single adult (`member`: their household membership) whose
    rights open on `opened`: what the flux would say of them, from their demo record."""
    person, household = member.person, member.household
    return SyntheticDossier(
        matricule=household.caf_number,
        numdemrsa=numdemrsa,
        persons=[
            SyntheticPerson(
                last_name=person.last_name,
                first_name=person.first_names.split()[0],
                birth_date=person.birth_date,
                sex="1" if person.sex == "M" else "2",
                birth_name=person.birth_name,
                nir=person.nir,
                attached_on=opened,
            )
        ],
        requested_on=requested_on,
        opened_on=opened,
        insee_code=person.commune.insee_code,
        postal_code=person.postal_code,
        commune_name=person.commune.name.upper(),
        street_number="",
        street_type="",
        street_name=person.address[:32],
        departement=f"{departement.code:0>3}",
        organism=household.organism or "CAF",
    )


def _import_intake(departement, rng: random.Random, count: int, first_day, today) -> list[SyntheticDossier]:
    """Import one CNAF flux making `count` demo adults (and a few newcomers without address)
    soumis à droits et devoirs, their rights opened between `first_day` and today."""
    candidates = _single_adults(departement)
    chosen = rng.sample(candidates, min(count, len(candidates)))
    span = (today - first_day).days
    dossiers = []
    for n, member in enumerate(chosen):
        opened = first_day + datetime.timedelta(days=rng.randrange(span + 1))
        requested_on = opened - datetime.timedelta(days=rng.randrange(5, 25))
        dossiers.append(member_dossier(member, departement, f"DEMO{n:07d}", opened, requested_on))
    for n in range(WITHOUT_ADDRESS):
        opened = today - datetime.timedelta(days=rng.randrange(3, 10))
        born = datetime.date(1985 + n, 3 + n, 10)
        dossiers.append(
            SyntheticDossier(
                matricule=f"99{n:05d}",
                numdemrsa=f"DEMOSA{n:05d}",
                persons=[
                    SyntheticPerson(
                        last_name=["Delcourt", "Benali", "Vandamme"][n % 3],
                        first_name=["Sandrine", "Karim", "Ludovic"][n % 3],
                        birth_date=born,
                        sex="2" if n % 3 == 0 else "1",
                        nir=synthetic_nir("2" if n % 3 == 0 else "1", born, 990_000 + n),
                        attached_on=opened,
                    )
                ],
                requested_on=opened - datetime.timedelta(days=10),
                opened_on=opened,
                insee_code="",  # the flux names no commune: no site can be found for them
                postal_code="59000",
                commune_name="",
                street_number="",
                street_type="",
                street_name="",
                departement=f"{departement.code:0>3}",
            )
        )
    _import_flux(dossiers, departement.code, today - datetime.timedelta(days=1))
    return dossiers


def _import_flux(dossiers: list[SyntheticDossier], code: str, reference_date: datetime.date) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"flux-demo-{reference_date}.xml"
        write_flux(path, dossiers, reference_date=reference_date)
        run_import(CnafFluxSource(path, departement=code), path, with_records="none")


def _close_some_rights(dossiers: list[SyntheticDossier], rng: random.Random, today) -> None:
    """Yesterday's flux closes the rights of a few persons still waiting for their interview
    (their follow-ups close as the import ends: invitations and future bookings cancelled)."""
    waiting = {
        followup.person.nir
        for followup in FollowUp.objects.open().for_status_display()
        if derive(followup).status in (Status.INVITED, Status.BOOKED)
    }
    closing = [d for d in dossiers if d.persons[0].nir in waiting]
    closing = rng.sample(closing, min(CLOSED_RIGHTS, len(closing)))
    yesterday = today - datetime.timedelta(days=1)
    for dossier in closing:
        dossier.state, dossier.closure = "5", ("RFD", yesterday)
    if closing:
        _import_flux(closing, closing[0].departement.lstrip("0"), today)


def _one_day(day: datetime.date, rng: random.Random) -> None:
    """The pipeline at 06:30, the day's convocations and bookings, the evening's attendance."""
    morning = _at(day, PIPELINE_TIME)
    open_followups_from_events(now=morning)
    plan_invitations(morning)
    process_invitations(morning)
    absent = Booking.objects.filter(
        attendance="absent", slot__starts_at__date=day - datetime.timedelta(days=1)
    ).select_related("followup__departement", "followup__person__commune")
    for booking in absent.order_by("id"):
        if rng.random() < CONVOKED_ABSENTEES and derive(booking.followup, morning).status == Status.ABSENT:
            convoke_nearest(booking.followup, morning + datetime.timedelta(hours=2))
    waiting = (
        Invitation.objects.live()
        .filter(kind=InvitationKind.INVITATION, created_at__lt=morning, expires_at__gt=morning)
        .filter(followup__closed_at__isnull=True)
        .exclude(Exists(Booking.objects.filter(followup=OuterRef("followup"), cancelled_at__isnull=True)))
        .select_related("followup__departement", "person__commune")
        .order_by("id")
    )
    for invitation in waiting:
        if rng.random() >= BOOKING_CHANCE_PER_DAY:
            continue
        moment = morning + datetime.timedelta(hours=rng.randrange(2, 12), minutes=rng.randrange(60))
        # The person picks a day that suits, one to ten days ahead, and its first free slot.
        wanted = moment + datetime.timedelta(days=rng.randint(1, 10))
        offered = [slot for offer in offer_for(invitation, moment, per_site=300) for slot in offer.slots]
        slots = sorted(
            (slot for slot in offered if slot.starts_at >= wanted), key=lambda slot: slot.starts_at
        )
        if not slots:
            continue
        try:
            book(
                slots[0], invitation.followup, channel=BookingChannel.PUBLIC, invitation=invitation, at=moment
            )
        except BookingError:
            continue
    _attendance_and_decisions(day, rng)


def _attendance_and_decisions(day: datetime.date, rng: random.Random) -> None:
    """The chargé d'orientation of each appointment of `day` records the attendance and, for most
    persons received, decides the orientation at the end of the interview."""
    past = (
        Booking.objects.filter(
            cancelled_at__isnull=True,
            attendance="",
            slot__starts_at__gte=_at(day, datetime.time.min),
            slot__starts_at__lt=_at(day + datetime.timedelta(days=1), datetime.time.min),
        )
        .select_related("slot__agent", "slot__site__unit", "followup", "person")
        .order_by("slot__starts_at", "id")
    )
    fallback = Agent.objects.filter(is_active=True, role=Role.CHARGE_ORIENTATION).first()
    for booking in past:
        agent = booking.slot.agent or fallback
        attendance = _weighted(rng, ATTENDANCE)
        record_attendance(booking, attendance, by=agent)
        if attendance == "honore" and rng.random() < ORIENTED_SHARE:
            kind, organism = _weighted(rng, [((k, o), w) for k, o, w in ORIENTATIONS])
            decide_orientation(
                booking.person,
                followup=booking.followup,
                kind=kind,
                organism=organism,
                by=agent,
                at=booking.slot.starts_at + datetime.timedelta(minutes=45),
            )


def _weighted(rng: random.Random, choices):
    draw, total = rng.random(), 0.0
    for value, weight in choices:
        total += weight
        if draw < total:
            return value
    return choices[-1][0]
