"""The demo's aid funds: the catalogue, its envelopes and about a year of applications replayed
through the aids' workflows.

`simulate_aids()` is what `parcours demo-aids` runs (after `demo-front-door`). It loads the
catalogue (`parcours load-aid-schemes`), sets the year's envelopes as the budget office would
(sized on the replayed demand: two of them end close to exhaustion, a few late grants are refused
for exhausted credits), holds a commission session every month and replays the applications in
time order from the first day the catalogue is valid (at most `MONTHS` months back) to now:

- filed by the demo agents (the CCAS reception `demo.accueil`, the front door `demo.operateur`,
  the association's référent `demo.referent` — the youth's mission locale —, the coach
  `demo.coach`, the chargé d'orientation) with their documents and the bank details, then deposited
  (`aids.workflows.create_draft`, `deposit`, `aids.documents.store`, `aids.payments.set_payee`);
- instructed by `demo.aides` (`apply` start, documents checked, some put on hold for a missing
  document then resumed), the FDAJ emergencies decided within 48 hours but a few late;
- decided by the instructor, by the head of service `demo.manager` (the emergency funds) or by the
  monthly commission (`aids.commissions.enlist`, `record_decisions`: grants, refusals, an
  adjournment);
- refusals with their reasons; a withdrawal; a grant cancelled (its credits released);
- payments scheduled and paid by weekly batches (`aids.payments.start_payment`, `prepare_batch`,
  `mark_batch_exported`, `mark_batch_paid`), the students' monthly grants suspended when the
  school certificate has run out (`review_certificates`), one undue payment recovered;
- jobs started in a listed sector recorded in the pathway (`accompaniment.workflows.record_job`)
  and their RSA + salary cumulation proposed (`aids.cumulation.propose`; OpenFisca is called if
  it answers, else the proposal says « Simulation indisponible »).

Steps that fall after now are not played: the last days' applications wait in the instructor's
queue (emergencies on top, some overdue), a few drafts are still being filled, the next
commission has its agenda. It writes no state, transition or event itself. Deterministic for a
seed; a second run does nothing (it refuses to play when the demo's applications exist).
"""

from __future__ import annotations

import datetime
import heapq
import io
import itertools
import logging
import random
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from parcours.accounts.models import Agent
from parcours.aids import commissions, cumulation, documents, payments, workflows
from parcours.aids.envelopes import EnvelopeExhausted
from parcours.aids.models import (
    AidApplication,
    AmountKind,
    ApplicationState,
    ChildProtectionPlacement,
    CommissionSession,
    Decider,
    Envelope,
    PayeeKind,
    RefusalReason,
    Scheme,
)
from parcours.aids.models.envelopes import cents
from parcours.appointments.calendar import local_datetime
from parcours.core.dates import add_months
from parcours.demo.generation import loaded_departement
from parcours.reception.working_hours import add_working_hours, is_working_day
from parcours.rsa.models import OPEN_STATES

logger = logging.getLogger(__name__)

