import datetime

import pytest
from django.utils import timezone

from parcours.appointments.booking import book, cancel_booking, record_attendance
from parcours.appointments.models import Invitation
from parcours.orientation.decisions import decide_orientation
from parcours.orientation.followups import open_followup, open_followups_from_events
from parcours.orientation.models import FollowUp, OrientationSettings
from parcours.orientation.status import Status, derive
from parcours.people.models import PersonEvent
from tests.appointments.factories import SlotFactory
from tests.orientation.factories import FollowUpFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def rights_event(person, day, **data):
    return PersonEvent.objects.create(
        person=person,
        kind="rsa.droits_devoirs",
        occurred_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(8))),
        source="test",
        data=data,
    )


def test_rights_event_opens_a_followup_due_30_days_after_rights_opening(departement):
    person = PersonFactory(commune__departement=departement)
    opened_on = timezone.localdate() - datetime.timedelta(days=25)
    rights_event(person, opened_on + datetime.timedelta(days=19), rights_opening_date=opened_on.isoformat())

    followup = FollowUp.objects.get(person=person)
    assert followup.rights_opened_on == opened_on
    assert followup.due_on == opened_on + datetime.timedelta(days=30)
    assert followup.pathway.status == Status.TO_INVITE
    assert person.events.filter(kind="orientation.suivi_ouvert").count() == 1


def test_due_days_are_configured_per_departement(departement):
    OrientationSettings.objects.create(departement=departement, due_days=45)
    person = PersonFactory(commune__departement=departement)
    day = timezone.localdate() - datetime.timedelta(days=10)
    rights_event(person, day)  # no rights_opening_date: the event's date

    assert FollowUp.objects.get(person=person).due_on == day + datetime.timedelta(days=45)


def test_events_written_without_signals_are_applied_once(departement):
    person = PersonFactory(commune__departement=departement)
    PersonEvent.objects.bulk_create(
        [
            PersonEvent(
                person=person, kind="rsa.droits_devoirs", occurred_at=timezone.now(), data={}, source="flux"
            )
        ]
    )
    assert open_followups_from_events() == {"opened": 1, "closed": 0}
    assert open_followups_from_events() == {"opened": 0, "closed": 0}
    assert FollowUp.objects.filter(person=person).count() == 1


@pytest.mark.parametrize(
    ("kind", "reason"), [("rsa.cloture", "droits_clos"), ("rsa.depart_departement", "depart_departement")]
)
def test_closure_or_departure_while_invited_closes_the_followup_and_frees_the_seat(departement, kind, reason):
    person = PersonFactory(commune__departement=departement)
    rights_event(person, timezone.localdate() - datetime.timedelta(days=5))
    followup = FollowUp.objects.get(person=person)
    invitation = Invitation.objects.create(
        followup=followup,
        person=person,
        kind="invitation",
        expires_at=timezone.now() + datetime.timedelta(days=10),
    )
    slot = SlotFactory()
    book(slot, followup, invitation=invitation)

    PersonEvent.objects.create(person=person, kind=kind, occurred_at=timezone.now(), source="flux")

    followup.refresh_from_db()
    slot.refresh_from_db()
    invitation.refresh_from_db()
    assert followup.close_reason == reason
    assert derive(followup).status == Status.CLOSED
    assert slot.seats_taken == 0
    assert invitation.cancelled_at is not None


def test_manual_opening_is_idempotent(departement):
    person = PersonFactory(commune__departement=departement)
    first, created = open_followup(person, datetime.date(2026, 1, 5))
    again, created_again = open_followup(person, datetime.date(2026, 1, 9))
    assert created and not created_again
    assert first == again


