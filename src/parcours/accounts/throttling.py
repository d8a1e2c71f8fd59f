"""Throttling of logins, per account and per address, for both factors (django-axes).

The password step is throttled by axes' authentication backend (first of
AUTHENTICATION_BACKENDS): a failed `authenticate()` counts one failure for the username and
one for the client's address, and past `AXES_FAILURE_LIMIT` either is locked out for
`AXES_COOLOFF_TIME`. The second factor counts in the same tally, through the functions
below, so a wrong TOTP code is as costly as a wrong password (django-otp's own growing delay
per device still applies on top).

The tally is cleared only once both factors pass (`AXES_RESET_ON_SUCCESS` is off): clearing
it at the password step would give whoever holds the password fresh guesses at the code.

Every failure and every lockout is audited with the username as typed and the address.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parcours.core import audit
from parcours.core.client_address import client_ip
from parcours.core.models import AuditAction

USERNAME_AUDITED_LENGTH = 150


def credentials_of(agent) -> dict[str, str]:
    return {"username": agent.get_username()}


def is_locked_out(request: HttpRequest, agent) -> bool:
    """Whether the agent's account or the request's address is locked out."""
    return not AxesProxyHandler.is_allowed(request, credentials_of(agent))


def count_failure(request: HttpRequest, agent) -> bool:
    """Count a failed second factor against the account and the address; True if now locked out."""
    user_login_failed.send(sender=__name__, credentials=credentials_of(agent), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def clear_failures(agent) -> None:
    """Forget the failures of an agent who passed both factors."""
    AxesProxyHandler.reset_attempts(username=agent.get_username())


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The lockout page, 429 (AXES_LOCKOUT_CALLABLE: axes' middleware answers it too)."""
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "title": "Connexion suspendue",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return render(request, "accounts/lockout.html", context, status=429)


def audit_failure(
    request: HttpRequest, username: str, *, agent=None, locked: bool | None = None, **detail
) -> None:
    """Audit a failed attempt, as LOCKED_OUT when it made (or met) a lockout.

    `username` is the one typed (the login form's raw input), cut to 150 characters;
    `locked` defaults to what axes decided for this request."""
    if locked is None:
        locked = bool(getattr(request, "axes_locked_out", False))
    audit.record(
        agent,
        AuditAction.LOCKED_OUT if locked else AuditAction.LOGIN_FAILED,
        request=request,
        username=(username or "")[:USERNAME_AUDITED_LENGTH],
        ip=client_ip(request),
        **detail,
    )


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """The username axes counts failures under, cut to the length of its column: a login
    form posted with a longer one (by hand) must be refused, not crash PostgreSQL."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(username)[:USERNAME_AUDITED_LENGTH]