INSTRUCTOR, HEAD, ADMIN = "demo.aides", "demo.manager", "demo.admin"
FILERS = ("demo.accueil", "demo.operateur", "demo.referent", "demo.coach", "demo.orientation")
MONTHS = 12
PER_MONTH = 22  # applications filed a month (the Nord instructs thousands; the demo stays quick)
# (scheme code, weight, the filers who file it)
MIX = (
    ("fdaj-urgence", 20, ("demo.referent", "demo.accueil", "demo.operateur")),
    ("fdaj-projet", 7, ("demo.referent",)),
    ("fdaj-permis", 6, ("demo.referent",)),
    ("activ-emploi", 13, ("demo.coach", "demo.orientation", "demo.referent")),
    ("fonds-urgence-quotidien", 14, ("demo.accueil", "demo.operateur")),
    ("fonds-urgence-parentalite", 6, ("demo.accueil",)),
    ("eva", 4, ("demo.referent",)),
    ("aide-vehicule", 3, ("demo.coach",)),
    ("cumul-rsa-salaire", 6, ("demo.coach",)),
)
STUDENTS = 5  # the students formerly placed with the ASE, filed at the start of the school year
EMERGENCY_SHARE = {"fdaj-urgence": 0.85, "fonds-urgence-quotidien": 0.3}
LATE_SHARE = 0.1  # of emergencies decided after 48 h
MISSING_SHARE = 0.15  # of applications put on hold for a missing document
REFUSAL_SHARE = 0.18
WITHDRAW_SHARE = 0.03
# The filers' answers to the subsidiarity checklist (chosen by the application's number, so that the
# demo's random sequence stays the same): mostly asked and refused, some pending or not relevant.
SUBSIDIARITY_ANSWERS = ("refusee", "refusee", "en_attente", "sans_objet", "refusee", "accordee")
CLOSE_SHARE = 0.6  # of one-off aids paid, closed a few weeks later
TIGHT = {"fdaj-urgence": 0.9, "fonds-urgence-quotidien": 0.94}  # envelopes sized below the demand
ENVELOPE_MARGIN = 1.35
REASONS = {
    "fdaj-urgence": ([RefusalReason.SUBSIDIARITY], [RefusalReason.NEED_NOT_SHOWN]),
    "fonds-urgence-quotidien": ([RefusalReason.RESOURCES], [RefusalReason.SUBSIDIARITY]),
    "fonds-urgence-parentalite": ([RefusalReason.RESOURCES], [RefusalReason.NEED_NOT_SHOWN]),
    "activ-emploi": ([RefusalReason.INCOMPLETE], [RefusalReason.WAITING_PERIOD]),
}
DEFAULT_REASONS = ([RefusalReason.NEED_NOT_SHOWN], [RefusalReason.SUBSIDIARITY])
PURPOSES = {
    "fdaj-urgence": ("Bons alimentaires en attendant le premier versement du contrat d'engagement jeune",
                     "Nuitées d'hôtel après une rupture familiale", "Reste à charge de soins dentaires urgents"),
    "fdaj-projet": ("Équipement pour l'entrée en formation d'aide-soignant", "Frais d'inscription à un BTS",
                    "Premier loyer et dépôt de garantie d'un logement près de l'emploi"),
    "fdaj-permis": ("Leçons de conduite pour un emploi d'agent d'entretien en horaires décalés",),
    "activ-emploi": ("Garde des enfants pendant le premier mois de l'emploi",
                     "Réparation du véhicule pour rejoindre l'employeur", "Abonnement de transport et tenue de travail"),
    "fonds-urgence-quotidien": ("Facture d'énergie impayée, coupure annoncée", "Courses alimentaires de la quinzaine",
                                "Reste à charge de lunettes"),
    "fonds-urgence-parentalite": ("Séjour de vacances des enfants", "Soutien scolaire de l'aîné",
                                  "Inscription des enfants au club de sport"),
    "eva": ("Accompagnement éducatif et aide financière à l'installation",),
    "bourse-etudiants-ase": ("Bourse mensuelle de l'année universitaire",),
    "aide-vehicule": ("Achat d'un véhicule d'occasion pour les tournées d'aide à domicile",),
}  # fmt: skip
JOB_SECTORS = {"activ-emploi": ("Logistique", "Bâtiment", "Restauration collective", "Propreté")}
LISTED_JOBS = ("K1304", "K1302", "Aide à domicile", "M1805", "Emploi saisonnier (vendanges)")


class DemoAgentsMissing(Exception):
    """The demo accounts are missing; the message says what to run."""


@dataclass
class AidsDemoOutcome:
    created: bool
    applications: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    sessions: int = 0
    batches: int = 0
    payments: int = 0
    refused_steps: int = 0  # steps a workflow refused (an exhausted envelope…), as in real life


@dataclass
class Story:
    """What will happen to one application (decided at planning, played in time order)."""

    code: str
    person_id: int
    filer: str
    filed_at: datetime.datetime
    emergency: bool = False
    amount: Decimal | None = None
    items: int | None = None
    resources: Decimal | None = None
    household: int | None = None
    outcome: str = "grant"  # grant, refuse, withdraw, adjourn, draft, cancel
    reasons: list[str] = field(default_factory=list)
    missing: bool = False
    documents_late: bool = False  # the missing document is still awaited today
    late: bool = False
    third_party: bool = False
    certificate_until: datetime.date | None = None
    recovery: bool = False
    pk: int | None = None
    application: AidApplication | None = None  # the object shared by the steps before the decision


def _iban(rng: random.Random) -> str:
    """A French IBAN with a valid checksum (a made-up account of La Banque Postale)."""
    from schwifty import IBAN

    account = f"{rng.randrange(10**10):010d}"
    return str(IBAN.generate("FR", bank_code="2004101005", account_code=account + "0")).replace(" ", "")


def answer_subsidiarity(application: AidApplication) -> None:
    """The filer's answers to the subsidiarity checklist, as the filing form requires them."""
    application.subsidiarity = {
        entry["code"]: {
            "status": SUBSIDIARITY_ANSWERS[(application.pk + k) % len(SUBSIDIARITY_ANSWERS)],
            "note": "",
        }
        for k, entry in enumerate(application.version.subsidiarity)
    }
    application.save(update_fields=["subsidiarity", "updated_at"])


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% piece de demonstration\n%%EOF\n", "application/pdf")


