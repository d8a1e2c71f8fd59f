"""`parcours demo-aids`: the catalogue, its envelopes and months of applications replayed through the
aids' workflows (no state, transition or event written by the demo itself)."""

import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count

from parcours.accounts.models import Agent
from parcours.aids import event_kinds
from parcours.aids.models import (
    AidApplication,
    AidEvent,
    ApplicationState,
    ApplicationTransition,
    CommissionSession,
    Envelope,
    Payment,
    PaymentBatch,
    PaymentState,
    Recovery,
    SchemeFamily,
)
from parcours.aids.queue import queue
from parcours.aids.workflows import EVENT_OF
from parcours.appointments.calendar import local_datetime
from parcours.demo.agents import create_demo_agents, front_door_agents
from parcours.demo.aids import simulate_aids
from parcours.rsa.models import RightState, RsaRight
from tests.people.factories import MemberFactory, PersonFactory

NOW = local_datetime(datetime.date(2026, 12, 1), datetime.time(17, 30))  # 12 days after a session


@pytest.fixture
def population(territory, settings, tmp_path, monkeypatch):
    """A few dozen persons of each kind the schemes need, in the small Nord of tests/demo."""
    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("OPENFISCA_URL", "http://127.0.0.1:9")  # nothing answers: « Simulation indisponible »
    monkeypatch.setenv("OPENFISCA_TIMEOUT", "1")
    communes = [territory["city"], territory["town"], territory["village"]]
    today = NOW.date()
    for n in range(180):
        age = (17 + n % 8) if n < 100 else (30 + n % 30)
        birth = datetime.date(today.year - age, 1 + n % 12, 1 + n % 27)
        person = PersonFactory(commune=communes[n % 3], birth_date=birth)
        if n >= 100:
            member = MemberFactory(person=person)
            RsaRight.objects.create(
                household=member.household, request_number=f"{59_100_000_000 + n:011d}",
                state=RightState.OPEN_PAID, reference_date=today,
                members=[{"person": person.pk, "role": "DEM", "duties": True}],
            )  # fmt: skip
    create_demo_agents("59")
    front_door_agents("59")


@pytest.mark.django_db
def test_demo_aids_plays_every_state_through_the_workflows(population):
    outcome = simulate_aids("59", 1, months=6, per_month=25, now=NOW)
    assert outcome.created
    applications = AidApplication.objects.all()
    states = set(applications.values_list("state", flat=True))
    assert set(ApplicationState.values) - states <= {ApplicationState.ADJOURNED}, states
    filers = set(applications.values_list("filed_by__username", flat=True))
    assert {"demo.accueil", "demo.referent", "demo.coach"} <= filers
    # Decided by the instructor, the head of service and the monthly commission.
    assert CommissionSession.objects.filter(state="tenue").count() >= 5
    assert CommissionSession.objects.filter(state="prevue", held_on__gt=NOW).exists()
    deciders = set(applications.exclude(decided_by=None).values_list("decided_by__username", flat=True))
    assert {"demo.aides", "demo.manager"} <= deciders
    # Payments by batches, the students' grant suspended once, one undue payment recovered.
    assert PaymentBatch.objects.filter(state="paye").count() >= 10
    assert Payment.objects.filter(state=PaymentState.SUSPENDED).exists()
    assert Recovery.objects.count() == 1
    # Refusals state their reasons; emergencies mostly decided within 48 hours.
    refused = applications.filter(state="refusee")
    assert refused.exists() and not refused.filter(decision_reasons=[]).exists()
    emergencies = list(applications.filter(emergency=True).exclude(decided_at=None))
    on_time = [a for a in emergencies if a.decided_at - a.deposited_at <= datetime.timedelta(hours=48)]
    assert len(emergencies) >= 10 and 0.7 <= len(on_time) / len(emergencies) < 1
    # Some envelopes end close to exhaustion, none overspent.
    envelopes = list(Envelope.objects.filter(year=2026))
    assert all(e.committed_cents + e.consumed_cents <= e.amount_cents for e in envelopes)
    assert any(e.committed_cents + e.consumed_cents >= 0.8 * e.amount_cents for e in envelopes)
    # The cumulation proposals carry their simulation (OpenFisca down in the test: « indisponible »).
    proposals = applications.filter(scheme__family=SchemeFamily.CUMULATION)
    assert proposals.exists() and all(a.simulation.get("status") == "indisponible" for a in proposals)
    # The instructor's queue today: emergencies first.
    instructor = Agent.objects.get(username="demo.aides")
    waiting = list(queue(instructor)[:20])
    assert waiting and waiting[0].emergency
    assert applications.filter(state="brouillon").exists()

    # Every event was written by a workflow: one per transition (but the draft's creation), one per
    # payment, one per release, per recovery, per suspension, per cumulation proposal.
    events = dict(AidEvent.objects.values_list("kind").annotate(n=Count("id")))
    transitions = dict(
        ApplicationTransition.objects.exclude(name="create").values_list("name").annotate(n=Count("id"))
    )
    for name, count in transitions.items():
        assert events.get(EVENT_OF[name]) == count, name
    assert events.get(event_kinds.PAYMENT) == Payment.objects.filter(state=PaymentState.PAID).count()
    assert events.get(event_kinds.CUMULATION_PROPOSED) == proposals.count()
    assert events.get(event_kinds.RECOVERY_OPENED) == 1
    assert events.get(event_kinds.RELEASED, 0) == applications.filter(state="annulee").count()
    accounted = set(EVENT_OF.values()) | {
        event_kinds.PAYMENT, event_kinds.CUMULATION_PROPOSED, event_kinds.RECOVERY_OPENED,
        event_kinds.RECOVERY_SETTLED, event_kinds.RELEASED, event_kinds.PAYMENT_SUSPENDED,
        event_kinds.PAYMENT_RESUMED,
    }  # fmt: skip
    assert set(events) <= accounted

    # A second run does nothing.
    count = applications.count()
    call_command("demo_aids", "--departement", "59")
    assert AidApplication.objects.count() == count
