"""`/api/v1/orientation/`: a person's orientation follow-ups with their derived status."""

import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from parcours.core.access import get_person_for
from parcours.orientation.models import FollowUp

router = Router(tags=["orientation"])


class StepOut(Schema):
    fact: str
    status: str
    at: datetime.datetime


class FollowUpOut(Schema):
    id: int
    rights_opened_on: datetime.date
    due_on: datetime.date
    status: str
    status_label: str
    closed_at: datetime.datetime | None
    close_reason: str
    steps: list[StepOut]


@router.get("/personnes/{person_id}/suivis/", response=list[FollowUpOut])
def person_followups(request: HttpRequest, person_id: int):
    """The person's follow-ups, newest first (404 outside the agent's scope, audited)."""
    person = get_person_for(request.user, person_id, request=request)
    rows = FollowUp.objects.filter(person=person).for_status_display().order_by("-opened_at")
    return [
        {
            "id": f.pk,
            "rights_opened_on": f.rights_opened_on,
            "due_on": f.due_on,
            "status": f.pathway.status,
            "status_label": f.pathway.label,
            "closed_at": f.closed_at,
            "close_reason": f.close_reason,
            "steps": [{"fact": s.fact, "status": s.status, "at": s.at} for s in f.pathway.steps],
        }
        for f in rows
    ]