class Replay:
    """The aids' replay: a queue of (instant, step) played in time order; steps after now dropped."""

    def __init__(self, departement, agents: dict[str, Agent], rng: random.Random, now: datetime.datetime):
        self.departement, self.agents, self.rng, self.now = departement, agents, rng, now
        self.schemes = {s.code: s for s in Scheme.objects.all()}
        self.queue: list = []
        self.counter = itertools.count()
        self.sessions: list[CommissionSession] = []
        self.refused_steps = self.batches = 0
        self.stories: dict[int, Story] = {}
        self.recovered = self.cancelled = False

    # -- scheduling ---------------------------------------------------------------------------

    def at(self, moment: datetime.datetime, step, *args) -> None:
        if moment <= self.now:
            heapq.heappush(self.queue, (moment, next(self.counter), step, args))

    def run(self) -> None:
        while self.queue:
            moment, _, step, args = heapq.heappop(self.queue)
            try:
                with transaction.atomic():
                    step(moment, *args)
            except ValidationError as error:
                if args and isinstance(args[0], Story):
                    args[0].application = None  # rolled back: read it again
                self.refused_steps += 1
                logger.info("demo.aids.step_refused %s: %s", step.__name__, " ".join(error.messages)[:200])

    def working(self, moment: datetime.datetime, hours: float) -> datetime.datetime:
        return add_working_hours(moment, hours, departement_code=self.departement.code)

    def app(self, story: Story) -> AidApplication:
        """The application re-read: a decision's message (sent on commit) reads the object it was
        given, which must not be moved on by the later steps of the replay."""
        return AidApplication.objects.select_related("scheme", "version", "person").get(pk=story.pk)

    def undecided(self, story: Story) -> AidApplication:
        """The application as the replay left it (the steps before the decision share it)."""
        if story.application is None:
            story.application = self.app(story)
        return story.application

    # -- filing -------------------------------------------------------------------------------

    def file(self, moment, story: Story) -> None:
        from parcours.people.models import Person

        person = Person.objects.get(pk=story.person_id)
        filer = self.agents[story.filer]
        scheme = self.schemes[story.code]
        if story.code in ("activ-emploi", "aide-vehicule"):
            self.job(person, filer, moment, story.code)
        application = workflows.create_draft(
            person, scheme, by=filer, at=moment, emergency=story.emergency, requested_amount=story.amount,
            items=story.items, declared_resources=story.resources, household_size=story.household,
            purpose=self.rng.choice(PURPOSES.get(story.code, ("Demande d'aide",))),
        )  # fmt: skip
        answer_subsidiarity(application)
        story.pk, story.application = application.pk, application
        self.stories[application.pk] = story
        self.file_rest(moment, story, application)

    def file_rest(self, moment, story: Story, application: AidApplication) -> None:
        filer = self.agents[story.filer]
        required = [d["code"] for d in application.version.documents]
        if story.missing and len(required) > 1:
            required = required[:-1]
        for code in required:
            until = story.certificate_until if code == application.version.certificate_code else None
            documents.store(application, code, _pdf(f"{code}.pdf"), by=filer, valid_until=until, at=moment)
        name = person_name(application.person)
        if story.third_party:
            payee = ("tiers", f"Auto-école du Beffroi ({name})"[:140])
        else:
            payee = (PayeeKind.PERSON, name)
        payments.set_payee(application, kind=payee[0], name=payee[1], iban=_iban(self.rng), by=filer)
        if story.outcome == "draft":
            return
        self.at(moment + datetime.timedelta(minutes=self.rng.randint(5, 40)), self.deposit, story)

    def job(self, person, filer, moment, code: str):
        """The job start behind an Activ'Emploi or vehicle request, recorded in the pathway."""
        from parcours.accompaniment import workflows as pathway

        sector = self.rng.choice(JOB_SECTORS.get(code, ("Aide à domicile",)))
        started = timezone.localtime(moment).date() - datetime.timedelta(days=self.rng.randint(3, 20))
        outcome = pathway.record_job(
            person, started_on=started, contract_type="cdd", hours_per_week=self.rng.choice((20, 24, 28, 35)),
            sector=sector, employer_name="Employeur de démonstration", by=filer,
        )  # fmt: skip
        return outcome

    def cumulation(self, moment, story: Story) -> None:
        """A hire in a listed sector: the job recorded, the cumulation proposed, then deposited."""
        from parcours.accompaniment import workflows as pathway
        from parcours.people.models import Person

        person = Person.objects.get(pk=story.person_id)
        filer = self.agents[story.filer]
        outcome = pathway.record_job(
            person, started_on=timezone.localtime(moment).date(), contract_type="cdd",
            hours_per_week=self.rng.choice((20, 24, 28)), sector=self.rng.choice(LISTED_JOBS),
            employer_name="Employeur de démonstration", by=filer,
        )  # fmt: skip
        application = cumulation.propose(outcome, by=filer, at=moment)
        if application is None:
            raise ValidationError("Pas de proposition de cumul (droit RSA non ouvert ou dispositif absent).")
        if application.requested_amount is None:  # OpenFisca did not answer: the coach types it
            application.requested_amount = story.amount
            application.save(update_fields=["requested_amount", "updated_at"])
        answer_subsidiarity(application)
        story.pk, story.application = application.pk, application
        self.stories[application.pk] = story
        payments.set_payee(
            application, kind=PayeeKind.PERSON, name=person_name(person), iban=_iban(self.rng), by=filer
        )
        if story.outcome == "draft":
            return
        for code in [d["code"] for d in application.version.documents]:
            documents.store(application, code, _pdf(f"{code}.pdf"), by=filer, at=moment)
        self.at(moment + datetime.timedelta(hours=self.rng.randint(1, 30)), self.deposit, story)

    def deposit(self, moment, story: Story) -> None:
        application = workflows.deposit(self.undecided(story), by=self.agents[story.filer], at=moment)
        if story.outcome == "withdraw":
            self.at(moment + datetime.timedelta(days=self.rng.randint(1, 6)), self.withdraw, story)
            return
        if story.emergency:
            start = moment + datetime.timedelta(minutes=self.rng.randint(20, 240))
        else:
            start = self.working(moment, self.rng.uniform(4, 32))
        self.at(start, self.start, story)
        del application

    def withdraw(self, moment, story: Story) -> None:
        workflows.apply(self.undecided(story), "withdraw", by=self.agents[story.filer], at=moment,
                        note="La personne a trouvé une autre solution.")  # fmt: skip

    # -- instruction --------------------------------------------------------------------------

    def start(self, moment, story: Story) -> None:
        instructor = self.agents[INSTRUCTOR]
        application = workflows.apply(self.undecided(story), "start", by=instructor, at=moment)
        for document in application.documents.all():
            documents.check(document, by=instructor, valid=True, at=moment)
        if story.missing:
            missing = application.version.documents[-1]["label"]
            workflows.apply(application, "request_documents", by=instructor, at=moment + datetime.timedelta(minutes=20),
                            note=f"Merci de transmettre : {missing}.")  # fmt: skip
            days = 30 if story.documents_late else self.rng.randint(2, 9)
            back = moment + datetime.timedelta(days=days, hours=self.rng.randint(0, 5))
            self.at(back, self.documents_back, story)
            return
        self.plan_decision(moment, story, application)

    def documents_back(self, moment, story: Story) -> None:
        application = self.undecided(story)
        code = application.version.documents[-1]["code"]
        document = documents.store(
            application, code, _pdf(f"{code}.pdf"), by=self.agents[story.filer], at=moment
        )
        documents.check(document, by=self.agents[INSTRUCTOR], valid=True, at=moment)
        workflows.apply(application, "documents_received", by=self.agents[INSTRUCTOR], at=moment)
        self.plan_decision(moment, story, application)

    def plan_decision(self, moment, story: Story, application: AidApplication) -> None:
        if application.version.decider == Decider.COMMISSION:
            self.at(moment + datetime.timedelta(hours=self.rng.randint(1, 48)), self.enlist, story)
            return
        if story.emergency:
            deposited = application.deposited_at
            hours = self.rng.uniform(50, 80) if story.late else self.rng.uniform(3, 40)
            when = max(deposited + datetime.timedelta(hours=hours), moment + datetime.timedelta(minutes=30))
        else:
            when = self.working(moment, self.rng.uniform(6, 60))
        self.at(when, self.decide, story)

    def enlist(self, moment, story: Story) -> None:
        session = next((s for s in self.sessions if s.held_on > moment + datetime.timedelta(days=2)), None)
        if session is None:
            return
        commissions.enlist(self.undecided(story), session, by=self.agents[INSTRUCTOR], at=moment)

    def decide(self, moment, story: Story) -> None:
        application = self.app(story)
        decider = (
            self.agents[HEAD]
            if application.version.decider == Decider.HEAD_OF_SERVICE
            else self.agents[INSTRUCTOR]
        )
        if story.outcome == "refuse":
            workflows.refuse(application, by=decider, at=moment, reasons=story.reasons,
                             note=_refusal_note(story.reasons))  # fmt: skip
            self.at(moment + datetime.timedelta(days=self.rng.randint(20, 40)), self.close, story)
            return
        try:
            with transaction.atomic():
                workflows.grant(application, by=decider, at=moment)
        except EnvelopeExhausted:
            workflows.refuse(application, by=decider, at=moment, reasons=[RefusalReason.ENVELOPE],
                             note="Les crédits de l'année sont épuisés.")  # fmt: skip
            return
        self.after_grant(moment, story)

    def after_grant(self, moment, story: Story) -> None:
        if story.outcome == "cancel":
            self.at(moment + datetime.timedelta(hours=self.rng.randint(4, 30)), self.cancel, story)
            return
        recent = self.now - moment < datetime.timedelta(days=7)  # the last grants wait for their payment
        hours = self.rng.uniform(40, 90) if recent or self.rng.random() < 0.2 else self.rng.uniform(2, 20)
        self.at(self.working(moment, hours), self.start_payment, story)

    def cancel(self, moment, story: Story) -> None:
        workflows.cancel(self.app(story), by=self.agents[INSTRUCTOR], at=moment,
                         note="La personne a renoncé à l'emploi avant son premier jour.")  # fmt: skip

    def start_payment(self, moment, story: Story) -> None:
        payments.start_payment(self.app(story), by=self.agents[INSTRUCTOR], at=moment)

    def close(self, moment, story: Story) -> None:
        workflows.apply(self.app(story), "close", by=self.agents[INSTRUCTOR], at=moment)

    # -- commission ---------------------------------------------------------------------------

    def plan_sessions(self, first: datetime.date, last: datetime.date) -> None:
        """One session a month, on the third Thursday at 14:00, created three weeks before."""
        month = first.replace(day=1)
        while month <= add_months(last, 1):
            day = month + datetime.timedelta(days=(3 - month.weekday()) % 7 + 14)
            held = local_datetime(day, datetime.time(14, 0))
            if held >= local_datetime(first, datetime.time(0, 0)):
                session = CommissionSession.objects.create(
                    title="Commission des aides individuelles", unit=None, held_on=held,
                    place="Hôtel du Département, salle des commissions", chair="La vice-présidente chargée de l'insertion",
                    members="Élus de la commission, service insertion, service jeunesse, mission locale",
                    created_by=self.agents[INSTRUCTOR],
                )  # fmt: skip
                self.sessions.append(session)
                self.at(held + datetime.timedelta(hours=2), self.hold, session)
            month = add_months(month, 1)

    def hold(self, moment, session: CommissionSession) -> None:
        rows = []
        for application in commissions.agenda(session):
            story = self.stories.get(application.pk)
            outcome = story.outcome if story else "grant"
            if outcome == "refuse":
                rows.append(commissions.Decision(application, commissions.REFUSE, reasons=story.reasons,
                                                 note=_refusal_note(story.reasons)))  # fmt: skip
            elif outcome == "adjourn":
                story.outcome = "grant"  # enlisted again, granted at the next session
                rows.append(commissions.Decision(application, commissions.ADJOURN,
                                                 note="Devis de l'auto-école ou du vendeur à actualiser."))  # fmt: skip
            else:
                rows.append(commissions.Decision(application, commissions.GRANT))
        if not rows:
            return
        try:
            commissions.record_decisions(session, rows, by=self.agents[INSTRUCTOR], at=moment)
        except commissions.DecisionsRejected as rejected:  # e.g. credits short: those are adjourned
            for row in rows:
                if row.application.pk in rejected.errors:
                    row.decision, row.reasons = commissions.ADJOURN, []
                    row.note = "À revoir : " + " ".join(rejected.errors[row.application.pk])[:300]
            commissions.record_decisions(session, rows, by=self.agents[INSTRUCTOR], at=moment)
        for row in rows:
            story = self.stories.get(row.application.pk)
            if story is None:
                continue
            if row.decision == commissions.GRANT:
                self.after_grant(moment, story)
            elif row.decision == commissions.ADJOURN:
                self.at(moment + datetime.timedelta(days=self.rng.randint(3, 25)), self.restart, story)

    def restart(self, moment, story: Story) -> None:
        story.application = None
        workflows.apply(self.undecided(story), "start", by=self.agents[INSTRUCTOR], at=moment)
        self.at(moment + datetime.timedelta(hours=2), self.enlist, story)

    # -- payments -----------------------------------------------------------------------------

    def plan_batches(self, first: datetime.date, last: datetime.date) -> None:
        day = first + datetime.timedelta(days=(1 - first.weekday()) % 7)  # Tuesdays
        while day <= last:
            self.at(local_datetime(day, datetime.time(10, 0)), self.batch)
            day += datetime.timedelta(days=7)

    def batch(self, moment) -> None:
        instructor = self.agents[INSTRUCTOR]
        day = timezone.localtime(moment).date()
        payments.review_certificates(payments.payments_to_review(day), at=moment)
        due = list(payments.due_payments(day + datetime.timedelta(days=3)).values_list("pk", flat=True))
        if not due:
            return
        execution = day + datetime.timedelta(days=2)
        batch = payments.prepare_batch(due, execution_date=execution, by=instructor, at=moment)
        self.batches += 1
        self.at(moment + datetime.timedelta(hours=1), self.export, batch)
        self.at(local_datetime(execution, datetime.time(9, 0)), self.paid, batch)

    def export(self, moment, batch) -> None:
        payments.mark_batch_exported(batch, at=moment)

    def paid(self, moment, batch) -> None:
        payments.mark_batch_paid(batch, by=self.agents[INSTRUCTOR], at=moment)
        for application in AidApplication.objects.filter(
            payments__batch=batch, state=ApplicationState.PAID
        ).distinct():
            story = self.stories.get(application.pk)
            if story is None or application.version.amount_kind == AmountKind.MONTHLY:
                continue
            if story.recovery and not self.recovered:
                self.recovered = True
                self.at(moment + datetime.timedelta(days=18), self.recover, story)
            elif self.rng.random() < CLOSE_SHARE:
                self.at(moment + datetime.timedelta(days=self.rng.randint(15, 40)), self.close, story)

    def recover(self, moment, story: Story) -> None:
        application = self.app(story)
        amount = (application.granted_amount / 2).quantize(Decimal("1"))
        recovery = payments.open_recovery(
            application, amount=amount, reason="Formation abandonnée la première semaine : aide en partie indue",
            by=self.agents[INSTRUCTOR], at=moment,
        )  # fmt: skip
        self.at(moment + datetime.timedelta(days=30), self.settle, recovery)

    def settle(self, moment, recovery) -> None:
        payments.settle_recovery(recovery, outcome="recouvre", by=self.agents[INSTRUCTOR], at=moment)


