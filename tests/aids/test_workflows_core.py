"""The core of the aids' state machine: filing, deadlines, the clock paused, decisions, the
envelope's commitments."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from parcours.aids import workflows
from parcours.aids.models import AidEvent, ApplicationState, Decider, DocumentStatus
from tests.aids.factories import EnvelopeFactory, SchemeVersionFactory, deposited, draft, instructor

pytestmark = pytest.mark.django_db


def test_deposit_sets_deadline_and_writes_event():
    application = deposited(emergency=True, requested_amount=Decimal("120"))
    assert application.state == ApplicationState.SUBMITTED
    assert application.due_at is not None and application.due_at > application.deposited_at
    assert AidEvent.objects.filter(application=application, kind="aide.deposee").count() == 1
    assert [t.to_state for t in application.transitions.all()] == ["brouillon", "deposee"]


def test_amount_above_ceiling_is_refused():
    with pytest.raises(ValidationError, match="dépasse le plafond"):
        draft(requested_amount=Decimal("900"))


def test_grant_commits_and_exhausted_envelope_refuses():
    version = SchemeVersionFactory()
    EnvelopeFactory(scheme=version.scheme, euros=Decimal("150"))
    agent = instructor()
    first = deposited(scheme=version.scheme, requested_amount=Decimal("100"))
    second = deposited(scheme=version.scheme, requested_amount=Decimal("100"))
    for application in (first, second):
        workflows.apply(application, "start", by=agent)
    workflows.grant(first, by=agent)
    first.envelope.refresh_from_db()
    assert first.envelope.committed == Decimal("100.00")
    with pytest.raises(ValidationError, match="n'a plus que 50,00"):
        workflows.grant(second, by=agent)
    second.refresh_from_db()
    assert second.state == ApplicationState.INSTRUCTION


def test_commission_scheme_cannot_be_decided_alone():
    version = SchemeVersionFactory(decider=Decider.COMMISSION)
    EnvelopeFactory(scheme=version.scheme)
    application = deposited(scheme=version.scheme, requested_amount=Decimal("100"))
    agent = instructor()
    workflows.apply(application, "start", by=agent)
    with pytest.raises(ValidationError, match="décidée par la commission"):
        workflows.grant(application, by=agent)


def test_missing_document_blocks_grant_and_pause_moves_deadline():
    version = SchemeVersionFactory(documents=[{"code": "devis", "label": "Devis"}])
    EnvelopeFactory(scheme=version.scheme)
    application = deposited(scheme=version.scheme, requested_amount=Decimal("100"))
    agent = instructor()
    workflows.apply(application, "start", by=agent)
    with pytest.raises(ValidationError) as error:
        workflows.grant(application, by=agent)
    assert "Devis" in str(error.value)
    assert not application.documents.filter(status=DocumentStatus.VALID).exists()


def test_same_scheme_twice_is_refused():
    application = deposited(requested_amount=Decimal("100"))
    with pytest.raises(ValidationError, match="déjà en cours"):
        deposited(person=application.person, scheme=application.scheme, requested_amount=Decimal("50"))


def test_an_aid_granted_in_commission_is_cancelled_by_the_head_of_service():
    from django.utils import timezone

    from parcours.accounts.models import Role
    from parcours.aids.models import CommissionSession
    from tests.accounts.factories import AgentFactory

    version = SchemeVersionFactory(decider=Decider.COMMISSION)
    EnvelopeFactory(scheme=version.scheme, euros=Decimal("500"))
    application = deposited(scheme=version.scheme, requested_amount=Decimal("200"))
    agent = instructor()
    workflows.apply(application, "start", by=agent)
    session = CommissionSession.objects.create(held_on=timezone.now(), created_by=agent)
    application.commission = session
    application.save()
    workflows.apply(application, "to_commission", by=agent)
    workflows.grant(application, by=agent, commission=session)
    with pytest.raises(ValidationError, match="chef de service"):
        workflows.cancel(application, by=agent, note="Déménagement")
    workflows.cancel(application, by=AgentFactory(role=Role.MANAGER), note="Déménagement")
    application.refresh_from_db()
    application.envelope.refresh_from_db()
    assert application.state == ApplicationState.CANCELLED
    assert application.envelope.committed == Decimal("0.00")
