"""Messages of the aids through the one notification path: the decision told to the person
(e-mail and/or SMS, « sans coordonnées » when none), the emergency alert to the instructors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from parcours.accounts.models import Role
from parcours.aids import workflows
from parcours.appointments.models import Channel, DeliveryStatus, Message, MessageKind
from tests.accounts.factories import AgentFactory
from tests.aids.factories import EnvelopeFactory, SchemeVersionFactory, deposited, draft, instructor
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_dir(tmp_path, settings):
    settings.PARCOURS_SMS_DIR = tmp_path
    return tmp_path


def _granted(person, django_capture_on_commit_callbacks):
    version = SchemeVersionFactory()
    EnvelopeFactory(scheme=version.scheme)
    agent = instructor()
    application = deposited(person=person, scheme=version.scheme, requested_amount=Decimal("120"))
    workflows.apply(application, "start", by=agent)
    with django_capture_on_commit_callbacks(execute=True):
        workflows.grant(application, by=agent)
    return application


def test_grant_is_told_by_email_and_sms_without_amount(sms_dir, django_capture_on_commit_callbacks):
    person = PersonFactory(email="personne@example.org", phone="0612345678")
    application = _granted(person, django_capture_on_commit_callbacks)
    sent = Message.objects.filter(person=person, kind=MessageKind.AID_DECISION)
    assert {(m.channel, m.status) for m in sent} == {
        (Channel.EMAIL, DeliveryStatus.SENT),
        (Channel.SMS, DeliveryStatus.SENT),
    }
    (email,) = [m for m in mail.outbox if m.to == ["personne@example.org"]]
    assert f"Votre demande d'aide n° {application.reference} a reçu une réponse : accordée." in email.body
    assert "&#x27;" not in email.body and "120" not in email.body
    sms = "".join(p.read_text() for p in sms_dir.iterdir())
    assert f"n° {application.reference} a reçu une réponse : accordée. Un courrier suit." in sms
    assert "120" not in sms and application.scheme.name not in sms


def test_person_without_contact_is_recorded_as_not_told(django_capture_on_commit_callbacks):
    person = PersonFactory(email="", phone="")
    _granted(person, django_capture_on_commit_callbacks)
    (message,) = Message.objects.filter(person=person, kind=MessageKind.AID_DECISION)
    assert message.status == DeliveryStatus.SKIPPED and "e-mail" in message.error


def test_refusal_message(django_capture_on_commit_callbacks):
    version = SchemeVersionFactory()
    EnvelopeFactory(scheme=version.scheme)
    person = PersonFactory(email="p@example.org", phone="")
    application = deposited(person=person, scheme=version.scheme, requested_amount=Decimal("50"))
    with django_capture_on_commit_callbacks(execute=True):
        workflows.refuse(application, by=instructor(), reasons=["ressources"])
    (message,) = Message.objects.filter(person=person, kind=MessageKind.AID_DECISION)
    assert "réponse : refusée" in message.context["text"] and "essources" not in message.context["text"]


def test_emergency_deposit_alerts_instructors_without_personal_data(django_capture_on_commit_callbacks):
    on_duty = instructor(email="instructeur@example.org")
    AgentFactory(role=Role.ACCUEIL, email="accueil@example.org")
    person = PersonFactory(last_name="Zorglub")
    application = draft(person=person, emergency=True, requested_amount=Decimal("80"))
    with django_capture_on_commit_callbacks(execute=True):
        workflows.deposit(application, by=application.filed_by)
    alerts = Message.objects.filter(kind=MessageKind.AID_ALERT)
    assert [m.agent_id for m in alerts] == [on_duty.pk]
    (email,) = [m for m in mail.outbox if m.to == ["instructeur@example.org"]]
    assert "urgence" in email.body and application.reference in email.body
    assert "Zorglub" not in email.body and "ZORGLUB" not in email.body
    assert f"/aides/demandes/{application.pk}/" in email.body


def test_ordinary_deposit_alerts_nobody(django_capture_on_commit_callbacks):
    instructor(email="instructeur@example.org")
    application = draft(requested_amount=Decimal("80"))
    with django_capture_on_commit_callbacks(execute=True):
        workflows.deposit(application, by=application.filed_by)
    assert not Message.objects.filter(kind=MessageKind.AID_ALERT).exists()