def person_name(person) -> str:
    return f"{person.first_names.split(' ')[0]} {person.last_name}".strip()[:140]


def _refusal_note(reasons: list[str]) -> str:
    return "Motif expliqué à la personne lors de l'entretien." if RefusalReason.OTHER in reasons else ""


# -- planning ---------------------------------------------------------------------------------


def _pools(departement, today: datetime.date, rng: random.Random) -> dict[str, list[int]]:
    """Persons of the département (with a commune in a unit) for each kind of scheme, shuffled."""
    from parcours.people.models import HouseholdMember, MemberRole, Person
    from parcours.rsa.rights import subject_to_duties

    persons = Person.objects.filter(commune__departement=departement, commune__unit__isnull=False).exclude(
        address_outside_departement=True
    )

    def born(low: int, high: int) -> list[int]:
        """Aged `low` to `high` today."""
        latest = add_months(today, -12 * low) - datetime.timedelta(days=40)
        earliest = add_months(today, -12 * (high + 1)) + datetime.timedelta(days=40)
        return list(
            persons.filter(birth_date__gt=earliest, birth_date__lte=latest)
            .order_by("pk")
            .values_list("pk", flat=True)[:400]
        )

    members = (
        HouseholdMember.objects.filter(role=MemberRole.DEMANDEUR, household__rsa_right__state__in=OPEN_STATES,
                                       person__in=persons)
        .select_related("person", "household__rsa_right").order_by("person_id")[:600]
    )  # fmt: skip
    rsa = [m.person_id for m in members if subject_to_duties(m.person, m.household.rsa_right) is not False]
    young = born(17, 24)
    pools = {
        "young": young,
        "eva": list(born(19, 21)),
        "students": list(born(19, 24)),
        "rsa": rsa,
        "adults": list(persons.filter(birth_date__lte=add_months(today, -12 * 26)).order_by("pk")
                       .values_list("pk", flat=True)[:800]),
    }  # fmt: skip
    for values in pools.values():
        rng.shuffle(values)
    return pools


