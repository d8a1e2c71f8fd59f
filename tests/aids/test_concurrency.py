"""No overspend under concurrency: instructors granting at the same moment (threads released by a
barrier, each with its own PostgreSQL connection) through `aids.workflows.grant`; exactly as many
grants succeed as the envelope holds, the others are told what is left. And the database's check
constraint stands behind the conditional UPDATE: a raw over-commit is rejected."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from parcours.aids import workflows
from parcours.aids.models import AidApplication, AidEvent, ApplicationState, Envelope
from tests.aids.factories import EnvelopeFactory, SchemeVersionFactory, deposited, instructor

THREADS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(2))
def test_concurrent_grants_never_overspend(round_):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency test for PostgreSQL")
    version = SchemeVersionFactory()
    envelope = EnvelopeFactory(scheme=version.scheme, euros=Decimal("500"))  # 5 grants of 100 € fit
    agents = [instructor(last_name=f"Instructeur{round_}-{n}") for n in range(THREADS)]
    applications = []
    for agent in agents:
        application = deposited(scheme=version.scheme, requested_amount=Decimal("100"))
        workflows.apply(application, "start", by=agent)
        applications.append(application)
    barrier = threading.Barrier(THREADS)
    outcomes: dict[int, str] = {}

    def attempt(agent, application_id):
        try:
            application = AidApplication.objects.select_related("scheme", "version", "person").get(
                pk=application_id
            )
            barrier.wait()
            workflows.grant(application, by=agent)
            outcomes[application_id] = "granted"
        except ValidationError as error:
            outcomes[application_id] = " ".join(error.messages)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(agent, application.pk))
        for agent, application in zip(agents, applications, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == THREADS
    granted = [pk for pk, outcome in outcomes.items() if outcome == "granted"]
    refused = [outcome for outcome in outcomes.values() if outcome != "granted"]
    assert len(granted) == 5
    assert len(refused) == THREADS - 5
    assert all("n'a plus que 0,00" in message for message in refused), refused
    envelope.refresh_from_db()
    assert envelope.committed_cents == 50000 and envelope.consumed_cents == 0
    assert envelope.committed_cents + envelope.consumed_cents <= envelope.amount_cents
    states = dict(AidApplication.objects.filter(pk__in=outcomes).values_list("pk", "state"))
    assert sorted(pk for pk, state in states.items() if state == ApplicationState.GRANTED) == sorted(granted)
    assert AidEvent.objects.filter(kind="aide.accordee", envelope=envelope).count() == 5


@pytest.mark.django_db
def test_check_constraint_rejects_a_raw_over_commit():
    envelope = EnvelopeFactory(euros=Decimal("100"), committed_cents=6000, consumed_cents=4000)
    with pytest.raises(IntegrityError), transaction.atomic():
        Envelope.objects.filter(pk=envelope.pk).update(committed_cents=F("committed_cents") + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Envelope.objects.filter(pk=envelope.pk).update(amount_cents=9999)
    envelope.refresh_from_db()
    assert (envelope.amount_cents, envelope.committed_cents, envelope.consumed_cents) == (10000, 6000, 4000)
