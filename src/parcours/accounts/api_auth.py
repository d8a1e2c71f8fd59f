"""Authentication of the agents' API: bearer tokens (`ApiToken`), and access to its documentation."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from ninja.security import HttpBearer

from parcours.accounts.middleware import second_factor_satisfied
from parcours.accounts.models import Agent, ApiToken

UNAUTHENTICATED_MESSAGE = (
    "Authentification requise : envoyez un jeton d'API valide dans l'en-tête "
    "« Authorization: Bearer <jeton> ». Un jeton révoqué, ou celui d'un compte désactivé, est refusé."
)


class AgentTokenAuth(HttpBearer):
    """Bearer-token authentication of agents; sets request.user like a session would.

    A missing, unknown or revoked token, or the token of an inactive agent, authenticates
    nobody (the API then answers 401)."""

    def __call__(self, request: HttpRequest) -> Agent | None:
        # Same as HttpBearer.__call__, without its debug log of the whole header (a secret).
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Agent | None:
        agent = ApiToken.objects.authenticate(token)
        if agent is not None:
            request.user = agent
        return agent


def docs_access_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Restrict the API documentation (page and OpenAPI schema) to agents.

    Allowed: an agent logged in on the site (second factor passed), or a request with a
    valid API token. Otherwise the page redirects to the login page (or to the second
    factor), and the schema answers 401."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated and second_factor_satisfied(request):
            return view(request, *args, **kwargs)
        if AgentTokenAuth()(request) is not None:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse({"detail": UNAUTHENTICATED_MESSAGE}, status=401)
        if request.user.is_authenticated:
            return redirect(f"{reverse('accounts:otp')}?{urlencode({'next': request.get_full_path()})}")
        return redirect_to_login(request.get_full_path())

    return wrapped
