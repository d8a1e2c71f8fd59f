"""Authentication of the agents' API: bearer tokens (`ApiToken`), and access to its documentation."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from ninja.errors import HttpError
from ninja.security import HttpBearer

from parcours.accounts.middleware import second_factor_satisfied
from parcours.accounts.models import Agent, ApiToken
from parcours.core import audit
from parcours.core.models import AuditAction

UNAUTHENTICATED_MESSAGE = (
    "Authentification requise : envoyez un jeton d'API valide dans l'en-tête "
    "« Authorization: Bearer <jeton> ». Un jeton révoqué ou expiré, ou celui d'un compte "
    "désactivé, est refusé."
)
READ_ONLY_MESSAGE = (
    "Ce jeton est en lecture seule : il ne permet que la consultation (GET). Créez un jeton "
    "« Lecture et écriture » pour modifier des données."
)


class AgentTokenAuth(HttpBearer):
    """Bearer-token authentication of agents; sets request.user like a session would.

    A missing, unknown, revoked or expired token, or the token of an inactive agent or of an
    employer's account, authenticates nobody (the API then answers 401). A read-only token
    used for anything but reading answers 403 (audited): every endpoint goes through here.
    Reading is GET, or any method on an endpoint whose auth is `READ_BY_POST`."""

    def __init__(self, *, reads: bool = False):
        super().__init__()
        self.reads = reads

    def __call__(self, request: HttpRequest) -> Agent | None:
        # Same as HttpBearer.__call__, without its debug log of the whole header (a secret).
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Agent | None:
        api_token = ApiToken.objects.find(token)
        if api_token is None:
            return None
        agent = api_token.agent
        request.user = agent
        if not self.reads and not api_token.allows_method(request.method):
            audit.record(
                agent, AuditAction.DENIED, request=request, token=api_token.pk, scope=api_token.scope
            )
            raise HttpError(403, READ_ONLY_MESSAGE)
        return agent


# The auth of an endpoint that only reads but takes its criteria in a POST body (a search,
# whose text must stay out of URLs and logs): read-only tokens may call it.
READ_BY_POST = AgentTokenAuth(reads=True)


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
