"""The SQL status (`FollowUp.objects.with_status()`) agrees with the replayed one (`derive`)."""

import datetime

import pytest
from django.utils import timezone

from parcours.appointments.booking import book, cancel_booking, record_attendance
from parcours.appointments.models import Booking, Invitation
from parcours.orientation.decisions import decide_orientation
from parcours.orientation.followups import close_followup
from parcours.orientation.models import FollowUp
from parcours.orientation.status import Status, derive
from tests.appointments.factories import SlotFactory
from tests.orientation.factories import FollowUpFactory

pytestmark = pytest.mark.django_db


def at(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def assert_same_status(followup, expected: str) -> None:
    replayed = derive(FollowUp.objects.get(pk=followup.pk))
    annotated = FollowUp.objects.with_status().get(pk=followup.pk)
    assert replayed.status == expected
    assert annotated.derived_status == expected
    if expected != Status.TO_INVITE:
        assert annotated.status_since == replayed.since
    assert FollowUp.objects.with_status().filter(derived_status=expected).get() == followup


def invite(followup, created: float, expires: float, kind: str = "invitation") -> Invitation:
    return Invitation.objects.create(
        followup=followup, person=followup.person, kind=kind, created_at=at(created), expires_at=at(expires)
    )


def attend(followup, attendance: str) -> Booking:
    booking = book(SlotFactory(starts_at=at(0.01)), followup, channel="agent")
    booking.slot.starts_at = at(-0.01)
    booking.slot.save()
    return record_attendance(booking, attendance, by=None)


@pytest.fixture
def followup(departement):
    return FollowUpFactory(
        departement=departement, rights_opened_on=timezone.localdate() - datetime.timedelta(days=20)
    )


def test_every_transition_gives_the_same_status_in_sql(followup):
    assert_same_status(followup, Status.TO_INVITE)
    invitation = invite(followup, -15, 5)
    assert_same_status(followup, Status.INVITED)
    invitation.expires_at = at(-5)
    invitation.save()
    assert_same_status(followup, Status.INVITATION_EXPIRED)
    booking = book(SlotFactory(starts_at=at(0.5)), followup, channel="convocation")
    assert_same_status(followup, Status.BOOKED)
    cancel_booking(booking)
    assert_same_status(followup, Status.INVITATION_EXPIRED)
    attend(followup, "absent")
    assert_same_status(followup, Status.ABSENT)
    invite(followup, 0, 10, kind="convocation")
    assert_same_status(followup, Status.INVITED)
    decide_orientation(followup.person, kind="sociale", organism="ccas", by=None, followup=followup)
    assert_same_status(followup, Status.ORIENTED)
    close_followup(followup, "manuelle")
    assert_same_status(followup, Status.CLOSED)


@pytest.mark.parametrize(("attendance", "status"), [("honore", Status.HONOURED), ("excuse", Status.EXCUSED)])
def test_attendance_in_sql(followup, attendance, status):
    attend(followup, attendance)
    assert_same_status(followup, status)


def test_a_booking_cancelled_while_the_invitation_is_live_gives_invited(followup):
    invitation = invite(followup, -2, 8)
    booking = book(SlotFactory(starts_at=at(2)), followup, invitation=invitation)
    assert_same_status(followup, Status.BOOKED)
    cancel_booking(booking)
    assert_same_status(followup, Status.INVITED)


def test_an_answered_invitation_does_not_expire(followup):
    invitation = invite(followup, -15, 5)
    book(SlotFactory(starts_at=at(2)), followup, invitation=invitation)
    invitation.expires_at = at(-1)
    invitation.save()
    assert_same_status(followup, Status.BOOKED)
