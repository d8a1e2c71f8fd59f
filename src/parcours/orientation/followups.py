"""Opening and closing orientation follow-ups, from the intake's events or by hand.

The intake writes `people.PersonEvent` rows; a post_save receiver (see `apps.py`) calls
`apply_event` for each new row, and `open_followups_from_events()` does the same for
rows written without signals (bulk inserts, backfills). Both are idempotent: an event
already applied, or a person who already has an open follow-up, changes nothing.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from parcours.orientation import events
from parcours.orientation.models import CloseReason, FollowUp, OrientationSettings
from parcours.people.models import PersonEvent
from parcours.territory.models import Departement

_CLOSING_KINDS = {events.RIGHTS_CLOSED: CloseReason.RIGHTS_CLOSED, events.MOVED_OUT: CloseReason.MOVED_OUT}


def departement_of(person) -> Departement:
    """The département of the person's commune, else the instance's département."""
    if person.commune_id:
        return person.commune.departement
    return Departement.objects.get(code=settings.PARCOURS_DEPARTEMENT)


def rights_opening_date(event: PersonEvent) -> datetime.date:
    """`data["rights_opening_date"]` when the intake knows it, else the event's date."""
    raw = (event.data or {}).get("rights_opening_date")
    if raw:
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            pass
    return timezone.localdate(event.occurred_at)


def open_followup(
    person, rights_opened_on: datetime.date, *, by=None, source_event: PersonEvent | None = None
) -> tuple[FollowUp, bool]:
    """Open the person's follow-up, due `due_days` after the rights opening (per département).

    Returns (follow-up, created). A person has at most one open follow-up: if one exists
    it is returned unchanged.
    """
    existing = FollowUp.objects.open().filter(person=person).first()
    if existing:
        return existing, False
    departement = departement_of(person)
    config = OrientationSettings.for_departement(departement)
    try:
        with transaction.atomic():
            followup = FollowUp.objects.create(
                person=person,
                departement=departement,
                rights_opened_on=rights_opened_on,
                due_on=rights_opened_on + datetime.timedelta(days=config.due_days),
                opened_by=by,
                source_event=source_event,
            )
    except IntegrityError:  # opened concurrently by another process
        return FollowUp.objects.open().get(person=person), False
    events.record(
        person,
        events.FOLLOWUP_OPENED,
        timezone.now(),
        followup=followup.pk,
        rights_opening_date=rights_opened_on.isoformat(),
        due_on=followup.due_on.isoformat(),
    )
    return followup, True


def close_followup(followup: FollowUp, reason: str, *, at: datetime.datetime | None = None, by=None) -> None:
    """Close the follow-up with its reason; its live invitations and future bookings are cancelled."""
    from parcours.appointments.booking import cancel_booking

    if followup.closed_at:
        return
    at = at or timezone.now()
    with transaction.atomic():
        followup.closed_at, followup.close_reason = at, reason
        followup.save(update_fields=["closed_at", "close_reason"])
        followup.invitations.filter(cancelled_at__isnull=True).update(cancelled_at=at)
        for booking in followup.bookings.filter(
            cancelled_at__isnull=True, attendance="", slot__starts_at__gt=timezone.now()
        ):
            cancel_booking(booking, record_event=False)
        followup.alerts.open().update(resolved_at=at)
    events.record(followup.person, events.FOLLOWUP_CLOSED, at, followup=followup.pk, reason=reason)


def apply_event(event: PersonEvent) -> FollowUp | None:
    """Open or close a follow-up from one intake event; other kinds are ignored."""
    if event.kind == events.RIGHTS_AND_DUTIES:
        if FollowUp.objects.filter(source_event=event).exists():
            return None
        followup, created = open_followup(event.person, rights_opening_date(event), source_event=event)
        return followup if created else None
    if event.kind in _CLOSING_KINDS:
        followup = FollowUp.objects.open().filter(person_id=event.person_id).first()
        if followup and timezone.localdate(event.occurred_at) >= followup.rights_opened_on:
            close_followup(followup, _CLOSING_KINDS[event.kind], at=event.occurred_at)
            return followup
    return None


def open_followups_from_events(since: datetime.datetime | None = None) -> dict[str, int]:
    """Apply every intake event not yet applied (optionally only those recorded since `since`)."""
    kinds = [events.RIGHTS_AND_DUTIES, *_CLOSING_KINDS]
    rows = PersonEvent.objects.filter(kind__in=kinds).exclude(
        id__in=FollowUp.objects.filter(source_event__isnull=False).values("source_event_id")
    )
    if since:
        rows = rows.filter(recorded_at__gte=since)
    counts = {"opened": 0, "closed": 0}
    for event in rows.select_related("person__commune__departement").order_by("occurred_at", "id").iterator():
        if apply_event(event):
            counts["opened" if event.kind == events.RIGHTS_AND_DUTIES else "closed"] += 1
    return counts