POOL_OF = {
    "fdaj-urgence": "young",
    "fdaj-projet": "young",
    "fdaj-permis": "young",
    "activ-emploi": "rsa",
    "aide-vehicule": "rsa",
    "cumul-rsa-salaire": "rsa",
    "fonds-urgence-quotidien": "adults",
    "fonds-urgence-parentalite": "adults",
    "eva": "eva",
    "bourse-etudiants-ase": "students",
}


class Planner:
    def __init__(self, schemes: dict[str, Scheme], pools: dict[str, list[int]], rng: random.Random):
        self.schemes, self.pools, self.rng = schemes, pools, rng
        self.used: dict[str, set[int]] = {}

    def person(self, code: str) -> int | None:
        pool = self.pools[POOL_OF[code]]
        used = self.used.setdefault(code, set())
        for pk in pool:
            if pk not in used:
                used.add(pk)
                return pk
        return None

    def story(self, code: str, filer: str, moment: datetime.datetime, *, recent: bool) -> Story | None:
        person = self.person(code)
        scheme = self.schemes.get(code)
        if person is None or scheme is None:
            return None
        version = scheme.version_on(timezone.localtime(moment).date())
        if version is None:
            return None
        rng = self.rng
        story = Story(code=code, person_id=person, filer=filer, filed_at=moment)
        story.emergency = bool(version.emergency_service_level_hours) and rng.random() < EMERGENCY_SHARE.get(
            code, 0
        )
        story.late = story.emergency and rng.random() < LATE_SHARE
        story.missing = not story.emergency and rng.random() < MISSING_SHARE
        if version.amount_kind == AmountKind.PER_ITEM:
            story.items = rng.randint(10, version.max_items or 20)
            story.amount = version.amount * story.items
            story.third_party = True
        elif version.amount_kind == AmountKind.MONTHLY:
            story.amount = (
                version.amount * (version.months or 1)
                if code != "cumul-rsa-salaire"
                else Decimal(rng.randrange(450, 900))
            )
        else:
            story.amount = Decimal(rng.randrange(4, 20)) * (version.amount / 20).quantize(Decimal("1"))
        resources = next((r for r in version.rules if r.get("kind") == "resources"), None)
        draw = rng.random()
        if resources:
            story.household = rng.randint(1, 4)
            ceiling = Decimal(str(resources.get("max") or 0)) + Decimal(
                str(resources.get("per_extra_person") or 0)
            ) * (story.household - 1)
            over = draw < REFUSAL_SHARE / 2
            story.resources = (ceiling * Decimal("1.15" if over else "0.7")).quantize(Decimal("1"))
        if draw < REFUSAL_SHARE:
            story.outcome = "refuse"
            story.reasons = list(
                REASONS.get(code, DEFAULT_REASONS)[0 if resources or rng.random() < 0.5 else 1]
            )
            if resources and story.resources is not None and draw >= REFUSAL_SHARE / 2:
                story.reasons = [RefusalReason.SUBSIDIARITY]
        elif draw < REFUSAL_SHARE + WITHDRAW_SHARE:
            story.outcome = "withdraw"
        elif version.decider == Decider.COMMISSION and draw < REFUSAL_SHARE + WITHDRAW_SHARE + 0.06:
            story.outcome = "adjourn"
        if recent and rng.random() < 0.25:
            story.outcome = "draft"
        return story


