"""The demo's current accompaniment situation: the last weeks replayed through the product's workflows.

`simulate_accompaniment()` is what `parcours demo-accompaniment` runs (after `generate-jobs`,
before `generate-history`). Like `demo.orientation`, it writes nothing of its own: every row and
every pathway event comes from a function of the product, called with the day it would have run.

1. persons to coach: those the orientation demo oriented to the MDIE coaching
   (`orientation.decidee`, organism `mdie_coaching`) in the last weeks; the orientation demo
   only covers its last 6 weeks, so the older starts come from a CNAF flux imported by the real
   importer (rights opened 15 to 20 weeks ago), the follow-ups it opens
   (`orientation.followups.open_followups_from_events`) and an orientation decided on each
   (`orientation.decisions.decide_orientation`) a few days after the opening;
2. each is enrolled by the demo coach (`demo.coach`, `accompaniment.workflows.start`) a few days
   after their orientation, then has about one contact a week (`log_contact`; some weeks are
   missed, a few persons have gone quiet for two weeks, and some have had no contact yet this
   week); the persons with a consenting candidate profile (most get one at their first
   interview, saved as the platform's profile page saves it) are proposed to open offers of the
   job platform (the application created as the platform's shortlist does, then
   `Application.apply("propose")`, which logs the `mise_en_relation` contact) and some are
   hired (`apply("accept")`, `apply("hire", placement=…)` by the employer: the job platform's
   hook writes `emploi.debut`), then their coaching ends (`end`, reason `emploi`: an exit);
   a few start a training (`record_training`, then `end`, reason `formation`), a few drop out,
   and most coachings past their 3 months end (`fin_programme`);
3. a few accompagnements globaux in pairs (`demo.social` of the Département and
   `demo.conseiller` of France Travail, `demo.agents.pair_agents`) with their contacts, a
   validated diagnosis and a first objective with two actions (`accompaniment.diagnosis`,
   `.action_plan`; skipped, and said, when those functions are missing or refuse);
4. the year's demo target of accompagnements globaux (`accompaniment.targets.set_demo_targets`,
   when it exists), for the dashboards' "against target".

The whole run is idempotent: when the demo coach already follows an accompaniment it does
nothing.
"""

from __future__ import annotations

import datetime
import random
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from parcours.accompaniment import workflows
from parcours.accompaniment.models import (
    Accompaniment,
    AccompanimentReferent,
    ContactMode,
    EndReason,
    Programme,
)
from parcours.accounts.models import Agent, Role
from parcours.core import audit
from parcours.core.dates import add_months
from parcours.demo.agents import pair_agents
from parcours.demo.generation import loaded_departement
from parcours.demo.orientation import member_dossier
from parcours.imports.runner import run_import
from parcours.jobs.models import Application, CandidateProfile, JobOffer, Placement
from parcours.orientation.decisions import decide_orientation
from parcours.orientation.followups import open_followups_from_events
from parcours.orientation.models import FollowUp
from parcours.people import event_kinds as ev
from parcours.people.models import HouseholdMember, MemberRole, PersonEvent
from parcours.rsa.importer import CnafFluxSource
from parcours.rsa.synthetic import write_flux

COACH = "demo.coach"
WEEKS = 14
# Nord's 2,748 coaching entries a year (indicators/history.py), per week at scale 1.0.
COACHINGS_PER_WEEK = 53
MIN_COACHINGS = 24  # a believable caseload even at a small scale
CONTACT_SHARE = 0.85  # of past weeks with a contact
THIS_WEEK_SHARE = 0.5  # of open coachings already contacted this week
QUIET_SHARE = 0.1  # of open coachings without any contact for the last two weeks
PROFILE_SHARE = 0.6  # of coached persons without a candidate profile, given one with their consent
PROPOSAL_SHARE = 0.5  # of coached persons with a consenting profile, proposed to an offer
HIRE_SHARE = 0.35  # of proposals, hired
TRAINING_SHARE = 0.08
DROP_OUT_SHARE = 0.05
ENDED_AT_TERM_SHARE = 0.7  # of coachings past their 3 months, ended (the others are due on the caseload)
GLOBAL_PAIRS = 4
ORIENTATION_KINDS = ("socio_professionnelle", "professionnelle")
CONTACT_MODES = (
    (ContactMode.INTERVIEW, 0.5),
    (ContactMode.PHONE, 0.35),
    (ContactMode.WORKSHOP, 0.1),
    (ContactMode.COMPANY_VISIT, 0.05),
)


