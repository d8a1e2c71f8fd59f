"""Screens of the référent de parcours (from the person page) and of the charter's signatures
(administration). Thin views: the rules are `reception.referents` and `reception.charter`.

Every destructive or binding action is confirmed: the first valid POST shows what will happen,
the second one (with `confirmed`) does it. The person is always fetched with `get_person_for`
(404, audited, when out of the agent's scope).
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from parcours.accounts.models import Organisation, OrganisationKind
from parcours.accounts.permissions import agent_may
from parcours.core.access import get_person_for
from parcours.reception import charter, referents
from parcours.reception.forms_referents import (
    DesignateReferentForm,
    EndCharterForm,
    EndReferentForm,
    SignCharterForm,
)
from parcours.reception.models import CharterSignature, ParcoursReferent

DESIGNATE_REFUSAL = (
    "Seuls les professionnels d'une organisation signataire de la charte d'accueil désignent un "
    "référent de parcours."
)
CHARTER_REFUSAL = "Les signatures de la charte d'accueil sont gérées par les administrateurs."


def _person_breadcrumb(person, current: str) -> dict:
    return {
        "links": [
            {"url": reverse("people:search"), "title": "Personnes"},
            {"url": reverse("people:detail", args=[person.pk]), "title": person.full_name},
        ],
        "current": current,
    }


@agent_may("may_designate_parcours_referent", DESIGNATE_REFUSAL)
def designate(request, person_id: int):
    """Designate the person's référent de parcours, with their consent (confirmed first)."""
    agent = request.user
    person = get_person_for(agent, person_id, request=request, audit_read=request.method == "GET")
    form = DesignateReferentForm(request.POST or None)
    current = referents.current(person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["confirmed"]:
            try:
                referents.designate(
                    agent,
                    person,
                    referent_agent=data["referent_agent"],
                    consent_on=data["consent_on"],
                    consent_mode=data["consent_mode"],
                    request=request,
                )
            except referents.ReferentError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, f"{data['referent_agent']} est le référent de parcours de la personne."
                )
                return redirect("people:detail", person_id=person.pk)
        else:
            return render(
                request,
                "reception/referent_confirm.html",
                {
                    "title": "Confirmer le référent de parcours",
                    "person": person,
                    "form": form,
                    "chosen": data["referent_agent"],
                    "current": current,
                    "consent_label": dict(form.fields["consent_mode"].choices)[data["consent_mode"]],
                    "breadcrumb_data": _person_breadcrumb(person, "Référent de parcours"),
                },
            )
    return render(
        request,
        "reception/referent_form.html",
        {
            "title": "Désigner le référent de parcours",
            "person": person,
            "form": form,
            "current": current,
            "breadcrumb_data": _person_breadcrumb(person, "Référent de parcours"),
        },
    )


@agent_may("may_designate_parcours_referent", DESIGNATE_REFUSAL)
def end(request, referent_id: int):
    """End a référent de parcours (reason, then confirmation)."""
    agent = request.user
    referent = get_object_or_404(
        ParcoursReferent.objects.select_related("agent", "organisation"), pk=referent_id
    )
    person = get_person_for(agent, referent.person_id, request=request, audit_read=request.method == "GET")
    form = EndReferentForm(request.POST or None)
    confirming = False
    if referent.ended_on is not None:
        messages.info(request, f"Ce référent de parcours a pris fin le {referent.ended_on:%d/%m/%Y}.")
        return redirect("reception:referent_history", person_id=person.pk)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirmed"]:
            try:
                referents.end(agent, referent, reason=form.cleaned_data["reason"], request=request)
            except referents.ReferentError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, f"{referent.agent} n'est plus le référent de parcours de la personne."
                )
                return redirect("people:detail", person_id=person.pk)
        else:
            confirming = True
    return render(
        request,
        "reception/referent_end.html",
        {
            "title": "Mettre fin au référent de parcours",
            "person": person,
            "referent": referent,
            "form": form,
            "confirming": confirming,
            "reason_label": dict(form.fields["reason"].choices).get(form.data.get("reason"), ""),
            "breadcrumb_data": _person_breadcrumb(person, "Référent de parcours"),
        },
    )


@agent_may("may_search_persons")
def history(request, person_id: int):
    """Every référent de parcours the person had, the current one first."""
    agent = request.user
    person = get_person_for(agent, person_id, request=request)
    rows = (
        ParcoursReferent.objects.filter(person=person)
        .select_related("agent", "organisation", "designated_by")
        .order_by("ended_on", "-started_on", "-pk")
    )
    return render(
        request,
        "reception/referent_history.html",
        {
            "title": "Référents de parcours",
            "person": person,
            "rows": rows,
            "may_designate": agent.may_designate_parcours_referent,
            "breadcrumb_data": _person_breadcrumb(person, "Référents de parcours"),
        },
    )


# -- the charter's signatures (administration) ---------------------------------------------------


@agent_may("may_administer", CHARTER_REFUSAL)
def charter_list(request):
    """The organisations (employers excepted) with their signatures, the one in force first."""
    organisations = (
        Organisation.objects.exclude(kind=OrganisationKind.EMPLOYER)
        .prefetch_related(
            Prefetch(
                "charter_signatures", queryset=CharterSignature.objects.order_by("ended_on", "-signed_on")
            )
        )
        .order_by("name")
    )
    rows = []
    for organisation in organisations:
        signatures = list(organisation.charter_signatures.all())
        open_one = next((s for s in signatures if s.ended_on is None), None)
        rows.append({"organisation": organisation, "open": open_one, "signatures": signatures})
    return render(
        request,
        "reception/charter.html",
        {
            "title": "Charte d'accueil : organisations signataires",
            "rows": rows,
            "in_force": set(CharterSignature.objects.in_force().values_list("pk", flat=True)),
        },
    )


@agent_may("may_administer", CHARTER_REFUSAL)
def charter_sign(request, organisation_id: int):
    organisation = get_object_or_404(
        Organisation.objects.exclude(kind=OrganisationKind.EMPLOYER), pk=organisation_id
    )
    form = SignCharterForm(request.POST or None)
    confirming = False
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirmed"]:
            try:
                charter.sign(request.user, organisation, on=form.cleaned_data["signed_on"], request=request)
            except charter.CharterError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"La signature de la charte par {organisation} est enregistrée.")
                return redirect("reception:charter")
        else:
            confirming = True
    return render(
        request,
        "reception/charter_sign.html",
        {
            "title": "Enregistrer une signature de la charte",
            "organisation": organisation,
            "form": form,
            "confirming": confirming,
        },
    )


@agent_may("may_administer", CHARTER_REFUSAL)
def charter_end(request, signature_id: int):
    signature = get_object_or_404(CharterSignature.objects.select_related("organisation"), pk=signature_id)
    form = EndCharterForm(request.POST or None, signature=signature)
    confirming = False
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirmed"]:
            try:
                charter.end(request.user, signature, on=form.cleaned_data["ended_on"], request=request)
            except charter.CharterError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, f"La signature de la charte par {signature.organisation} a pris fin."
                )
                return redirect("reception:charter")
        else:
            confirming = True
    return render(
        request,
        "reception/charter_end.html",
        {
            "title": "Mettre fin à une signature de la charte",
            "signature": signature,
            "form": form,
            "confirming": confirming,
        },
    )