def _filing_moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return local_datetime(day, datetime.time(rng.randint(8, 16), rng.choice((0, 10, 20, 30, 40, 50))))


def _size_envelopes(schemes: dict[str, Scheme], stories: list[Story], years: list[int]) -> None:
    """The year's envelopes, sized on the replayed demand (two tight), where none exists."""
    demand: dict[str, Decimal] = {}
    for story in stories:
        if story.outcome in ("grant", "cancel", "adjourn") and story.amount:
            demand[story.code] = demand.get(story.code, Decimal(0)) + story.amount
    for code, scheme in schemes.items():
        wanted = demand.get(code, Decimal("1000")) * Decimal(str(TIGHT.get(code, ENVELOPE_MARGIN)))
        if code in TIGHT:
            amount = wanted.quantize(Decimal("1"))
        else:  # a round figure, as a budget is voted
            amount = max((wanted / 1000).to_integral_value(rounding=ROUND_CEILING) * 1000, Decimal("1000"))
        for year in years:
            if not Envelope.objects.filter(scheme=scheme, year=year, unit__isnull=True).exists():
                Envelope.objects.create(scheme=scheme, year=year, amount_cents=cents(amount))


def _agents() -> dict[str, Agent]:
    names = (INSTRUCTOR, HEAD, ADMIN, *FILERS)
    agents = {a.username: a for a in Agent.objects.filter(username__in=names)}
    missing = [n for n in names if n not in agents]
    if missing:
        raise DemoAgentsMissing(
            f"Comptes de démonstration absents ({', '.join(missing)}) : lancez d'abord « parcours "
            "create-demo-agents », « demo-accompaniment » et « demo-front-door »."
        )
    return agents