class DemoAgentsMissing(Exception):
    """The demo accounts are not created yet."""


@dataclass
class AccompanimentDemoOutcome:
    created: bool
    coachings: int = 0
    open_coachings: int = 0
    contacts: int = 0
    quiet: int = 0  # open coachings without a contact for the last two weeks
    proposals: int = 0
    hires: int = 0
    trainings: int = 0
    globals: int = 0
    plans_skipped: bool = True


def simulate_accompaniment(
    code: str, seed: int, scale: Decimal, *, weeks: int = WEEKS
) -> AccompanimentDemoOutcome:
    """Replay the last `weeks` weeks of coaching and accompagnement global in département `code`
    (see the module docstring). Raises TerritoryNotLoaded, DemoAgentsMissing."""
    departement = loaded_departement(code)
    coach = Agent.objects.filter(username=COACH).first()
    if coach is None:
        raise DemoAgentsMissing(
            f"Le compte {COACH} n'existe pas : lancez d'abord « parcours create-demo-agents --departement {code} »."
        )
    if AccompanimentReferent.objects.filter(agent=coach).exists():
        return AccompanimentDemoOutcome(created=False)
    rng = random.Random(seed)
    today = timezone.localdate()
    first_day = today - datetime.timedelta(weeks=weeks)
    wanted = max(MIN_COACHINGS, round(COACHINGS_PER_WEEK * float(scale) * weeks))
    candidates = _oriented_to_coaching(first_day)
    older = max(wanted - len(candidates), wanted // 3)
    candidates = _older_intake(departement, rng, older, today) + candidates
    outcome = AccompanimentDemoOutcome(created=True)
    employer_agent = Agent.objects.filter(role=Role.EMPLOYEUR, is_active=True).first()
    offers = list(JobOffer.objects.published().order_by("id")[:200])
    for person, oriented_on in candidates[:wanted]:
        start = min(today, _working_day_after(oriented_on, rng.randint(1, 6)))
        try:
            accompaniment = workflows.start(person, Programme.COACHING, referents=[coach], on=start, by=coach)
        except ValidationError:
            continue
        outcome.coachings += 1
        _coach(accompaniment, coach, employer_agent, offers, rng, today, outcome)
    outcome.open_coachings = Accompaniment.objects.open().followed_by(coach).count()
    outcome.globals, planned = _pairs(code, rng, today)
    _demo_target(today.year, scale)
    outcome.plans_skipped = not planned
    return outcome


def _working_day_after(day: datetime.date, days: int) -> datetime.date:
    moved = day + datetime.timedelta(days=days)
    while moved.weekday() >= 5:
        moved += datetime.timedelta(days=1)
    return moved


def _weighted(rng: random.Random, choices):
    draw, total = rng.random(), 0.0
    for value, weight in choices:
        total += weight
        if draw < total:
            return value
    return choices[-1][0]


def _oriented_to_coaching(since: datetime.date) -> list[tuple]:
    """(person, day) of the orientations to the MDIE coaching decided since `since` (oldest first),
    one per person without an open coaching."""
    decided = (
        PersonEvent.objects.filter(
            kind=ev.ORIENTATION_DECIDED,
            data__organism="mdie_coaching",
            occurred_at__gte=timezone.make_aware(datetime.datetime.combine(since, datetime.time.min)),
        )
        .exclude(
            Exists(
                Accompaniment.objects.open().filter(person=OuterRef("person"), programme=Programme.COACHING)
            )
        )
        .select_related("person")
        .order_by("occurred_at", "id")
    )
    found: dict[int, tuple] = {}
    for event in decided:
        found.setdefault(event.person_id, (event.person, timezone.localtime(event.occurred_at).date()))
    return list(found.values())


def _single_adults(departement, count: int, rng: random.Random) -> list:
    """`count` demandeurs living alone, 25 to 60, with a commune and no pathway yet."""
    from django.db.models import Count, Exists, OuterRef

    today = timezone.localdate()
    members = list(
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
        .order_by("person_id")[: count * 5]
    )
    return rng.sample(members, min(count, len(members)))


def _older_intake(departement, rng: random.Random, count: int, today: datetime.date) -> list[tuple]:
    """Persons whose rights opened 15 to 20 weeks ago (one CNAF flux through the real importer),
    their follow-ups opened, and an orientation to the MDIE coaching decided on each 5 to 20 days
    after the opening. Returns (person, day of the orientation), oldest first."""
    if count <= 0:
        return []
    members = _single_adults(departement, count, rng)
    if not members:
        return []
    dossiers = []
    for n, member in enumerate(members):
        opened = today - datetime.timedelta(days=rng.randint(15 * 7, 20 * 7))
        requested_on = opened - datetime.timedelta(days=rng.randrange(5, 25))
        # numdemrsa: 11 characters at most (vrsb0801.xsd)
        dossiers.append(member_dossier(member, departement, f"DEMOAC{n:05d}", opened, requested_on))
    reference = min(d.opened_on for d in dossiers) + datetime.timedelta(days=1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"flux-demo-accompagnement-{reference}.xml"
        write_flux(path, dossiers, reference_date=reference)
        run_import(CnafFluxSource(path, departement=departement.code), path, with_records="none")
    open_followups_from_events()
    deciders = list(Agent.objects.filter(role=Role.CHARGE_ORIENTATION, is_active=True).order_by("id")[:3])
    decider = deciders[0] if deciders else None
    oriented = []
    person_ids = [member.person_id for member in members]
    for followup in FollowUp.objects.filter(person_id__in=person_ids).select_related("person").order_by("id"):
        day = _working_day_after(followup.rights_opened_on, rng.randint(5, 20))
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 30)))
        decide_orientation(
            followup.person,
            followup=followup,
            kind=rng.choice(ORIENTATION_KINDS),
            organism="mdie_coaching",
            by=decider,
            at=at,
        )
        oriented.append((followup.person, day))
    return sorted(oriented, key=lambda pair: pair[1])


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _coach(accompaniment, coach, employer_agent, offers, rng, today, outcome) -> None:
    """The weeks of one coaching up to today: contacts, proposals and a hire, a training, an end."""
    person = accompaniment.person
    planned_end = accompaniment.planned_end_on or add_months(accompaniment.started_on, 3)
    last_day = min(today, planned_end)
    # What ends it, and when (None: still open today).
    end_on, reason = None, None
    draw = rng.random()
    span = (last_day - accompaniment.started_on).days
    profile = getattr(person, "candidate_profile", None)
    if profile is None and rng.random() < PROFILE_SHARE:
        profile = _profile(person, coach, accompaniment.started_on)
    proposable = profile is not None and profile.consents_to_employers and offers
    proposed_on = None
    if proposable and span >= 10 and rng.random() < PROPOSAL_SHARE:
        proposed_on = accompaniment.started_on + datetime.timedelta(days=rng.randint(5, span))
    if proposed_on and span >= 21 and rng.random() < HIRE_SHARE:
        end_on, reason = min(today, proposed_on + datetime.timedelta(days=rng.randint(5, 15))), EndReason.JOB
    elif span >= 21 and draw < TRAINING_SHARE:
        end_on, reason = (
            accompaniment.started_on + datetime.timedelta(days=rng.randint(14, span)),
            EndReason.TRAINING,
        )
    elif span >= 14 and draw < TRAINING_SHARE + DROP_OUT_SHARE:
        end_on, reason = (
            accompaniment.started_on + datetime.timedelta(days=rng.randint(14, span)),
            EndReason.DROPPED_OUT,
        )
    elif planned_end < today and rng.random() < ENDED_AT_TERM_SHARE:
        end_on, reason = planned_end, EndReason.PROGRAMME_OVER
    if proposed_on and end_on and proposed_on > end_on:
        proposed_on = None
    _contacts(accompaniment, coach, rng, today, end_on or today, outcome)
    if proposed_on:
        application = _propose(person, coach, offers, rng, proposed_on)
        if application is not None:
            outcome.proposals += 1
            if reason == EndReason.JOB:
                hired = _hire(application, employer_agent or coach, end_on)
                if not hired:
                    end_on, reason = None, None
                else:
                    outcome.hires += 1
    elif reason == EndReason.JOB:
        end_on, reason = None, None
    if reason == EndReason.TRAINING:
        workflows.record_training(
            person,
            started_on=end_on,
            ended_on=end_on + datetime.timedelta(days=rng.randint(60, 200)),
            organism="AFPA (démo)",
            title=rng.choice(
                ["Agent de propreté et d'hygiène", "Préparateur de commandes", "Aide à domicile"]
            ),
            qualifying=rng.random() < 0.7,
            by=coach,
        )
        outcome.trainings += 1
    if end_on is not None:
        workflows.end(accompaniment, on=end_on, reason=reason, by=coach)


