"""Slots generated from the agents' weekly opening hours.

`generate_slots(start, end)` cuts each opening period into slots of its type's duration,
skipping public holidays of the site's département. Durations are real (absolute) time:
a period across a daylight-saving change yields the slots that really fit in it.
Idempotent: a slot already generated for an agent at a given instant is not duplicated.
"""

from __future__ import annotations

import datetime

from django.db.models import Q

from parcours.appointments.calendar import PARIS, is_public_holiday, local_datetime
from parcours.appointments.models import OpeningHours, Slot


def slot_times(day: datetime.date, opening: OpeningHours, duration: datetime.timedelta):
    """The (start, end) instants of the slots of one opening period on one day."""
    start = local_datetime(day, opening.starts_at)
    end = local_datetime(day, opening.ends_at)
    # Step in UTC so that each slot lasts `duration` of real time.
    current = start.astimezone(datetime.UTC)
    end_utc = end.astimezone(datetime.UTC)
    while current + duration <= end_utc:
        yield current.astimezone(PARIS), (current + duration).astimezone(PARIS)
        current += duration


def generate_slots(start: datetime.date, end: datetime.date, *, sites=None) -> int:
    """Create the slots of every opening period from `start` to `end` (inclusive); returns how many."""
    openings = OpeningHours.objects.select_related("site__departement", "slot_type", "agent").filter(
        agent__is_active=True
    )
    if sites is not None:
        openings = openings.filter(site__in=sites)
    openings = openings.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end)).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=start)
    )
    openings = list(openings)
    if not openings:
        return 0
    # Keys in UTC: aware datetimes of different zones never compare equal in a DST fold (PEP 495).
    existing = {
        (agent_id, starts_at.astimezone(datetime.UTC))
        for agent_id, starts_at in Slot.objects.filter(
            agent__in={o.agent_id for o in openings},
            cancelled_at__isnull=True,
            starts_at__gte=local_datetime(start, datetime.time()) - datetime.timedelta(days=1),
            starts_at__lt=local_datetime(end, datetime.time()) + datetime.timedelta(days=2),
        ).values_list("agent_id", "starts_at")
    }
    new = []
    day = start
    while day <= end:
        for opening in openings:
            if opening.weekday != day.weekday():
                continue
            if (opening.valid_from and day < opening.valid_from) or (
                opening.valid_until and day > opening.valid_until
            ):
                continue
            if is_public_holiday(day, opening.site.departement.code):
                continue
            slot_type = opening.slot_type
            duration = datetime.timedelta(minutes=slot_type.duration_minutes)
            for starts_at, ends_at in slot_times(day, opening, duration):
                key = (opening.agent_id, starts_at.astimezone(datetime.UTC))
                if key in existing:
                    continue
                existing.add(key)
                new.append(
                    Slot(
                        site=opening.site,
                        agent=opening.agent,
                        slot_type=slot_type,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        seats=slot_type.seats,
                    )
                )
        day += datetime.timedelta(days=1)
    Slot.objects.bulk_create(new, batch_size=1000)
    return len(new)
