"""The administration screens (/administration/): agents, organisations, territorial units.

Reserved to `may_administer`; every change goes through `accounts/administration.py`, which
audits it. Deactivating an agent and resetting their second factor ask for a confirmation."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.accounts import administration
from parcours.accounts.management_forms import (
    AgentFilterForm,
    AgentForm,
    ConfirmForm,
    OrganisationForm,
    UnitForm,
)
from parcours.accounts.models import Agent, Organisation
from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.models import AuditAction, AuditEvent
from parcours.core.spreadsheet_safety import neutralised
from parcours.territory.models import Departement, TerritorialUnit

PAGE_SIZE = 50
REFUSAL = "L'administration des comptes est réservée aux administrateurs."
CRUMBS = {"links": [{"url": "/administration/agents/", "title": "Administration"}]}


def _crumbs(current: str) -> dict:
    return CRUMBS | {"current": current}


@agent_may("may_administer", REFUSAL)
def agents(request):
    """The agents, filtered by role, unit and state, sortable, 50 a page."""
    form = AgentFilterForm(request.GET or None)
    page = Paginator(administration.agents_listed(**form.criteria()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    sort = query.pop("tri", ["nom"])[-1]
    context = {
        "form": form,
        "page_obj": page,
        "title": "Agents",
        "query": request.GET.urlencode(),
        "columns": _sort_columns(query, sort),
    }
    return render(request, "accounts/administration/agents.html", context)


SORT_LABELS = {
    "nom": "Nom",
    "identifiant": "Identifiant",
    "role": "Rôle",
    "organisation": "Organisation",
    "connexion": "Dernière connexion",
}


def _sort_columns(query, sort: str) -> list[dict]:
    """The sortable headers: each links to its ascending sort, or descending when it is the current one."""
    columns = []
    for key, label in SORT_LABELS.items():
        current = sort.lstrip("-") == key
        descending = current and sort.startswith("-")
        params = query.copy()
        params["tri"] = f"-{key}" if current and not descending else key
        state = ("descending" if descending else "ascending") if current else ""
        columns.append({"label": label, "url": "?" + params.urlencode(), "sort": state})
    return columns


@agent_may("may_administer", REFUSAL)
def agents_export(request):
    """The filtered agents as CSV (each cell neutralised); the export is audited."""
    form = AgentFilterForm(request.GET or None)
    listed = administration.agents_listed(**form.criteria())
    audit.record(request.user, AuditAction.EXPORT, request=request, export="agents", rows=listed.count())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="agents-{timezone.localdate():%Y-%m-%d}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            "identifiant",
            "prénom",
            "nom",
            "e-mail",
            "rôle",
            "organisation",
            "unités",
            "actif",
            "dernière connexion",
        ]
    )
    for agent in listed:
        last_login = (
            timezone.localtime(agent.last_login).isoformat(timespec="minutes") if agent.last_login else ""
        )
        writer.writerow(
            neutralised(
                [
                    agent.username,
                    agent.first_name,
                    agent.last_name,
                    agent.email,
                    agent.get_role_display(),
                    agent.organisation.name if agent.organisation else "",
                    ", ".join(unit.code for unit in agent.units.all()),
                    "oui" if agent.is_active else "non",
                    last_login,
                ]
            )
        )
    return response


@agent_may("may_administer", REFUSAL)
def agent_create(request):
    form = AgentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agent = administration.save_agent(form, by=request.user, request=request)
        messages.success(request, f"Le compte « {agent.username} » est créé.")
        return redirect("administration:agent", agent.pk)
    context = {"form": form, "title": "Nouvel agent", "breadcrumb_data": _crumbs("Nouvel agent")}
    return render(request, "accounts/administration/form.html", context)


@agent_may("may_administer", REFUSAL)
def agent_detail(request, agent_id: int):
    """An agent's account: the form to change it, its second factor, its last audited acts."""
    agent = get_object_or_404(Agent, pk=agent_id)
    form = AgentForm(request.POST or None, instance=agent)
    if request.method == "POST" and form.is_valid():
        administration.save_agent(form, by=request.user, request=request)
        messages.success(request, "Les modifications sont enregistrées.")
        return redirect("administration:agent", agent.pk)
    context = {
        "agent": agent,
        "form": form,
        "title": f"Agent {agent.username}",
        "breadcrumb_data": _crumbs(agent.username),
        "devices": TOTPDevice.objects.filter(user=agent).count(),
        "history": AuditEvent.objects.filter(detail__agent_id=agent.pk)[:20],
    }
    return render(request, "accounts/administration/agent.html", context)


