"""Opening and closing orientation follow-ups, from the intake's events or by hand.

The intake writes `people.PersonEvent` rows; a post_save receiver (see `apps.py`) calls
`apply_event` for each new row, and `open_followups_from_events()` does the same for
rows written without signals: the CNAF import calls it at the end of every import (web or
command line, `open_followups_after_import`), and the daily pipeline (`orientation/tasks.py`)
catches anything left. An agent opening a follow-up by hand goes through `open_followup`,
as the events do. All are idempotent: an event already applied, or a person who already has
an open follow-up, changes nothing.

Only rights opened within `PARCOURS_FOLLOWUP_HORIZON_DAYS` (365 by default) open a
follow-up: a person soumis à droits et devoirs for longer belongs to the stock whose
orientation predates these events (a first import of the whole flux, or the demo's
`generate-history`), not to the new entrants to invite.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from parcours.orientation import events
from parcours.orientation.models import CloseReason, FollowUp, OrientationSettings
from parcours.people.models import PersonEvent
from parcours.privacy.restriction import exclude_restricted, is_restricted
from parcours.territory.models import Departement

_CLOSING_KINDS = {events.RIGHTS_CLOSED: CloseReason.RIGHTS_CLOSED, events.MOVED_OUT: CloseReason.MOVED_OUT}


def horizon_start(now: datetime.datetime | None = None) -> datetime.date:
    """The earliest rights opening (or intake event) that still opens a follow-up by itself."""
    days = settings.PARCOURS_FOLLOWUP_HORIZON_DAYS
    return timezone.localdate(now) - datetime.timedelta(days=days)


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
    person,
    rights_opened_on: datetime.date,
    *,
    by=None,
    source_event: PersonEvent | None = None,
    at: datetime.datetime | None = None,
) -> tuple[FollowUp, bool]:
    """Open the person's follow-up, due `due_days` after the rights opening (per département).

    Returns (follow-up, created). A person has at most one open follow-up: if one exists
    it is returned unchanged. `at` (default: now) dates the opening, for batch runs that work
    at a given instant.
    """
    at = at or timezone.now()
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
                opened_at=at,
            )
    except IntegrityError:  # opened concurrently by another process
        return FollowUp.objects.open().get(person=person), False
    events.record(
        person,
        events.FOLLOWUP_OPENED,
        at,
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


def apply_event(
    event: PersonEvent, now: datetime.datetime | None = None, *, restriction_checked: bool = False
) -> FollowUp | None:
    """Open or close a follow-up from one intake event; other kinds are ignored, and so are
    rights opened before `horizon_start()` and the events of a person under a restriction of
    processing (`privacy.restriction`: left unapplied, applied once it is lifted)."""
    if (
        not restriction_checked
        and event.kind in (events.RIGHTS_AND_DUTIES, *_CLOSING_KINDS)
        and is_restricted(event.person_id)
    ):
        return None
    if event.kind == events.RIGHTS_AND_DUTIES:
        opened_on = rights_opening_date(event)
        if opened_on < horizon_start(now) or FollowUp.objects.filter(source_event=event).exists():
            return None
        followup, created = open_followup(event.person, opened_on, source_event=event, at=now)
        return followup if created else None
    if event.kind in _CLOSING_KINDS:
        followup = FollowUp.objects.open().filter(person_id=event.person_id).first()
        if followup and timezone.localdate(event.occurred_at) >= followup.rights_opened_on:
            close_followup(followup, _CLOSING_KINDS[event.kind], at=event.occurred_at)
            return followup
    return None


def open_followups_from_events(
    since: datetime.datetime | None = None, now: datetime.datetime | None = None
) -> dict[str, int]:
    """Apply every intake event not yet applied (optionally only those recorded since `since`),
    as of `now` (default: now; an event dated later waits for its day).

    Events dated before the horizon are not read at all: the intake dates a duties event on or
    after the rights opening, so none of them could open a follow-up."""
    kinds = [events.RIGHTS_AND_DUTIES, *_CLOSING_KINDS]
    earliest = timezone.make_aware(datetime.datetime.combine(horizon_start(now), datetime.time.min))
    rows = PersonEvent.objects.filter(
        kind__in=kinds, occurred_at__gte=earliest, occurred_at__lte=now or timezone.now()
    ).exclude(id__in=FollowUp.objects.filter(source_event__isnull=False).values("source_event_id"))
    if since:
        rows = rows.filter(recorded_at__gte=since)
    rows = exclude_restricted(rows, "person")
    counts = {"opened": 0, "closed": 0}
    for event in rows.select_related("person__commune__departement").order_by("occurred_at", "id").iterator():
        if apply_event(event, now, restriction_checked=True):
            counts["opened" if event.kind == events.RIGHTS_AND_DUTIES else "closed"] += 1
    return counts


def open_followups_after_import(batch_id: int | None) -> dict[str, int]:
    """Apply the intake events import `batch_id` wrote in bulk (no signal): called when a CNAF
    import ends, from the web (in its task) or the command line. A simulation opens nothing."""
    from parcours.imports.models import ImportBatch

    batch = ImportBatch.objects.filter(pk=batch_id, dry_run=False).first() if batch_id else None
    if batch is None:
        return {"opened": 0, "closed": 0}
    counts = open_followups_from_events(since=batch.started_at)
    # The same rights events end the open accompaniments (fin_droits, demenagement).
    from parcours.accompaniment.tasks import close_after_rights_events

    counts["accompaniments_ended"] = close_after_rights_events()["ended"]
    return counts
