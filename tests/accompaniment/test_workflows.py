"""Issue #13, phase 1: the accompaniment workflows write the rows and the pathway events the
indicators read, and refuse the bad inputs the issue lists with messages an agent can act on."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from parcours.accompaniment import workflows
from parcours.accompaniment.models import (
    Accompaniment,
    ContactMode,
    EndReason,
    Exit,
    ExitSource,
    Outcome,
    Programme,
)
from parcours.core.access import visible_persons
from parcours.core.dates import add_months
from parcours.core.models import AuditEvent
from parcours.people import event_kinds as ev
from parcours.people.models import Follow, PersonEvent
from tests.accompaniment.factories import oriented_person, person_event
from tests.accounts.factories import AgentFactory, OrganisationFactory
from tests.people.factories import PersonFactory
from tests.territory.factories import SiteFactory

pytestmark = pytest.mark.django_db

MARCH_2 = datetime.date(2026, 3, 2)


def kinds_of(person) -> list[str]:
    return list(
        PersonEvent.objects.filter(person=person).order_by("occurred_at", "id").values_list("kind", flat=True)
    )


def event(person, kind) -> PersonEvent:
    return PersonEvent.objects.get(person=person, kind=kind)


@pytest.fixture
def coach():
    return AgentFactory(role="coach_emploi")


@pytest.fixture
def person():
    return oriented_person()


def test_start_coaching_plans_three_calendar_months_and_writes_the_start(person, coach):
    site = SiteFactory()
    accompaniment = workflows.start(
        person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach, site=site
    )
    assert accompaniment.planned_end_on == add_months(MARCH_2, 3) == datetime.date(2026, 6, 2)
    assert accompaniment.is_open
    start = event(person, ev.COACHING_START)
    assert start.data == {"programme": "coaching", "site": str(site.pk)}
    assert start.source == "accompagnement"
    assert timezone.localtime(start.occurred_at).date() == MARCH_2
    referent = accompaniment.referents.get()
    assert (referent.agent, referent.organisation, referent.since) == (coach, coach.organisation, MARCH_2)
    assert AuditEvent.objects.filter(person=person, agent=coach, action="create").exists()


def test_a_referent_from_another_territory_sees_the_person_while_referent(person):
    partner = AgentFactory(role="referent")  # no territorial unit: sees only whom they follow
    assert not visible_persons(partner).filter(pk=person.pk).exists()
    accompaniment = workflows.start(person, Programme.SOCIAL, referents=[partner], on=MARCH_2, by=None)
    assert visible_persons(partner).filter(pk=person.pk).exists()
    assert Follow.objects.get(agent=partner, person=person).kind == "accompagnement"
    workflows.end(accompaniment, on=datetime.date(2026, 4, 1), reason=EndReason.DROPPED_OUT, by=None)
    assert not visible_persons(partner).filter(pk=person.pk).exists()


def test_an_accompaniment_starts_only_after_the_first_interview(coach):
    person = PersonFactory()
    with pytest.raises(ValidationError, match="après le premier entretien"):
        workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    person_event(person, ev.ORIENTATION_DECIDED, MARCH_2, orientation="professionnelle")
    assert workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach).pk
    # An interview after the start date does not count for that date.
    later = PersonFactory()
    person_event(later, ev.APPOINTMENT_HONOURED, datetime.date(2026, 3, 10))
    with pytest.raises(ValidationError, match="premier entretien"):
        workflows.start(later, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)


def test_no_accompaniment_starts_under_a_restriction_of_processing(person, coach):
    from parcours.privacy.restriction import lift_restriction, set_restriction

    set_restriction(person, reason="Exactitude contestée", by=coach)
    with pytest.raises(ValidationError, match="limitation du traitement"):
        workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    assert not Accompaniment.objects.filter(person=person).exists()
    lift_restriction(person, by=coach)
    assert workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach).pk


def test_two_coaches_enrolling_the_same_person(person, coach):
    other = AgentFactory(role="coach_emploi")
    workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    with pytest.raises(ValidationError) as refused:
        workflows.start(person, Programme.COACHING, referents=[other], on=datetime.date(2026, 3, 3), by=other)
    assert (
        "déjà un accompagnement « Coaching MDIE « Réussir sans attendre » » en cours"
        in refused.value.messages[0]
    )
    assert Accompaniment.objects.filter(person=person).count() == 1
    assert kinds_of(person).count(ev.COACHING_START) == 1
    # Another programme may run alongside.
    assert workflows.start(person, Programme.SOCIAL, referents=[other], on=MARCH_2, by=other).pk


def test_two_coaches_enrolling_at_the_same_moment_the_database_settles_it(person, coach, monkeypatch):
    """Both pass the early check (as two concurrent requests would): the partial unique
    constraint refuses the second insert, which the workflow turns into the same message."""
    workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    monkeypatch.setattr(workflows, "_has_open", lambda person, programme: False)
    with pytest.raises(ValidationError, match="un seul peut être ouvert à la fois"):
        workflows.start(person, Programme.COACHING, referents=[AgentFactory()], on=MARCH_2, by=None)
    assert Accompaniment.objects.filter(person=person).count() == 1
    assert kinds_of(person).count(ev.COACHING_START) == 1


def test_a_new_accompaniment_may_start_once_the_previous_one_ended(person, coach):
    first = workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    workflows.end(first, on=datetime.date(2026, 6, 2), reason=EndReason.PROGRAMME_OVER, by=coach)
    second = workflows.start(
        person, Programme.COACHING, referents=[coach], on=datetime.date(2026, 9, 1), by=coach
    )
    assert list(Accompaniment.objects.filter(person=person).open()) == [second]


def test_an_accompaniment_ending_before_it_starts(person, coach):
    accompaniment = workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    with pytest.raises(
        ValidationError, match=r"La fin \(01/03/2026\) précède le début de l'accompagnement \(02/03/2026\)"
    ):
        workflows.end(accompaniment, on=datetime.date(2026, 3, 1), reason=EndReason.DROPPED_OUT, by=coach)
    accompaniment.refresh_from_db()
    assert accompaniment.is_open and ev.COACHING_END not in kinds_of(person)
    with pytest.raises(ValidationError, match="fin prévue"):
        workflows.start(
            person,
            Programme.SOCIAL,
            referents=[coach],
            on=MARCH_2,
            by=coach,
            planned_end_on=datetime.date(2026, 2, 1),
        )
    # The database refuses it too, whoever writes.
    Accompaniment.objects.filter(pk=accompaniment.pk).update(started_on=MARCH_2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Accompaniment.objects.filter(pk=accompaniment.pk).update(ended_on=datetime.date(2026, 3, 1))


def test_ending_twice_or_in_the_future_is_refused(person, coach):
    accompaniment = workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    with pytest.raises(ValidationError, match="ne peut pas être dans le futur"):
        workflows.end(accompaniment, on=datetime.date(2099, 1, 1), reason=EndReason.OTHER, by=coach)
    workflows.end(accompaniment, on=datetime.date(2026, 4, 1), reason=EndReason.OTHER, by=coach)
    with pytest.raises(ValidationError, match="déjà terminé"):
        workflows.end(accompaniment, on=datetime.date(2026, 4, 2), reason=EndReason.OTHER, by=coach)


def test_end_for_a_job_writes_the_end_and_the_exit(person, coach):
    accompaniment = workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    workflows.end(
        accompaniment, on=datetime.date(2026, 4, 15), reason=EndReason.JOB, by=coach, note="CDI signé"
    )
    accompaniment.refresh_from_db()
    assert (accompaniment.ended_on, accompaniment.end_reason, accompaniment.end_note) == (
        datetime.date(2026, 4, 15),
        "emploi",
        "CDI signé",
    )
    assert event(person, ev.COACHING_END).data == {"motif": "emploi", "programme": "coaching"}
    assert event(person, ev.EXIT).data == {"motif": "emploi"}
    exit_ = Exit.objects.get(person=person)
    assert (exit_.on, exit_.source) == (datetime.date(2026, 4, 15), ExitSource.ACCOMPANIMENT_END)
    assert accompaniment.referents.get().until == datetime.date(2026, 4, 15)


@pytest.mark.parametrize("reason", [EndReason.DROPPED_OUT, EndReason.PROGRAMME_OVER, EndReason.REORIENTED])
def test_an_end_that_does_not_end_the_pathway_writes_no_exit(person, coach, reason):
    accompaniment = workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    workflows.end(accompaniment, on=datetime.date(2026, 6, 2), reason=reason, by=coach)
    assert ev.EXIT not in kinds_of(person)
    assert not Exit.objects.exists()


# -- accompagnement global: a pair of two organisations ----------------------------------------


def test_global_needs_two_referents_of_two_organisations(person):
    departement_agent = AgentFactory(role="referent")
    same_organisation = AgentFactory(role="referent", organisation=departement_agent.organisation)
    with pytest.raises(ValidationError, match="deux référents"):
        workflows.start(person, Programme.GLOBAL, referents=[departement_agent], on=MARCH_2, by=None)
    with pytest.raises(ValidationError, match="deux organisations différentes"):
        workflows.start(
            person, Programme.GLOBAL, referents=[departement_agent, same_organisation], on=MARCH_2, by=None
        )
    advisor = AgentFactory(role="referent", organisation=OrganisationFactory(kind="france_travail"))
    pair = workflows.start(
        person, Programme.GLOBAL, referents=[departement_agent, advisor], on=MARCH_2, by=None
    )
    assert {r.organisation for r in pair.referents.all()} == {
        departement_agent.organisation,
        advisor.organisation,
    }


def test_a_second_referent_from_the_same_organisation_in_a_pair(person):
    departement_agent = AgentFactory(role="referent")
    advisor = AgentFactory(role="referent", organisation=OrganisationFactory(kind="france_travail"))
    colleague = AgentFactory(role="referent", organisation=advisor.organisation)
    pair = workflows.start(
        person, Programme.GLOBAL, referents=[departement_agent, advisor], on=MARCH_2, by=None
    )
    with pytest.raises(ValidationError, match="déjà deux référents"):
        workflows.add_referent(pair, colleague, on=datetime.date(2026, 4, 1), by=None)
    workflows.remove_referent(pair, advisor, on=datetime.date(2026, 4, 1), by=None)
    with pytest.raises(ValidationError, match="deux organisations différentes"):
        workflows.add_referent(
            pair,
            AgentFactory(organisation=departement_agent.organisation),
            on=datetime.date(2026, 4, 1),
            by=None,
        )
    row = workflows.add_referent(pair, colleague, on=datetime.date(2026, 4, 1), by=None)
    assert row.organisation == advisor.organisation
    assert pair.referents.filter(until__isnull=True).count() == 2


def test_the_last_referent_cannot_be_removed(person, coach):
    accompaniment = workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    with pytest.raises(ValidationError, match="seul référent"):
        workflows.remove_referent(accompaniment, coach, on=datetime.date(2026, 3, 10), by=coach)
    second = AgentFactory(role="coach_emploi")
    assert workflows.add_referent(accompaniment, second, on=datetime.date(2026, 3, 10), by=coach) == (
        workflows.add_referent(accompaniment, second, on=datetime.date(2026, 3, 11), by=coach)
    )
    workflows.remove_referent(accompaniment, coach, on=datetime.date(2026, 3, 10), by=coach)
    assert not Follow.objects.active(datetime.date(2026, 3, 12)).filter(agent=coach, person=person).exists()


# -- contacts ------------------------------------------------------------------------------------


def test_log_contact_writes_the_contact_event(person, coach):
    accompaniment = workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    contact = workflows.log_contact(
        accompaniment, on=datetime.date(2026, 3, 4), mode=ContactMode.PHONE, note="Point CV", by=coach
    )
    assert (contact.on, contact.mode, contact.note, contact.by) == (
        datetime.date(2026, 3, 4),
        "telephone",
        "Point CV",
        coach,
    )
    assert event(person, ev.COACHING_CONTACT).data == {"mode": "telephone", "programme": "coaching"}
    assert ev.LABELS[ev.COACHING_CONTACT] == "Contact d'accompagnement"


def test_log_contact_refuses_bad_dates_and_long_notes(person, coach):
    accompaniment = workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    with pytest.raises(ValidationError, match="précède le début"):
        workflows.log_contact(accompaniment, on=datetime.date(2026, 3, 1), mode="entretien", by=coach)
    with pytest.raises(ValidationError, match="501 caractères : 500 au plus"):
        workflows.log_contact(accompaniment, on=MARCH_2, mode="entretien", note="x" * 501, by=coach)
    with pytest.raises(ValueError):
        workflows.log_contact(accompaniment, on=MARCH_2, mode="pigeon", by=coach)
    workflows.end(accompaniment, on=datetime.date(2026, 3, 20), reason=EndReason.OTHER, by=coach)
    with pytest.raises(ValidationError, match="s'est terminé le 20/03/2026"):
        workflows.log_contact(accompaniment, on=datetime.date(2026, 3, 21), mode="entretien", by=coach)
    # A contact of its last day is still recorded (a closing interview).
    assert workflows.log_contact(accompaniment, on=datetime.date(2026, 3, 20), mode="entretien", by=coach).pk


# -- outcomes and exits ------------------------------------------------------------------------


def test_record_job_writes_the_job_start_tied_to_the_open_accompaniment(person, coach):
    accompaniment = workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    outcome = workflows.record_job(
        person,
        started_on=datetime.date(2026, 4, 1),
        contract_type="cdd",
        hours_per_week=24,
        sector="K1304",
        employer_name="Aide Services",
        by=coach,
    )
    assert (outcome.kind, outcome.accompaniment, outcome.hours_per_week) == (
        "emploi",
        accompaniment,
        Decimal("24"),
    )
    job = event(person, ev.JOB_START)
    assert job.data == {"contract_type": "cdd", "hours_per_week": 24.0, "sector": "K1304", "placement": None}
    assert timezone.localtime(job.occurred_at).date() == datetime.date(2026, 4, 1)


def test_a_hire_for_a_person_who_left_the_departement(person, coach):
    person_event(person, ev.MOVED_OUT, datetime.date(2026, 3, 15))
    with pytest.raises(ValidationError, match="quitté le département le 15/03/2026"):
        workflows.record_job(
            person,
            started_on=datetime.date(2026, 4, 1),
            contract_type="cdi",
            hours_per_week=35,
            sector="",
            by=coach,
        )
    # A job started before the departure is still theirs.
    assert workflows.record_job(
        person,
        started_on=datetime.date(2026, 3, 1),
        contract_type="cdi",
        hours_per_week=35,
        sector="",
        by=coach,
    ).pk
    # Back in the département: recorded again.
    person_event(person, ev.MOVED_IN, datetime.date(2026, 5, 1))
    assert workflows.record_job(
        person,
        started_on=datetime.date(2026, 5, 4),
        contract_type="cdi",
        hours_per_week=35,
        sector="",
        by=coach,
    ).pk
    assert kinds_of(person).count(ev.JOB_START) == 2


def test_a_person_who_left_cannot_start_an_accompaniment(person, coach):
    person_event(person, ev.MOVED_OUT, datetime.date(2026, 2, 1))
    with pytest.raises(ValidationError, match="a quitté le département le 01/02/2026"):
        workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)


def test_record_job_refuses_hours_beyond_the_legal_maximum(person, coach):
    with pytest.raises(ValidationError):
        workflows.record_job(
            person, started_on=MARCH_2, contract_type="cdi", hours_per_week=80, sector="", by=coach
        )
    assert not Outcome.objects.exists() and ev.JOB_START not in kinds_of(person)


@pytest.mark.parametrize(("qualifying", "training_kind"), [(True, "qualifiante"), (False, "non_qualifiante")])
def test_record_training(person, coach, qualifying, training_kind):
    outcome = workflows.record_training(
        person,
        started_on=datetime.date(2026, 4, 1),
        ended_on=datetime.date(2026, 9, 30),
        organism="AFPA",
        title="Titre pro ADVF",
        qualifying=qualifying,
        by=coach,
    )
    assert (outcome.kind, outcome.qualifying, outcome.organism) == ("formation", qualifying, "AFPA")
    assert event(person, ev.TRAINING_START).data == {"training_kind": training_kind}
    with pytest.raises(ValidationError, match="précède son début"):
        workflows.record_training(
            person,
            started_on=MARCH_2,
            ended_on=datetime.date(2026, 3, 1),
            organism="AFPA",
            title="",
            qualifying=True,
            by=coach,
        )


def test_record_exit_once_per_day_and_motive(person, coach):
    first = workflows.record_exit(person, on=MARCH_2, reason="autre", by=coach, source="agent")
    assert workflows.record_exit(person, on=MARCH_2, reason="autre", by=coach, source="agent") == first
    assert event(person, ev.EXIT).data == {"motif": "autre"}


def test_every_kind_the_indicators_read_is_written_by_a_workflow(person, coach):
    """Not a grep: run the workflows and look at the events they wrote."""
    accompaniment = workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    workflows.log_contact(accompaniment, on=MARCH_2, mode="entretien", by=coach)
    workflows.record_job(
        person,
        started_on=datetime.date(2026, 4, 1),
        contract_type="interim",
        hours_per_week=35,
        sector="",
        by=coach,
    )
    workflows.record_training(
        person,
        started_on=datetime.date(2026, 4, 2),
        ended_on=None,
        organism="GRETA",
        title="",
        qualifying=False,
        by=coach,
    )
    workflows.end(accompaniment, on=datetime.date(2026, 4, 3), reason=EndReason.JOB, by=coach)
    written = set(kinds_of(person))
    wanted = {
        ev.COACHING_START,
        ev.COACHING_END,
        ev.JOB_START,
        ev.TRAINING_START,
        ev.EXIT,
        ev.COACHING_CONTACT,
    }
    assert wanted <= written
    # The indicators read them (a kind number, not 0) and every one has a French label.
    assert all(PersonEvent.objects.filter(person=person, kind=kind).first().kind_code > 0 for kind in wanted)
    assert all(kind in ev.LABELS for kind in wanted)


def test_the_timeline_reads_the_accompaniment_events_in_french(person, coach):
    from parcours.accompaniment.models import ContactMode as Modes
    from parcours.accompaniment.models import EndReason as Reasons
    from parcours.accompaniment.models import ExitReason, JobContractType
    from parcours.indicators.events import JOB_CONTRACT_TYPES

    assert set(Programme.values) <= set(ev.PROGRAMMES)
    assert set(Reasons.values) | set(ExitReason.values) <= set(ev.MOTIVES)
    assert set(Modes.values) == set(ev.CONTACT_MODES)
    assert list(JobContractType.values) == list(JOB_CONTRACT_TYPES) == list(ev.JOB_CONTRACTS)
    accompaniment = workflows.start(person, Programme.COACHING, referents=[coach], on=MARCH_2, by=coach)
    workflows.log_contact(accompaniment, on=MARCH_2, mode="visite_entreprise", by=coach)
    workflows.end(accompaniment, on=datetime.date(2026, 3, 3), reason=EndReason.MOVED, by=coach)
    rendered = {e.kind: ev.details(e.kind, e.data) for e in PersonEvent.objects.filter(person=person)}
    assert rendered[ev.COACHING_CONTACT] == "Coaching MDIE « Réussir sans attendre », visite d'entreprise"
    assert (
        rendered[ev.COACHING_END]
        == "Coaching MDIE « Réussir sans attendre », motif : déménagement hors du département"
    )
    assert rendered[ev.EXIT] == "motif : déménagement hors du département"
