"""The history of a person's record, read from the audit trail: who created or changed it, when,
and which fields (never their values). Shown on the person page and on the rectifications page
of the person's rights (`privacy`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import FieldDoesNotExist

from parcours.core.models import AuditAction, AuditEvent
from parcours.people.models import Person


def record_changes(person: Person):
    """The creations and changes of `person`'s record, newest first, with their agent."""
    return (
        AuditEvent.objects.filter(person=person, action__in=[AuditAction.CREATE, AuditAction.UPDATE])
        .select_related("agent")
        .order_by("-at", "-id")
    )


def field_label(name: str) -> str:
    """The French label of a Person field named in an audit entry (other names as they are)."""
    try:
        return str(Person._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def with_field_labels(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """`events`, each given `field_labels`: the labels of the fields it names."""
    events = list(events)
    for event in events:
        event.field_labels = [field_label(name) for name in event.detail.get("fields", [])]
    return events
