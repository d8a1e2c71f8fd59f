"""`workflows.log_contacts`: several dated contacts at once, under the rules of `log_contact`."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.accompaniment import workflows
from parcours.accompaniment.models import Contact, ContactMode, EndReason, Programme
from parcours.core.models import AuditEvent
from parcours.people.models import PersonEvent
from tests.accompaniment.factories import oriented_person
from tests.accounts.factories import AgentFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def coaching():
    coach = AgentFactory(role="coach_emploi")
    person = oriented_person(D(2025, 1, 6))
    return workflows.start(person, Programme.COACHING, referents=[coach], on=D(2025, 1, 7), by=coach), coach


def test_log_contacts_writes_the_rows_and_events_of_log_contact(coaching, django_assert_max_num_queries):
    accompaniment, coach = coaching
    audits = AuditEvent.objects.count()
    days = [D(2025, 1, 14), D(2025, 1, 8), D(2025, 1, 21)]
    with django_assert_max_num_queries(8):
        contacts = workflows.log_contacts(
            accompaniment, [(day, ContactMode.PHONE) for day in days], by=coach, note="Point hebdomadaire"
        )
    assert [contact.on for contact in contacts] == sorted(days)
    assert Contact.objects.filter(accompaniment=accompaniment, note="Point hebdomadaire").count() == 3
    events = PersonEvent.objects.filter(person=accompaniment.person, kind="accompagnement.contact")
    assert sorted(timezone.localtime(e.occurred_at).date() for e in events) == sorted(days)
    assert {(e.source, e.data["mode"], e.data["programme"]) for e in events} == {
        ("accompagnement", "telephone", "coaching")
    }
    assert all(e.kind_code > 0 for e in events)  # typed for the indicators
    assert AuditEvent.objects.count() == audits + 1
    weeks = workflows.cadence(accompaniment, D(2025, 1, 27))
    assert [week.with_contact for week in weeks[:3]] == [True, True, True]


def test_log_contacts_refuses_the_whole_batch_with_the_faulty_date(coaching):
    accompaniment, coach = coaching
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for day, message in ((D(2025, 1, 6), "précède le début"), (tomorrow, "dans le futur")):
        with pytest.raises(ValidationError, match=message):
            workflows.log_contacts(
                accompaniment, [(D(2025, 1, 8), ContactMode.PHONE), (day, ContactMode.PHONE)], by=coach
            )
    assert not Contact.objects.exists()
    workflows.end(accompaniment, on=D(2025, 2, 3), reason=EndReason.PROGRAMME_OVER, by=coach)
    with pytest.raises(ValidationError, match="terminé le 03/02/2025"):
        workflows.log_contacts(accompaniment, [(D(2025, 2, 4), ContactMode.INTERVIEW)], by=coach)
    assert workflows.log_contacts(accompaniment, [], by=coach) == []
