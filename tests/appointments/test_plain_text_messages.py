"""Plain-text messages (e-mails, SMS) are not HTML-escaped: an apostrophe stays an apostrophe."""

import pytest
from django.core import mail

from parcours.appointments.models import Channel, MessageKind
from parcours.appointments.notifications import deliver, queue
from tests.accounts.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_agent_alert_email_keeps_apostrophes():
    agent = AgentFactory()
    messages = queue(
        MessageKind.FRONT_DOOR_ALERT,
        [Channel.EMAIL],
        agent=agent,
        context={"text": "L'élément « aide d'urgence » n'a pas été pris.", "path": "/premier-accueil/"},
    )
    deliver(messages)
    body = mail.outbox[-1].body
    assert "L'élément « aide d'urgence » n'a pas été pris." in body
    assert "&#x27;" not in body
