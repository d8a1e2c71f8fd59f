import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.accounts import throttling
from parcours.accounts.forms import AgentLoginForm, ApiTokenForm, ApiTokenRevokeForm, OtpTokenForm
from parcours.accounts.middleware import second_factor_satisfied
from parcours.accounts.models import Agent, ApiToken
from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.client_address import client_ip
from parcours.core.models import AuditAction


class AgentLoginView(LoginView):
    form_class = AgentLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "Connexion"
        context["proconnect_enabled"] = bool(settings.PROCONNECT_CLIENT_ID)
        if settings.PARCOURS_DEMO:
            from parcours.demo.agents import DEMO_PASSWORD

            # `make demo` prints these accounts; the login page repeats them for the demo only.
            context["demo_password"] = DEMO_PASSWORD
            context["demo_agents"] = (
                Agent.objects.filter(otp_exempt=True, is_active=True)
                .select_related("organisation")
                .prefetch_related("units")
                .order_by("role", "username")
            )
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(self.request.user, AuditAction.LOGIN, request=self.request, ip=client_ip(self.request))
        return response

    def form_invalid(self, form):
        # A lockout answers the axes lockout page instead (its middleware swaps the response).
        throttling.audit_failure(self.request, form.data.get("username", ""))
        return super().form_invalid(form)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "Vous êtes déconnecté.")
    return redirect("accounts:login")


def _safe_next(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


@login_required
def otp_view(request):
    """Check the TOTP code; on first use, enrol a new authenticator app with a QR code."""
    if second_factor_satisfied(request):
        return redirect(_safe_next(request))
    agent = request.user
    device = TOTPDevice.objects.filter(user=agent, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=agent, confirmed=False).first() or TOTPDevice.objects.create(
            user=agent, name="Application d'authentification", confirmed=False
        )
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if throttling.is_locked_out(request, agent):
            return _second_factor_locked_out(request, agent)
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            throttling.clear_failures(agent)
            return redirect(_safe_next(request))
        if throttling.count_failure(request, agent):
            return _second_factor_locked_out(request, agent)
        throttling.audit_failure(request, agent.get_username(), agent=agent, step="second_factor")
        if allowed:
            form.add_error(
                "token", "Ce code n'est pas valide ou a expiré. Saisissez le code affiché maintenant."
            )
        else:
            form.add_error(
                "token", "Trop d'essais infructueux : patientez quelques secondes avant de réessayer."
            )
    context = {"form": form, "enrolling": enrolling, "title": "Second facteur", "next": _safe_next(request)}
    if enrolling:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
        secret = device.config_url.split("secret=")[1].split("&")[0]
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(request, "accounts/otp.html", context)


def _second_factor_locked_out(request, agent):
    """Too many failures for this account or address: log out, and answer the lockout page."""
    throttling.audit_failure(request, agent.get_username(), agent=agent, locked=True, step="second_factor")
    logout(request)
    return throttling.lockout_response(request)


@agent_may("may_use_api", "Les comptes employeurs n'ont pas accès à l'API.")
def api_tokens(request):
    """Create (shown once), list and revoke the agent's API tokens."""
    if request.method == "POST" and "revoke" in request.POST:
        return _revoke_token(request)
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        token, new_token = ApiToken.issue(
            request.user,
            form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_at=form.expires_at(),
        )
        audit.record(
            request.user,
            AuditAction.TOKEN_CREATED,
            request=request,
            token=token.pk,
            name=token.name,
            scope=token.scope,
            expires_at=token.expires_at.isoformat(),
        )
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(agent=request.user, revoked_at__isnull=True).order_by("-created_at")
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token, "title": "Jetons d'API"},
    )


def _revoke_token(request):
    form = ApiTokenRevokeForm(request.POST, agent=request.user)
    if not form.is_valid():
        messages.error(request, form.errors["revoke"][0])
        return redirect("accounts:api_tokens")
    token = form.cleaned_data["revoke"]
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(request.user, AuditAction.TOKEN_REVOKED, request=request, token=token.pk, name=token.name)
    messages.success(request, f"Le jeton « {token.name} » est révoqué.")
    return redirect("accounts:api_tokens")