def simulate_aids(
    code: str,
    seed: int = 1,
    *,
    months: int = MONTHS,
    per_month: int = PER_MONTH,
    now: datetime.datetime | None = None,
) -> AidsDemoOutcome:
    """Load the catalogue and replay the aids of département `code` (see the module docstring).
    Raises TerritoryNotLoaded, DemoAgentsMissing."""
    departement = loaded_departement(code)
    agents = _agents()
    if AidApplication.objects.filter(filed_by__username__in=FILERS).exists():
        return AidsDemoOutcome(created=False)
    rng = random.Random(seed)
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    with transaction.atomic():
        call_command("load_aid_schemes", stdout=io.StringIO())
        schemes = {s.code: s for s in Scheme.objects.filter(is_active=True)}
        valid_from = min((v.valid_from for s in schemes.values() for v in s.versions.all()), default=today)
        first = max(add_months(today, -months), valid_from)
        pools = _pools(departement, today, rng)
        planner = Planner(schemes, pools, rng)
        stories = _plan(planner, first, now, per_month, rng)
        _size_envelopes(schemes, stories, sorted({first.year, today.year}))
        call_command("load_aid_schemes", "--with-envelopes", stdout=io.StringIO())
        _ase_facts(stories, agents[INSTRUCTOR])
        replay = Replay(departement, agents, rng, now)
        replay.plan_sessions(first, today)
        replay.plan_batches(first, today)
        for story in stories:
            step = replay.cumulation if story.code == "cumul-rsa-salaire" else replay.file
            replay.at(story.filed_at, step, story)
        replay.run()
    applications = AidApplication.objects.filter(filed_by__username__in=FILERS)
    by_state: dict[str, int] = {}
    for state in applications.values_list("state", flat=True):
        by_state[state] = by_state.get(state, 0) + 1
    return AidsDemoOutcome(
        created=True,
        applications=applications.count(),
        by_state=by_state,
        sessions=CommissionSession.objects.filter(state="tenue").count(),
        batches=replay.batches,
        payments=_paid_count(),
        refused_steps=replay.refused_steps,
    )


