"""`/api/v1/rdv/`: free slots of a site (no personal data)."""

import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Schema

from parcours.appointments.models import Slot

router = Router(tags=["appointments"])


class SlotOut(Schema):
    id: int
    site_id: int
    kind: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    seats: int
    seats_left: int


@router.get("/sites/{site_id}/creneaux-libres/", response=list[SlotOut])
def free_slots(
    request: HttpRequest, site_id: int = Path(..., ge=1, le=2**63 - 1), days: int = Query(21, ge=1)
):
    """Free slots of the site over the next `days` days (90 at most; at most 500 slots)."""
    now = timezone.now()
    slots = (
        Slot.objects.available()
        .filter(
            site_id=site_id, starts_at__gt=now, starts_at__lt=now + datetime.timedelta(days=min(days, 90))
        )
        .select_related("slot_type")[:500]
    )
    return [
        {
            "id": s.pk, "site_id": s.site_id, "kind": s.slot_type.kind, "starts_at": s.starts_at,
            "ends_at": s.ends_at, "seats": s.seats, "seats_left": s.seats_left,
        }
        for s in slots
    ]  # fmt: skip
