"""The cumulation proposal's one action: ask OpenFisca again for its simulation (`aids.cumulation`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import agent_may
from parcours.aids import cumulation
from parcours.aids.models import AidApplication, SchemeFamily
from parcours.core.access import get_person_for


@agent_may(
    "may_file_aid_requests",
    "Seuls les agents qui déposent ou instruisent les aides relancent une simulation.",
)
@require_POST
def retry_simulation(request, application_id: int):
    """POST: recompute the simulation of a cumulation proposal, then back to the application."""
    application = get_object_or_404(
        AidApplication.objects.select_related("scheme", "version"),
        pk=application_id,
        scheme__family=SchemeFamily.CUMULATION,
    )
    get_person_for(request.user, application.person_id, request=request, audit_read=False)
    try:
        cumulation.retry_simulation(application, by=request.user, request=request)
        messages.success(request, "Simulation recalculée.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    try:
        return redirect(reverse("aids:application", args=[application.pk]))
    except NoReverseMatch:
        return redirect("people:detail", application.person_id)
