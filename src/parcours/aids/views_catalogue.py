"""Pages of the scheme catalogue: the list of schemes, a scheme with its versions (timeline, each
rule stated in French), and for administrators (`may_edit_aid_catalogue`) the creation of a
scheme, the edit of its rules (a new version when applications point to the current one, after a
confirmation naming how many), its identity, and its opening or closing to new requests.

Thin views: the writes are `aids.catalogue`'s, the forms `aids.forms_catalogue`'s. No person is
shown here (only counts of applications).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from parcours.accounts.permissions import agent_may
from parcours.aids import catalogue
from parcours.aids.eligibility import explain_rule
from parcours.aids.forms_catalogue import SchemeForm, VersionForm, initial_from
from parcours.aids.models import Envelope, Scheme, SchemeVersion
from parcours.aids.models.envelopes import cents_to_euros
from parcours.aids.money import euros
from parcours.core.french import plural

READ_REFUSAL = "Le catalogue des aides est réservé aux agents qui déposent ou instruisent des demandes."
EDIT_REFUSAL = "Seul un administrateur modifie le catalogue des aides."


def _with_current(schemes, day):
    """`schemes` with `current` (the version valid on `day`) and `envelope_cents` etc. of the year."""
    current = SchemeVersion.objects.valid_on(day).filter(scheme=OuterRef("pk")).order_by("-valid_from")
    envelope = Envelope.objects.filter(scheme=OuterRef("pk"), year=day.year, unit__isnull=True)
    return schemes.annotate(
        current_id=Subquery(current.values("pk")[:1]),
        envelope_cents=Subquery(envelope.values("amount_cents")[:1]),
        envelope_used_cents=Subquery(envelope.values("committed_cents")[:1]),
        envelope_paid_cents=Subquery(envelope.values("consumed_cents")[:1]),
        version_count=Count("versions", distinct=True),
    )


@agent_may("may_view_aid_catalogue", READ_REFUSAL)
def schemes(request):
    """Every scheme with its version of the day, ceiling, decider, service level and the year's
    envelope (three queries whatever the number of schemes)."""
    today = timezone.localdate()
    rows = list(_with_current(Scheme.objects.all(), today).order_by("family", "name"))
    versions = SchemeVersion.objects.in_bulk([row.current_id for row in rows if row.current_id])
    for row in rows:
        row.current = versions.get(row.current_id)
        if row.current is not None:
            row.ceiling_label = euros(row.current.ceiling)
            row.service_level = catalogue.service_level_text(row.current)
        if row.envelope_cents is not None:
            left = row.envelope_cents - row.envelope_used_cents - row.envelope_paid_cents
            row.envelope_label = (
                f"{euros(cents_to_euros(row.envelope_cents))} (disponible : {euros(cents_to_euros(left))})"
            )
    return render(
        request,
        "aids/catalogue/schemes.html",
        {"title": "Dispositifs d'aide", "schemes": rows, "year": today.year, "today": today},
    )


@agent_may("may_view_aid_catalogue", READ_REFUSAL)
def scheme(request, scheme_id: int):
    """A scheme and its versions, latest first, each with its rules in French and its count of
    applications."""
    versions = SchemeVersion.objects.annotate(application_count=Count("applications")).order_by("-valid_from")
    found = get_object_or_404(
        Scheme.objects.prefetch_related(Prefetch("versions", queryset=versions)), pk=scheme_id
    )
    today = timezone.localdate()
    timeline = list(found.versions.all())
    for version in timeline:
        version.rules_stated = [explain_rule(rule) for rule in version.rules or []]
        version.amount_rule = catalogue.amount_rule_text(version)
        version.service_level = catalogue.service_level_text(version)
        version.is_current = version.valid_from <= today and (
            version.valid_until is None or version.valid_until >= today
        )
    envelopes = list(
        Envelope.objects.filter(scheme=found).select_related("unit").order_by("-year", "unit__name")[:6]
    )
    for envelope in envelopes:
        envelope.label = f"{euros(envelope.amount)} (disponible : {euros(envelope.available)})"
    return render(
        request,
        "aids/catalogue/scheme.html",
        {"title": found.name, "scheme": found, "versions": timeline, "envelopes": envelopes},
    )


@agent_may("may_edit_aid_catalogue", EDIT_REFUSAL)
def scheme_new(request):
    """Create a scheme and its first version."""
    identity = SchemeForm(request.POST or None)
    form = VersionForm(request.POST or None, initial=initial_from(None, valid_from=timezone.localdate()))
    if request.method == "POST" and identity.is_valid() and form.is_valid():
        try:
            created = catalogue.create_scheme(
                **identity.cleaned_data, data=form.version_data(), by=request.user, request=request
            )
        except ValidationError as error:
            _show(error, identity, form)
        else:
            messages.success(request, f"Dispositif « {created.name} » créé (version 1).")
            return redirect("aids:scheme", scheme_id=created.pk)
    return render(
        request,
        "aids/catalogue/version_form.html",
        {"title": "Nouveau dispositif d'aide", "identity": identity, "form": form, "scheme": None},
    )


def _show(error: ValidationError, identity, form) -> None:
    if hasattr(error, "error_dict"):
        mine = {k: v for k, v in error.message_dict.items() if identity is not None and k in identity.fields}
        for name, texts in mine.items():
            for text in texts:
                identity.add_error(name, text)
        form.add_errors({k: v for k, v in error.message_dict.items() if k not in mine})
    else:
        form.add_errors({"__all__": error.messages})


@agent_may("may_edit_aid_catalogue", EDIT_REFUSAL)
def version_new(request, scheme_id: int):
    """Edit a scheme's rules. When applications point to its current version, a new version is
    created (after a confirmation saying how many keep the current one); else it is edited."""
    found = get_object_or_404(Scheme, pk=scheme_id)
    plan = catalogue.plan_edit(found)
    today = timezone.localdate()
    start = today
    if plan.creates_version and plan.current is not None:  # a new version starts after the current one
        start = max(today, plan.current.valid_from + datetime.timedelta(days=1))
    form = VersionForm(request.POST or None, initial=initial_from(plan.current, valid_from=start))
    context = {"title": f"Modifier « {found.name} »", "scheme": found, "form": form, "plan": plan}
    if request.method == "POST" and form.is_valid():
        if plan.creates_version and plan.current is not None and not request.POST.get("confirmed"):
            posted = [
                (k, v) for k, values in request.POST.lists() for v in values if k != "csrfmiddlewaretoken"
            ]
            return render(request, "aids/catalogue/version_confirm.html", {**context, "posted": posted})
        try:
            version, created = catalogue.save_version(
                found, form.version_data(), by=request.user, request=request
            )
        except ValidationError as error:
            _show(error, None, form)
        else:
            if created:
                kept = plural(plan.applications, "demande garde", "demandes gardent")
                messages.success(
                    request,
                    f"Version {version.number} créée, valable à partir du {version.valid_from:%d/%m/%Y} ; "
                    f"{kept} la version {plan.current.number}.",
                )
            else:
                messages.success(request, f"Version {version.number} modifiée.")
            return redirect("aids:scheme", scheme_id=found.pk)
    return render(request, "aids/catalogue/version_form.html", context)


@agent_may("may_edit_aid_catalogue", EDIT_REFUSAL)
def scheme_edit(request, scheme_id: int):
    """Rename a scheme or change its family."""
    found = get_object_or_404(Scheme, pk=scheme_id)
    form = SchemeForm(
        request.POST or None, editing=True, initial={"name": found.name, "family": found.family}
    )
    if request.method == "POST" and form.is_valid():
        catalogue.update_identity(found, **form.cleaned_data, by=request.user, request=request)
        messages.success(request, "Dispositif mis à jour.")
        return redirect("aids:scheme", scheme_id=found.pk)
    return render(
        request,
        "aids/catalogue/scheme_form.html",
        {"title": f"Renommer « {found.name} »", "scheme": found, "form": form},
    )


@agent_may("may_edit_aid_catalogue", EDIT_REFUSAL)
def scheme_toggle(request, scheme_id: int):
    """Close a scheme to new requests, or open it again: a confirmation page, then the POST."""
    found = get_object_or_404(Scheme, pk=scheme_id)
    if request.method == "POST":
        catalogue.set_active(found, not found.is_active, by=request.user, request=request)
        state = "ouvert aux demandes" if found.is_active else "fermé aux nouvelles demandes"
        messages.success(request, f"Dispositif « {found.name} » {state}.")
        return redirect("aids:scheme", scheme_id=found.pk)
    open_count = (
        found.applications.exclude(state__in=catalogue.FINAL_STATES).exclude(state="brouillon").count()
    )
    return render(
        request,
        "aids/catalogue/scheme_toggle.html",
        {"title": found.name, "scheme": found, "open_count": open_count},
    )
