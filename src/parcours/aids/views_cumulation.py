"""The cumulation proposal's one action: ask OpenFisca again for its simulation (`aids.cumulation`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import agent_may
from parcours.aids import cumulation
from parcours.aids.access import application_for
from parcours.aids.models import SchemeFamily


@agent_may(
    "may_file_aid_requests",
    "Seuls les agents qui déposent ou instruisent les aides relancent une simulation.",
)
@require_POST
def retry_simulation(request, application_id: int):
    """POST: recompute the simulation of a cumulation proposal, then back to the application."""
    application = application_for(request, application_id, audit_read=False)
    if application.scheme.family != SchemeFamily.CUMULATION:
        raise Http404("Demande introuvable.")
    try:
        cumulation.retry_simulation(application, by=request.user, request=request)
        messages.success(request, "Simulation recalculée.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    try:
        return redirect(reverse("aids:application", args=[application.pk]))
    except NoReverseMatch:
        return redirect("people:detail", application.person_id)
