"""The callback queue of the contact centre: which callbacks an agent sees, taking one, an attempt
without answer. Marking one done or cancelled is `reception.workflows.complete_callback` (it writes
the front door's event); what is here changes the queue only (no event, no figure).

A callback is seen by the agents who may see its contact: its person through the access rule,
an unidentified contact through `contact_centre.unidentified_contacts`.
"""

from __future__ import annotations

import datetime

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from parcours.core import audit
from parcours.core.access import visible_persons
from parcours.core.models import AuditAction
from parcours.reception.contact_centre import unidentified_contacts
from parcours.reception.models import Callback
from parcours.reception.models.contacts import CallbackState
from parcours.reception.workflows import FrontDoorError


def visible_callbacks(agent) -> QuerySet[Callback]:
    """The callbacks whose contact `agent` may see."""
    return Callback.objects.filter(
        Q(contact__person__in=visible_persons(agent).values("pk"))
        | Q(contact__in=unidentified_contacts(agent).values("pk"))
    )


def queue(agent) -> QuerySet[Callback]:
    """The pending callbacks `agent` sees, the oldest due first."""
    return (
        visible_callbacks(agent)
        .pending()
        .select_related("contact__person", "contact__provisional_commune", "assigned_to")
        .order_by("due_at", "pk")
    )


def callback_for(agent, callback_id, *, request=None) -> Callback:
    """The callback `callback_id` if `agent` may see it; otherwise Http404 (the refusal audited)."""
    callback = visible_callbacks(agent).select_related("contact__person").filter(pk=callback_id).first()
    if callback is None:
        exists = Callback.objects.filter(pk=callback_id).first()
        if exists is not None:
            audit.record(
                agent, AuditAction.DENIED, person=exists.contact.person, request=request, callback=exists.pk
            )
        raise Http404("Rappel introuvable.")
    return callback


def take(agent, callback: Callback) -> Callback:
    """The agent takes a pending callback (anyone's: colleagues relieve each other)."""
    if not Callback.objects.filter(pk=callback.pk, state=CallbackState.PENDING).update(assigned_to=agent):
        raise FrontDoorError("Ce rappel a déjà été traité : rechargez la page.")
    callback.refresh_from_db()
    return callback


def failed_attempt(
    agent, callback: Callback, *, retry_at: datetime.datetime | None = None, note: str = ""
) -> Callback:
    """An attempt without answer: counted, the callback stays pending, due again at `retry_at`
    (default: in one hour)."""
    retry_at = retry_at or timezone.now() + datetime.timedelta(hours=1)
    updates = {"attempts": F("attempts") + 1, "due_at": retry_at, "assigned_to": agent}
    if note:
        updates["reason"] = note[:300]
    if not Callback.objects.filter(pk=callback.pk, state=CallbackState.PENDING).update(**updates):
        raise FrontDoorError("Ce rappel a déjà été traité : rechargez la page.")
    callback.refresh_from_db()
    return callback
