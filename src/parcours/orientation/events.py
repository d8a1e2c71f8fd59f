"""The pathway facts this app writes as `people.PersonEvent` rows (indicators read them).

Every kind is defined in `people.event_kinds` and listed in docs/orientation.md. `data` never holds names, NIRs or addresses.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

# The kinds live in `people.event_kinds` (one vocabulary for every app); re-exported here.
from parcours.people.event_kinds import (  # noqa: F401
    APPOINTMENT_ABSENT,
    APPOINTMENT_BOOKED,
    APPOINTMENT_CANCELLED,
    APPOINTMENT_EXCUSED,
    APPOINTMENT_HONOURED,
    CONTRACT_SIGNED,
    CONVOCATION_SENT,
    FOLLOWUP_CLOSED,
    FOLLOWUP_OPENED,
    INVITATION_EXPIRED,
    INVITATION_REMINDED,
    INVITATION_SENT,
    MOVED_OUT,  # noqa: F401
    ORIENTATION_DECIDED,
    REFERENT_DESIGNATED,
    REORIENTATION_DECIDED,
    REORIENTATION_REQUESTED,
)
from parcours.people.event_kinds import DUTIES_START as RIGHTS_AND_DUTIES  # noqa: F401
from parcours.people.event_kinds import RSA_CLOSURE as RIGHTS_CLOSED  # noqa: F401
from parcours.people.models import PersonEvent

SOURCE = "orientation"


def record(person, kind: str, at: datetime.datetime, **data: Any) -> PersonEvent:
    """Write one pathway fact of `person`, dated `at` (the real date of the fact)."""
    return PersonEvent.objects.create(person=person, kind=kind, occurred_at=at, source=SOURCE, data=data)


def on_day(day: datetime.date | None) -> datetime.datetime:
    """The moment to date a fact known by its day: now if it is today (or unknown), else the
    start of that day in the current time zone (Europe/Paris)."""
    today = timezone.localdate()
    if day is None or day == today:
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
