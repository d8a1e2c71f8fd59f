"""Recording of every read and change of personal data (the audit trail)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from parcours.core.models import AuditAction, AuditChannel, AuditEvent

if TYPE_CHECKING:
    from django.http import HttpRequest


def record(
    agent,
    action: str,
    *,
    person=None,
    request: HttpRequest | None = None,
    channel: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add one audit event. `detail` must hold no NIR, address or contact data."""
    if channel is None:
        channel = (
            AuditChannel.API if request is not None and request.path.startswith("/api/") else AuditChannel.WEB
        )
        if request is None:
            channel = AuditChannel.CLI
    authenticated = agent is not None and getattr(agent, "is_authenticated", False)
    return AuditEvent.objects.create(
        agent=agent if authenticated else None,
        agent_label=agent.get_username() if authenticated else "",
        person=person,
        action=action,
        channel=channel,
        # The path only: a query string may hold a searched name or NIR.
        path=request.path[:300] if request is not None else "",
        detail=detail,
    )


def record_changes(
    agent, person, changed_fields: list[str], *, request=None, created: bool = False
) -> AuditEvent:
    """Audit a change, naming the fields changed but never their values."""
    action = AuditAction.CREATE if created else AuditAction.UPDATE
    return record(agent, action, person=person, request=request, fields=sorted(changed_fields))


class PersonAudit:
    """The per-person audit of a batch of work (an import chunk, a merge): one event per
    person created, changed or shown, written together with `save()` (one INSERT).

    `agent` None means the command line (the server's operator)."""

    def __init__(self, agent=None, *, channel: str | None = None, path: str = "", **detail: Any):
        authenticated = agent is not None and getattr(agent, "is_authenticated", False)
        self.agent = agent if authenticated else None
        self.label = agent.get_username() if authenticated else ""
        self.channel = channel or (AuditChannel.WEB if authenticated else AuditChannel.CLI)
        self.path = path[:300]
        self.detail = detail
        self.events: list[AuditEvent] = []

    def _add(self, action: str, person_id: int, **detail: Any) -> None:
        self.events.append(
            AuditEvent(
                agent=self.agent,
                agent_label=self.label,
                person_id=person_id,
                action=action,
                channel=self.channel,
                path=self.path,
                detail={**self.detail, **detail},
            )
        )

    def created(self, person_id: int, fields: list[str]) -> None:
        self._add(AuditAction.CREATE, person_id, fields=sorted(fields))

    def changed(self, person_id: int, fields: list[str]) -> None:
        self._add(AuditAction.UPDATE, person_id, fields=sorted(fields))

    def shown(self, person_ids, **detail: Any) -> None:
        for person_id in dict.fromkeys(person_ids):
            self._add(AuditAction.VIEW, person_id, **detail)

    def save(self) -> None:
        if self.events:
            AuditEvent.objects.bulk_create(self.events, batch_size=1000)
            self.events = []


def record_shown(agent, person_ids, *, request=None, **detail: Any) -> None:
    """Audit every person a page or an answer shows (lists included), one event each."""
    ids = [pk for pk in dict.fromkeys(person_ids) if pk is not None]
    if not ids:
        return
    channel = None
    if request is not None:
        channel = AuditChannel.API if request.path.startswith("/api/") else AuditChannel.WEB
    batch = PersonAudit(agent, channel=channel, path=request.path if request is not None else "", **detail)
    batch.shown(ids)
    batch.save()
