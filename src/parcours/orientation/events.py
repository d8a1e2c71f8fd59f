"""The pathway facts this app writes as `people.PersonEvent` rows (indicators read them).

Every kind is listed in docs/orientation.md. `data` never holds names, NIRs or addresses.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from parcours.people.models import PersonEvent

SOURCE = "orientation"

# Read from the intake (written by the RSA import).
RIGHTS_AND_DUTIES = "rsa.droits_devoirs"
RIGHTS_CLOSED = "rsa.cloture"
MOVED_OUT = "rsa.depart_departement"

# Written here.
FOLLOWUP_OPENED = "orientation.suivi_ouvert"
FOLLOWUP_CLOSED = "orientation.suivi_clos"
INVITATION_SENT = "invitation.envoyee"
INVITATION_REMINDED = "invitation.relancee"
INVITATION_EXPIRED = "invitation.expiree"
CONVOCATION_SENT = "convocation.envoyee"
APPOINTMENT_BOOKED = "rdv.pris"
APPOINTMENT_CANCELLED = "rdv.annule"
APPOINTMENT_HONOURED = "rdv.honore"
APPOINTMENT_ABSENT = "rdv.absent"
APPOINTMENT_EXCUSED = "rdv.excuse"
ORIENTATION_DECIDED = "orientation.decidee"
REFERENT_DESIGNATED = "referent.designe"
CONTRACT_SIGNED = "contrat.signe"
REORIENTATION_REQUESTED = "reorientation.demandee"
REORIENTATION_DECIDED = "reorientation.decidee"


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