def _confirmed_act(request, agent_id: int, act, *, template: str, done: str):
    agent = get_object_or_404(Agent, pk=agent_id)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            act(agent, by=request.user, request=request)
        except administration.AdministrationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect("administration:agent", agent.pk)
    context = {
        "agent": agent,
        "form": form,
        "title": f"Agent {agent.username}",
        "breadcrumb_data": _crumbs(agent.username),
    }
    return render(request, template, context)


@agent_may("may_administer", REFUSAL)
def agent_deactivate(request, agent_id: int):
    """Confirm, then close the account (never one's own)."""
    return _confirmed_act(
        request,
        agent_id,
        administration.deactivate,
        template="accounts/administration/confirm_deactivate.html",
        done="Le compte est désactivé : l'agent ne peut plus se connecter.",
    )


@agent_may("may_administer", REFUSAL)
def agent_reset_second_factor(request, agent_id: int):
    """Confirm, then delete the agent's authenticator devices (they enrol again at login)."""
    return _confirmed_act(
        request,
        agent_id,
        administration.reset_second_factor,
        template="accounts/administration/confirm_reset.html",
        done="Le second facteur est réinitialisé : l'agent en enrôlera un nouveau à sa prochaine connexion.",
    )


@agent_may("may_administer", REFUSAL)
@require_POST
def agent_reactivate(request, agent_id: int):
    agent = get_object_or_404(Agent, pk=agent_id)
    try:
        administration.reactivate(agent, by=request.user, request=request)
    except administration.AdministrationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Le compte est réactivé.")
    return redirect("administration:agent", agent.pk)


@agent_may("may_administer", REFUSAL)
def organisations(request):
    page = Paginator(administration.organisations_listed(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "accounts/administration/organisations.html", {"page_obj": page, "title": "Organisations"}
    )


@agent_may("may_administer", REFUSAL)
def organisation_edit(request, organisation_id: int | None = None):
    """Create (no id) or change an organisation of the département served."""
    organisation = get_object_or_404(Organisation, pk=organisation_id) if organisation_id else None
    form = OrganisationForm(request.POST or None, instance=organisation)
    if organisation is None:
        form.instance.departement = Departement.objects.current()
    if request.method == "POST" and form.is_valid():
        administration.save_organisation(form, by=request.user, request=request)
        messages.success(request, "L'organisation est enregistrée.")
        return redirect("administration:organisations")
    title = str(organisation) if organisation else "Nouvelle organisation"
    context = {"form": form, "title": title, "breadcrumb_data": _crumbs(title)}
    return render(request, "accounts/administration/form.html", context)


@agent_may("may_administer", REFUSAL)
def units(request):
    listed = (
        TerritorialUnit.objects.filter(departement=Departement.objects.current())
        .with_stats()
        .select_related("seat")
        .order_by("code")
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "accounts/administration/units.html", {"page_obj": page, "title": "Unités territoriales"}
    )


@agent_may("may_administer", REFUSAL)
def unit_edit(request, unit_id: int | None = None):
    """Create (no id) or change a territorial unit and the communes it covers."""
    departement = Departement.objects.current()
    unit = get_object_or_404(TerritorialUnit, pk=unit_id, departement=departement) if unit_id else None
    form = UnitForm(request.POST or None, instance=unit, departement=departement)
    if request.method == "POST" and form.is_valid():
        administration.save_unit(form, by=request.user, request=request)
        messages.success(request, "L'unité territoriale est enregistrée.")
        return redirect("administration:units")
    title = str(unit) if unit else "Nouvelle unité territoriale"
    context = {"form": form, "title": title, "breadcrumb_data": _crumbs(title)}
    return render(request, "accounts/administration/form.html", context)
