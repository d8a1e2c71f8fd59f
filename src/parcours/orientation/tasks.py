"""The orientation pipeline's daily task, run by the task queue (schedule in core/schedules.py).

`run_daily_pipeline()` is the whole day of work, in order: open (or close) the follow-ups of
intake events not applied yet, invite the follow-ups waiting for an invitation, send the due
reminders and the convocations after expiry, then deliver every queued message. Each step is
idempotent, so a run repeated or interrupted sends nothing twice.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from parcours.appointments.invitations import plan_invitations, process_invitations
from parcours.appointments.notifications import deliver_pending
from parcours.orientation.followups import open_followups_from_events


def run_daily_pipeline(now: datetime.datetime | None = None) -> dict:
    """Follow-ups, invitations, reminders, expiries and convocations, then delivery; returns counts."""
    now = now or timezone.now()
    followups = open_followups_from_events()
    planned = plan_invitations(now)
    processed = process_invitations(now)
    return {
        "followups_opened": followups["opened"],
        "followups_closed": followups["closed"],
        "invited": len(planned.invited),
        "alerts_no_free_slot": len(planned.alerted) + processed["alerts"],
        "reminders": processed["reminders"],
        "convocations": processed["convocations"],
        "messages": deliver_pending(),
    }
