"""Role permissions as named predicates on `Agent`, asked the same way by views, API and menus.

A permission is the name of a boolean property of `Agent` (`may_import`,
`may_decide_orientation`, …). Views use `@agent_may("may_import")`; the API uses
`require(agent, "may_import")`; menu entries name the same predicate. A refusal is
audited and answers 403 with a French message (a person out of scope answers 404 through
`parcours.core.access`, which is a different rule: who may see whom).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

REFUSAL = "Votre rôle ne permet pas d'accéder à cette page."


def allows(agent, permission: str) -> bool:
    """Whether `agent` holds `permission` (the name of one of Agent's `may_…` / `is_…` predicates)."""
    if agent is None or not getattr(agent, "is_authenticated", False) or not agent.is_active:
        return False
    return bool(getattr(agent, permission))


def require(agent, permission: str, *, request=None, message: str = REFUSAL) -> None:
    """Raise PermissionDenied (audited) unless `agent` holds `permission`."""
    if allows(agent, permission):
        return
    from parcours.core import audit
    from parcours.core.models import AuditAction

    audit.record(
        agent if getattr(agent, "is_authenticated", False) else None,
        AuditAction.DENIED,
        request=request,
        permission=permission,
    )
    raise PermissionDenied(message)


def agent_may(permission: str, message: str = REFUSAL) -> Callable:
    """View decorator: a logged-in agent holding `permission`, else 403 (audited)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            require(request.user, permission, request=request, message=message)
            return view(request, *args, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator
