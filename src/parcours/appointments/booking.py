"""Booking, moving and cancelling seats, and recording attendance.

The seat is taken by one conditional UPDATE (`seats_taken < seats`) inside the booking's
transaction. On PostgreSQL a concurrent UPDATE of the same row waits for the first to
commit, then re-checks the condition and matches no row; SQLite serialises writers. So
of two people taking the last seat at the same moment exactly one wins; the other gets
`SlotUnavailable`, whose message can be shown as is.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from parcours.appointments.models import Attendance, Booking, BookingChannel, Invitation, Slot
from parcours.orientation import events

_ATTENDANCE_EVENTS = {
    Attendance.HONOURED: events.APPOINTMENT_HONOURED,
    Attendance.ABSENT: events.APPOINTMENT_ABSENT,
    Attendance.EXCUSED: events.APPOINTMENT_EXCUSED,
}


class BookingError(Exception):
    """A booking that cannot be made; `str(error)` is a message for the person or the agent."""


class SlotUnavailable(BookingError):
    pass


def _take_seat(slot: Slot, now) -> None:
    taken = Slot.objects.filter(
        pk=slot.pk, cancelled_at__isnull=True, seats_taken__lt=F("seats"), starts_at__gt=now
    ).update(seats_taken=F("seats_taken") + 1)
    if not taken:
        raise SlotUnavailable(
            "Ce créneau n'est plus disponible : il vient d'être réservé par quelqu'un d'autre. "
            "Choisissez un autre créneau."
        )


def _release_seat(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)


def book(
    slot: Slot,
    followup,
    *,
    channel: str = BookingChannel.PUBLIC,
    invitation: Invitation | None = None,
    replacing: Booking | None = None,
    at=None,
) -> Booking:
    """Take a seat of `slot` for the follow-up (cancelling `replacing` in the same transaction).

    Raises `SlotUnavailable` if the slot is full, cancelled or past, `BookingError` if the
    follow-up is closed or already has an appointment awaiting its outcome. `at` (default:
    now) dates the booking, for batch runs that work at a given instant.
    """
    if followup.closed_at:
        raise BookingError("Ce suivi est clos : il n'est plus possible de prendre rendez-vous.")
    now = at or timezone.now()
    try:
        with transaction.atomic():
            if replacing is not None:
                _cancel(replacing, now)
            _take_seat(slot, now)
            booking = Booking.objects.create(
                slot=slot,
                followup=followup,
                person_id=followup.person_id,
                invitation=invitation,
                channel=channel,
                booked_at=now,
            )
    except IntegrityError:
        raise BookingError("Un rendez-vous est déjà prévu : déplacez-le ou annulez-le d'abord.")
    if replacing is not None:
        events.record(followup.person, events.APPOINTMENT_CANCELLED, now, booking=replacing.pk, moved=True)
    events.record(
        followup.person,
        events.APPOINTMENT_BOOKED,
        now,
        booking=booking.pk,
        followup=followup.pk,
        site=slot.site_id,
        slot_starts_at=slot.starts_at.isoformat(),
        channel=channel,
    )
    return booking


def _cancel(booking: Booking, at) -> None:
    updated = Booking.objects.filter(pk=booking.pk, cancelled_at__isnull=True, attendance="").update(
        cancelled_at=at
    )
    if not updated:
        raise BookingError("Ce rendez-vous a déjà été annulé ou a déjà eu lieu.")
    booking.cancelled_at = at
    _release_seat(booking.slot_id)


def move_booking(booking: Booking, slot: Slot) -> Booking:
    """Move to another slot: the old seat is released only if the new one is taken."""
    if booking.slot.starts_at <= timezone.now():
        raise BookingError("Ce rendez-vous est passé : il ne peut plus être déplacé.")
    return book(
        slot, booking.followup, channel=booking.channel, invitation=booking.invitation, replacing=booking
    )


def cancel_booking(booking: Booking, *, record_event: bool = True) -> None:
    """Cancel a booking that has not taken place and free its seat."""
    now = timezone.now()
    with transaction.atomic():
        _cancel(booking, now)
    if record_event:
        events.record(booking.followup.person, events.APPOINTMENT_CANCELLED, now, booking=booking.pk)


def record_attendance(booking: Booking, attendance: str, *, by) -> Booking:
    """Record presence, absence or excuse, from the day of the appointment on."""
    if attendance not in Attendance.values:
        raise ValidationError("Présence inconnue.")
    if booking.cancelled_at:
        raise ValidationError("Ce rendez-vous a été annulé.")
    if timezone.localdate(booking.slot.starts_at) > timezone.localdate():
        raise ValidationError("La présence se note à partir du jour du rendez-vous.")
    if booking.attendance == attendance:
        return booking  # already recorded (a form sent twice): no second event
    booking.attendance = attendance
    booking.attendance_recorded_at = timezone.now()
    booking.attendance_recorded_by = by
    booking.save(update_fields=["attendance", "attendance_recorded_at", "attendance_recorded_by"])
    events.record(
        booking.person, _ATTENDANCE_EVENTS[attendance], booking.slot.starts_at, booking=booking.pk,
        followup=booking.followup_id, site=booking.slot.site_id,
    )  # fmt: skip
    return booking