def at(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def test_status_is_derived_step_by_step_with_dates(departement):
    followup = FollowUpFactory(
        departement=departement, rights_opened_on=timezone.localdate() - datetime.timedelta(days=20)
    )
    assert derive(followup).status == Status.TO_INVITE

    invitation = Invitation.objects.create(
        followup=followup, person=followup.person, kind="invitation", created_at=at(-15), expires_at=at(-5)
    )
    assert derive(followup, now=at(-10)).status == Status.INVITED
    expired = derive(followup)
    assert expired.status == Status.INVITATION_EXPIRED
    assert expired.date_of(Status.INVITED) == invitation.created_at
    assert expired.date_of(Status.INVITATION_EXPIRED) == invitation.expires_at

    slot = SlotFactory(starts_at=at(0.5))
    booking = book(slot, followup, channel="convocation")
    assert derive(followup).status == Status.BOOKED

    cancel_booking(booking)
    assert derive(followup).status == Status.INVITATION_EXPIRED  # the invitation is no longer live

    slot2 = SlotFactory(starts_at=at(0.01))
    booking2 = book(slot2, followup, channel="agent")
    booking2.slot.starts_at = at(-0.01)
    booking2.slot.save()
    record_attendance(booking2, "absent", by=None)
    assert derive(followup).status == Status.ABSENT

    decide_orientation(followup.person, followup=followup, kind="sociale", organism="service_social", by=None)
    state = derive(followup)
    assert state.status == Status.ORIENTED
    assert [step.status for step in state.steps] == [
        Status.TO_INVITE,
        Status.INVITED,
        Status.INVITATION_EXPIRED,
        Status.BOOKED,
        Status.INVITATION_EXPIRED,
        Status.BOOKED,
        Status.ABSENT,
        Status.ORIENTED,
    ]


def test_cancelling_while_the_invitation_is_live_returns_to_invited(departement):
    followup = FollowUpFactory(departement=departement)
    invitation = Invitation.objects.create(
        followup=followup, person=followup.person, kind="invitation", created_at=at(-1), expires_at=at(9)
    )
    booking = book(SlotFactory(), followup, invitation=invitation)
    cancel_booking(booking)
    assert derive(followup).status == Status.INVITED


def test_honoured_and_excused_statuses(departement):
    followup = FollowUpFactory(departement=departement)
    booking = book(SlotFactory(starts_at=at(0.01)), followup, channel="agent")
    booking.slot.starts_at = at(-0.01)
    booking.slot.save()
    record_attendance(booking, "excuse", by=None)
    assert derive(followup).status == Status.EXCUSED
    booking2 = book(SlotFactory(starts_at=at(0.02)), followup, channel="agent")
    booking2.slot.starts_at = at(-0.005)
    booking2.slot.save()
    record_attendance(booking2, "honore", by=None)
    assert derive(followup).status == Status.HONOURED


def test_worklist_querysets(departement):
    today = timezone.localdate()
    soon = FollowUpFactory(departement=departement, rights_opened_on=today - datetime.timedelta(days=25))
    late = FollowUpFactory(departement=departement, rights_opened_on=today - datetime.timedelta(days=40))
    oriented_late = FollowUpFactory(
        departement=departement, rights_opened_on=today - datetime.timedelta(days=40)
    )
    decide_orientation(oriented_late.person, followup=oriented_late, kind="sociale", organism="ccas", by=None)
    FollowUpFactory(departement=departement, rights_opened_on=today)

    assert list(FollowUp.objects.due_within(7)) == [soon]
    assert list(FollowUp.objects.overdue()) == [late]


def test_old_rights_events_open_no_followup_even_from_the_daily_run(departement):
    """`generate-history --year 2019` writes years-old duties events without signals: the daily
    run opened follow-ups due in 2013 and 2019 from them."""
    person = PersonFactory(commune__departement=departement)
    PersonEvent.objects.bulk_create(
        [
            PersonEvent(
                person=person,
                kind="rsa.droits_devoirs",
                occurred_at=timezone.make_aware(datetime.datetime(2019, 3, 4, 8)),
                data={"rights_opening_date": "2013-01-07"},
                source="historique-demo",
            )
        ]
    )
    assert open_followups_from_events() == {"opened": 0, "closed": 0}
    assert not FollowUp.objects.exists()


def test_a_run_at_a_past_instant_dates_the_opening_and_leaves_later_events(departement):
    today = timezone.localdate()
    earlier, later = (
        PersonFactory(commune__departement=departement),
        PersonFactory(commune__departement=departement),
    )
    for person, days_ago in ((earlier, 10), (later, 2)):
        PersonEvent.objects.bulk_create(
            [
                PersonEvent(
                    person=person,
                    kind="rsa.droits_devoirs",
                    occurred_at=timezone.make_aware(
                        datetime.datetime.combine(today - datetime.timedelta(days=days_ago), datetime.time())
                    ),
                    source="cnaf",
                )
            ]
        )
    run_at = timezone.now() - datetime.timedelta(days=5)
    assert open_followups_from_events(now=run_at) == {"opened": 1, "closed": 0}
    followup = FollowUp.objects.get()
    assert followup.person == earlier and followup.opened_at == run_at
    assert open_followups_from_events() == {"opened": 1, "closed": 0}
