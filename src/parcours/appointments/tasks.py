"""The agendas' daily task, run by the task queue (schedule in core/schedules.py)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from parcours.appointments.agendas import generate_slots
from parcours.appointments.invitations import resolve_alerts

SLOTS_AHEAD = datetime.timedelta(weeks=6)


def generate_slots_ahead(weeks: int | None = None) -> dict[str, int]:
    """Cut the opening hours into slots for the coming weeks (idempotent). When new seats appear,
    the open "no free slot" alerts are lifted so that their follow-ups are planned again."""
    start = timezone.localdate()
    ahead = datetime.timedelta(weeks=weeks) if weeks else SLOTS_AHEAD
    created = generate_slots(start, start + ahead)
    return {"slots": created, "alerts_lifted": resolve_alerts() if created else 0}
