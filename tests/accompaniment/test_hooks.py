"""The work itself writes the outcomes: a hire on the job platform writes `emploi.debut`, a
proposal is a contact of the coaching, a CNAF closure or departure ends the accompaniments."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from parcours.accompaniment import tasks, workflows
from parcours.accompaniment.models import Accompaniment, Contact, EndReason, Exit, Outcome, Programme
from parcours.core.schedules import DAILY_TASKS
from parcours.imports.models import ImportBatch
from parcours.jobs.models import Placement
from parcours.orientation.followups import open_followups_after_import
from parcours.people import event_kinds as ev
from parcours.people.models import PersonEvent
from tests.accompaniment.factories import oriented_person, person_event
from tests.accounts.factories import AgentFactory
from tests.jobs.factories import ApplicationFactory, OfferFactory, ProfileFactory

pytestmark = pytest.mark.django_db

MARCH_2 = datetime.date(2026, 3, 2)


@pytest.fixture
def coach():
    return AgentFactory(role="coach_emploi")


def hired_application(person, agent, **offer):
    ProfileFactory(person=person)
    application = ApplicationFactory(person=person, offer=OfferFactory(**offer))
    for name in ("propose", "accept"):
        application.apply(name, agent)
    return application


def test_a_hire_with_its_placement_writes_the_job_start_once(coach):
    person = oriented_person()
    accompaniment = workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    application = hired_application(person, coach, contract_type="cdi", hours_per_week=24)
    placement = Placement(start_date=datetime.date(2026, 4, 1), contract_type="saisonnier", hours_per_week=30)
    application.apply("hire", coach, placement=placement)
    outcome = Outcome.objects.get(person=person)
    assert (outcome.placement, outcome.application, outcome.accompaniment) == (
        placement,
        application,
        accompaniment,
    )
    assert (outcome.started_on, outcome.contract_type) == (
        datetime.date(2026, 4, 1),
        "cdd",
    )  # seasonal: a CDD
    assert outcome.sector == application.offer.appellation.rome_id == "K1304"
    assert outcome.employer_name == application.offer.employer.name
    job = PersonEvent.objects.get(person=person, kind=ev.JOB_START)
    assert job.data == {
        "contract_type": "cdd",
        "hours_per_week": 30.0,
        "sector": "K1304",
        "placement": placement.pk,
    }
    assert job.value_2 == 1  # the indicators count it as "through the platform"
    # Replayed (a retried task, a double call): still one outcome, one event.
    from parcours.accompaniment.jobs_hooks import application_hired

    assert application_hired(application, placement=placement, actor=coach) == outcome
    assert PersonEvent.objects.filter(person=person, kind=ev.JOB_START).count() == 1


def test_a_hire_without_placement_uses_the_offer_terms(coach):
    person = oriented_person()
    application = hired_application(person, coach, contract_type="interim", hours_per_week=20)
    application.apply("hire", coach)
    outcome = Outcome.objects.get(application=application)
    assert (outcome.contract_type, outcome.hours_per_week, outcome.placement) == ("interim", 20, None)
    assert outcome.started_on == max(application.offer.start_date, timezone.localdate())


def test_a_platform_hire_of_a_person_who_left_the_departement_stands_without_an_outcome(coach):
    person = oriented_person()
    application = hired_application(person, coach)
    person_event(person, ev.MOVED_OUT, datetime.date(2026, 3, 1))
    placement = Placement(start_date=datetime.date(2026, 4, 1), contract_type="cdi", hours_per_week=35)
    application.apply("hire", coach, placement=placement)
    application.refresh_from_db()
    assert application.state == "recrutee" and Placement.objects.filter(application=application).exists()
    assert not Outcome.objects.exists()
    assert not PersonEvent.objects.filter(person=person, kind=ev.JOB_START).exists()


def test_a_proposal_is_a_contact_of_the_open_coaching_counted_once(coach):
    person = oriented_person()
    accompaniment = workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    ProfileFactory(person=person)
    application = ApplicationFactory(person=person)
    application.apply("propose", coach)
    contact = Contact.objects.get(accompaniment=accompaniment)
    assert (contact.mode, contact.application, contact.on) == (
        "mise_en_relation",
        application,
        timezone.localdate(),
    )
    from parcours.accompaniment.jobs_hooks import application_proposed

    assert application_proposed(application, actor=coach) == contact
    assert PersonEvent.objects.filter(person=person, kind=ev.COACHING_CONTACT).count() == 1


def test_a_proposal_without_coaching_logs_no_contact(coach):
    person = oriented_person()
    workflows.start(person, Programme.SOCIAL, referents=[coach], on=MARCH_2, by=coach)
    ProfileFactory(person=person)
    ApplicationFactory(person=person).apply("propose", coach)
    assert not Contact.objects.exists()


# -- rights events from the CNAF import --------------------------------------------------------


def test_a_cnaf_closure_ends_the_open_accompaniments_and_writes_the_exit(coach):
    person = oriented_person()
    coaching = workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    social = workflows.start(person, Programme.SOCIAL, referents=[coach], on=MARCH_2, by=coach)
    bystander = oriented_person()
    person_event(bystander, ev.RSA_CLOSURE, datetime.date(2026, 4, 30))  # no accompaniment: nothing
    person_event(person, ev.RSA_CLOSURE, datetime.date(2026, 4, 30), motif="RFD")
    assert tasks.close_after_rights_events() == {"events": 2, "ended": 2}
    for accompaniment in (coaching, social):
        accompaniment.refresh_from_db()
        assert (accompaniment.ended_on, accompaniment.end_reason) == (
            datetime.date(2026, 4, 30),
            "fin_droits",
        )
    assert PersonEvent.objects.filter(person=person, kind=ev.COACHING_END).count() == 2
    assert Exit.objects.get(person=person).reason == "fin_droits"
    assert PersonEvent.objects.filter(person=person, kind=ev.EXIT).count() == 1
    assert not Exit.objects.filter(person=bystander).exists()
    # The watermark: a second run reads nothing new.
    assert tasks.close_after_rights_events() == {"events": 0, "ended": 0}


def test_a_departure_ends_with_demenagement_unless_the_person_came_back(coach):
    moved, back = oriented_person(), oriented_person()
    for person in (moved, back):
        workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
        person_event(person, ev.MOVED_OUT, datetime.date(2026, 4, 10))
    person_event(back, ev.MOVED_IN, datetime.date(2026, 4, 20))
    tasks.close_after_rights_events()
    assert Accompaniment.objects.get(person=moved).end_reason == EndReason.MOVED
    assert Exit.objects.get(person=moved).reason == "demenagement"
    assert Accompaniment.objects.get(person=back).is_open


def test_a_closure_older_than_the_accompaniment_ends_it_on_its_start(coach):
    person = oriented_person()
    accompaniment = workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    person_event(person, ev.RSA_CLOSURE, datetime.date(2026, 2, 1))  # a file imported late
    tasks.close_after_rights_events()
    accompaniment.refresh_from_db()
    assert accompaniment.ended_on == MARCH_2


def test_the_after_import_hook_and_the_daily_task_run_it(coach, settings):
    person = oriented_person()
    accompaniment = workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    batch = ImportBatch.objects.create(kind="cnaf", file_name="flux.xml")
    person_event(person, ev.RSA_CLOSURE, datetime.date(2026, 4, 30))
    assert open_followups_after_import(batch.pk)["accompaniments_ended"] == 1
    accompaniment.refresh_from_db()
    assert not accompaniment.is_open
    daily = {task.func: task for task in DAILY_TASKS}[
        "parcours.accompaniment.tasks.close_after_rights_events"
    ]
    assert settings.PARCOURS_SCHEDULE_TIMES[daily.time_setting] == "06:15"


# -- PostgreSQL: two coaches enrolling the same person at the same moment ---------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_coaches_enrolling_the_same_person_concurrently():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency test for PostgreSQL")
    person = oriented_person()
    coaches = [AgentFactory(role="coach_emploi"), AgentFactory(role="coach_emploi")]
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(agent):
        try:
            barrier.wait()
            workflows.start(person, Programme.COACHING, referents=[agent], on=MARCH_2, by=agent)
            outcomes.append("won")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(agent,)) for agent in coaches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("won") == 1, outcomes
    assert "un seul peut être ouvert à la fois" in next(o for o in outcomes if o != "won")
    assert Accompaniment.objects.filter(person=person).count() == 1
    assert PersonEvent.objects.filter(person=person, kind=ev.COACHING_START).count() == 1
