"""The pathway facts this app writes as `people.PersonEvent` rows (indicators read them).

Every kind is listed in docs/orientation.md. `data` never holds names, NIRs or addresses.
"""

from __future__ import annotations

import datetime
from typing import Any

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
