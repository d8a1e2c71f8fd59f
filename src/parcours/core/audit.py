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