def _contacts(accompaniment, coach, rng, today, last_day, outcome) -> None:
    """About one contact a week from the start to `last_day`; this week's only for some, none for
    the last two weeks of a few quiet persons."""
    monday_now = today - datetime.timedelta(days=today.weekday())
    # At least one person of the caseload went quiet (the first open coaching old enough to be due
    # last week), then about QUIET_SHARE of the others: the caseload's « sans contact » is never
    # empty, whatever the day the demo is played.
    due_last_week = last_day == today and accompaniment.started_on < monday_now - datetime.timedelta(weeks=1)
    quiet = due_last_week and (not outcome.quiet or rng.random() < QUIET_SHARE)
    outcome.quiet += quiet
    monday = accompaniment.started_on - datetime.timedelta(days=accompaniment.started_on.weekday())
    while monday <= last_day:
        days = [
            monday + datetime.timedelta(days=offset)
            for offset in range(5)
            if accompaniment.started_on <= monday + datetime.timedelta(days=offset) <= last_day
        ]
        chance = THIS_WEEK_SHARE if monday == monday_now else CONTACT_SHARE
        if quiet and monday >= monday_now - datetime.timedelta(weeks=1):
            chance = 0
        if days and rng.random() < chance:
            workflows.log_contact(
                accompaniment, on=rng.choice(days), mode=_weighted(rng, CONTACT_MODES), by=coach
            )
            outcome.contacts += 1
        monday += datetime.timedelta(weeks=1)