def _paid_count() -> int:
    from parcours.aids.models import Payment, PaymentState

    return Payment.objects.filter(state=PaymentState.PAID).count()


def _plan(planner: Planner, first: datetime.date, now: datetime.datetime, per_month: int, rng) -> list[Story]:
    today = timezone.localtime(now).date()
    stories: list[Story] = []
    # Today: emergencies just deposited (the top of the queue), one of yesterday's already overdue.
    for hours in (1, 3, 26, 50):
        moment = timezone.localtime(now) - datetime.timedelta(hours=hours)
        if moment.date() < first:
            continue
        story = planner.story("fdaj-urgence", "demo.referent", moment, recent=False)
        if story is not None:
            story.emergency, story.outcome, story.missing = True, "grant", False
            story.late = True  # decided (if ever) after 48 h: those still waiting now are in the queue
            stories.append(story)
    weights = [w for _, w, _ in MIX]
    day = first
    per_day = per_month / 21.0
    while day <= today:
        if is_working_day(day, None):
            count = int(per_day) + (1 if rng.random() < per_day - int(per_day) else 0)
            recent = (today - day).days <= 3
            for _ in range(count):
                code, _, filers = rng.choices(MIX, weights=weights)[0]
                story = planner.story(code, rng.choice(filers), _filing_moment(day, rng), recent=recent)
                if story is not None:
                    stories.append(story)
        day += datetime.timedelta(days=1)
    # The students: filed at the start of the school year, one certificate running out in the autumn.
    school = datetime.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    for n in range(STUDENTS):
        day = school + datetime.timedelta(days=rng.randint(-10, 40))
        if not (first <= day <= today):
            continue
        story = planner.story("bourse-etudiants-ase", "demo.referent", _filing_moment(day, rng), recent=False)
        if story is None:
            continue
        story.outcome, story.missing, story.emergency = "grant", False, False
        story.certificate_until = (
            datetime.date(school.year, 10, 31) if n == 0 else datetime.date(school.year + 1, 8, 31)
        )
        stories.append(story)
    # Applications of the last days waiting for a document.
    waiting = [s for s in stories if s.outcome in ("grant", "refuse") and not s.emergency
               and 3 <= (today - timezone.localtime(s.filed_at).date()).days <= 10]  # fmt: skip
    for story in waiting[:3]:
        story.missing = story.documents_late = True
    # One Activ'Emploi grant cancelled, one recovered after payment.
    activ = [s for s in stories if s.code == "activ-emploi" and s.outcome == "grant" and not s.missing]
    if len(activ) >= 3:
        activ[0].outcome = "cancel"
        activ[1].recovery = True
    stories.sort(key=lambda s: s.filed_at)
    return stories


def _ase_facts(stories: list[Story], instructor: Agent) -> None:
    """The placements with the ASE the service attests for the EVA and student grant applicants."""
    for story in stories:
        if story.code not in ("eva", "bourse-etudiants-ase"):
            continue
        if ChildProtectionPlacement.objects.filter(person_id=story.person_id).exists():
            continue
        from parcours.people.models import Person

        birth = Person.objects.only("birth_date").get(pk=story.person_id).birth_date
        ChildProtectionPlacement.objects.create(
            person_id=story.person_id,
            placed_from=add_months(birth, 11 * 12),
            placed_until=add_months(birth, 18 * 12),
            attested_by="Service de l'aide sociale à l'enfance du Département",
            recorded_by=instructor,
        )
