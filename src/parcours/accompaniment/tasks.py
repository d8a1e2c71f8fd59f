"""Background work of the accompaniments: end them when the person's rights end or they move.

The CNAF import writes `rsa.cloture` and `rsa.depart_departement` in bulk (no signal).
`close_after_rights_events` reads those written since its watermark (the last event id it
handled) and ends the person's open accompaniments (motive fin_droits / demenagement), which
writes `accompagnement.fin` and `sortie`. It runs after every CNAF import (called by
`orientation.followups.open_followups_after_import`) and daily (`core.schedules.DAILY_TASKS`),
so an import whose follow-up task failed is caught up the next morning. It is idempotent.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.accompaniment import workflows
from parcours.accompaniment.models import Accompaniment, EndReason, RightsEventWatermark
from parcours.people import event_kinds as ev
from parcours.people.models import PersonEvent

logger = logging.getLogger(__name__)

WATERMARK = "fin-accompagnement-evenements-droits"
END_REASON_OF = {ev.RSA_CLOSURE: EndReason.RIGHTS_ENDED, ev.MOVED_OUT: EndReason.MOVED}
# Events that undo a closure or a departure when they come after it.
UNDONE_BY = {
    ev.RSA_CLOSURE: [ev.RSA_ENTRY, ev.RSA_RESUMPTION],
    ev.MOVED_OUT: [ev.MOVED_IN, ev.RSA_ENTRY],
}
BATCH = 5000


def _still_true(event: PersonEvent) -> bool:
    """Whether the closure or departure still holds: nothing undid it since."""
    return not PersonEvent.objects.filter(
        person_id=event.person_id, kind__in=UNDONE_BY[event.kind], occurred_at__gt=event.occurred_at
    ).exists()


def close_after_rights_events(*args, **kwargs) -> dict[str, int]:
    """End the open accompaniments of persons whose rights closed or who left the département,
    from the rights events written since the last run. Returns {"events": read, "ended": n}.

    Each accompaniment ends on the day of the event (or on its start, when the event is older
    than the accompaniment, e.g. a file imported late). Extra arguments (a batch id given by the
    after-import hook) are ignored: the watermark says what is new."""
    watermark, _ = RightsEventWatermark.objects.get_or_create(name=WATERMARK)
    read = ended = 0
    while True:
        ids = list(
            PersonEvent.objects.filter(kind__in=list(END_REASON_OF), id__gt=watermark.last_event_id)
            .order_by("id")
            .values_list("id", flat=True)[:BATCH]
        )
        if not ids:
            break
        read += len(ids)
        # Only the persons with an open accompaniment have something to end, and only their
        # latest closure or departure of the batch (a flux repeats them).
        latest = {
            event.person_id: event
            for event in PersonEvent.objects.filter(
                id__in=ids, person_id__in=Accompaniment.objects.open().values("person_id")
            ).order_by("id")
        }
        for event in latest.values():
            if not _still_true(event):
                continue
            day = timezone.localtime(event.occurred_at).date()
            for accompaniment in Accompaniment.objects.open().filter(person_id=event.person_id):
                try:
                    workflows.end(
                        accompaniment,
                        on=max(min(day, timezone.localdate()), accompaniment.started_on),
                        reason=END_REASON_OF[event.kind],
                        by=None,
                    )
                except ValidationError:  # e.g. an accompaniment starting in the future: left open
                    logger.warning(
                        "Accompagnement %d non terminé après un événement de droits", accompaniment.pk
                    )
                    continue
                ended += 1
        watermark.last_event_id = ids[-1]
        watermark.save(update_fields=["last_event_id", "updated_at"])
    if ended:
        logger.info("Accompagnements terminés après des événements de droits : %d", ended)
    return {"events": read, "ended": ended}