def _profile(person, coach, day: datetime.date):
    """The candidate profile the coach fills in at the first interview, with the person's consent
    to be proposed to employers (saved as the platform's profile page saves it)."""
    profile = CandidateProfile.objects.create(
        person=person, consents_to_employers=True, consent_recorded_at=_at(day, 11)
    )
    profile.reindex()
    audit.record_changes(coach, person, ["profil"], created=True)
    return profile


def _propose(person, coach, offers, rng, day: datetime.date):
    """Shortlist the person for an open offer (as the platform's shortlist view does) and propose
    them to the employer (`Application.apply`): the proposal is a contact of their coaching."""
    offer = rng.choice(offers)
    if not offer.is_open:
        return None
    application, created = Application.objects.get_or_create(
        offer=offer, person=person, defaults={"created_by": coach, "created_at": _at(day, 9)}
    )
    if not created:
        return None
    application.events.create(transition="shortlist", to_state=application.state, by=coach, at=_at(day, 9))
    try:
        application.apply("propose", coach, now=_at(day, 10))
    except ValidationError:
        return None
    return application


def _hire(application, employer_agent, day: datetime.date) -> bool:
    """The person agrees, the employer hires: the placement starts on `day` (the hook writes the job)."""
    offer = application.offer
    try:
        application.apply("accept", employer_agent, now=_at(day - datetime.timedelta(days=3), 11))
        application.apply(
            "hire",
            employer_agent,
            as_employer=True,
            now=_at(day - datetime.timedelta(days=1), 15),
            placement=Placement(
                start_date=day,
                contract_type=offer.contract_type,
                hours_per_week=offer.hours_per_week or Decimal(35),
            ),
        )
    except ValidationError:
        return False
    return True


def _pairs(code: str, rng: random.Random, today: datetime.date) -> tuple[int, bool]:
    """A few accompagnements globaux in pairs (Département + France Travail), for persons the
    orientation demo oriented to a social path, with their contacts, a validated diagnosis and
    an action plan (`accompaniment.pairs`, `.diagnosis`, `.action_plan`). Returns the number
    started and whether the plans were written."""
    pair = pair_agents(code)
    decided = (
        PersonEvent.objects.filter(kind=ev.ORIENTATION_DECIDED, data__organism="service_social")
        .exclude(Exists(Accompaniment.objects.open().filter(person=OuterRef("person"))))
        .select_related("person")
        .order_by("occurred_at", "id")
    )
    started, planned = 0, True
    seen: set[int] = set()
    for event in decided:
        if started >= GLOBAL_PAIRS:
            break
        if event.person_id in seen:
            continue
        seen.add(event.person_id)
        day = min(today, _working_day_after(timezone.localtime(event.occurred_at).date(), rng.randint(3, 10)))
        try:
            accompaniment = workflows.start(
                event.person, Programme.GLOBAL, referents=pair, on=day, by=pair[0]
            )
        except ValidationError:
            continue
        started += 1
        contact_day = day
        while contact_day <= today:
            workflows.log_contact(
                accompaniment, on=contact_day, mode=ContactMode.INTERVIEW, by=pair[started % 2]
            )
            contact_day = _working_day_after(contact_day, rng.randint(7, 14))
        planned = _plan(accompaniment, pair, rng, day, today) and planned
    return started, planned


def _plan(accompaniment, pair, rng: random.Random, day: datetime.date, today: datetime.date) -> bool:
    """The pair's diagnosis (every frein périphérique assessed, validated) and a first objective
    with two actions, through the accompagnement global's own functions. False (nothing written)
    when those functions are missing or refuse (they belong to another part of issue #13)."""
    if not _plan_models():
        return False
    try:
        from parcours.accompaniment import action_plan, diagnosis
        from parcours.accompaniment.plans import BarrierLevel

        assessments = [
            diagnosis.Assessment(
                theme=theme,
                level=BarrierLevel.NONE if rng.random() < 0.6 else BarrierLevel.LIGHT,
            )
            for theme in diagnosis.themes()
            if theme.is_peripheral_barrier
        ]
        diagnosis.save(accompaniment, assessments, on=day, by=pair[0], validate=True)
        objective = action_plan.add_objective(
            accompaniment, title="Lever les freins à la reprise d'emploi", by=pair[0]
        )
        for owner, title in (
            (pair[0], "Constituer le dossier de logement"),
            (pair[1], "Inscription à un atelier CV"),
        ):
            action_plan.add_action(
                objective,
                title=title,
                owner=owner,
                due_on=today + datetime.timedelta(days=rng.randint(7, 30)),
                by=owner,
            )
    except (ImportError, AttributeError, TypeError, ValidationError, PermissionDenied):
        return False
    return True


def _demo_target(year: int, scale: Decimal) -> None:
    try:
        from parcours.accompaniment.targets import set_demo_targets
    except ImportError:
        return
    set_demo_targets(year, scale)


def _plan_models() -> bool:
    """Whether the diagnosis and action plan models of the accompagnement global exist (another
    part of issue #13, checked at run time)."""
    try:
        apps.get_model("accompaniment", "Diagnosis")
        apps.get_model("accompaniment", "Objective")
    except LookupError:
        return False
    return True
