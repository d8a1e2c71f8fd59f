"""The person's rights (access export, rectifications, restriction), the register of processing
activities and the reports of the retention task."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.access import get_person_for
from parcours.core.models import AuditAction
from parcours.core.spreadsheet_safety import neutralise
from parcours.people.record_history import record_changes, with_field_labels
from parcours.privacy import access_export, categories, lifecycle
from parcours.privacy.forms import LiftForm, RestrictionForm
from parcours.privacy.models import ProcessingRestriction, RetentionRun
from parcours.privacy.restriction import (
    RestrictionError,
    active_restriction,
    lift_restriction,
    set_restriction,
)

REFUSAL = "Votre rôle ne permet pas de traiter les demandes des personnes sur leurs données."
ADMIN_REFUSAL = "Seuls les administrateurs lisent les passages de la conservation des données."
PER_PAGE = 50


def _crumbs(person, current: str) -> dict:
    from django.urls import reverse

    links = [{"url": reverse("people:search"), "title": "Personnes"}]
    if person is not None:
        links.append({"url": reverse("people:detail", args=[person.pk]), "title": person.full_name})
    return {"links": links, "current": current}


@agent_may("may_handle_data_requests", REFUSAL)
def person_data(request, person_id: int):
    person = get_person_for(request.user, person_id, request=request)
    context = {
        "person": person,
        "status": lifecycle.status_of(person),
        "restriction": active_restriction(person),
        "past_restrictions": ProcessingRestriction.objects.filter(
            person=person, lifted_at__isnull=False
        ).select_related("set_by", "lifted_by")[:20],
        "form": RestrictionForm(),
        "title": f"Données personnelles de {person.full_name}",
        "breadcrumb_data": _crumbs(person, "Données personnelles"),
    }
    return render(request, "privacy/person.html", context)


def _export(request, person_id: int, fmt: str):
    person = get_person_for(request.user, person_id, request=request, audit_read=False)
    body = access_export.as_pdf(person) if fmt == "pdf" else access_export.as_json(person).encode()
    audit.record(
        request.user, AuditAction.EXPORT, person=person, request=request, export="droit_acces", format=fmt
    )
    content_type = "application/pdf" if fmt == "pdf" else "application/json; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    # The person's number only: no name in a file name (it ends up in logs and download folders).
    response["Content-Disposition"] = f'attachment; filename="donnees-personnelles-{person.pk}.{fmt}"'
    return response


@agent_may("may_handle_data_requests", REFUSAL)
def access_pdf(request, person_id: int):
    return _export(request, person_id, "pdf")


@agent_may("may_handle_data_requests", REFUSAL)
def access_json(request, person_id: int):
    return _export(request, person_id, "json")


@agent_may("may_handle_data_requests", REFUSAL)
def rectifications(request, person_id: int):
    """Every creation and change of the person's record: date, agent, fields (never a value)."""
    person = get_person_for(request.user, person_id, request=request)
    page = Paginator(record_changes(person), PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = with_field_labels(page.object_list)
    context = {
        "person": person,
        "page_obj": page,
        "title": f"Rectifications de {person.full_name}",
        "breadcrumb_data": _crumbs(person, "Rectifications"),
    }
    return render(request, "privacy/rectifications.html", context)


@agent_may("may_handle_data_requests", REFUSAL)
@require_POST
def restriction_set(request, person_id: int):
    person = get_person_for(request.user, person_id, request=request, audit_read=False)
    form = RestrictionForm(request.POST)
    if form.is_valid():
        try:
            set_restriction(person, reason=form.cleaned_data["reason"], by=request.user, request=request)
        except RestrictionError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, "La limitation du traitement est active : les données sont seulement conservées."
            )
        return redirect("privacy:person", person.pk)
    context = {
        "person": person,
        "status": lifecycle.status_of(person),
        "restriction": None,
        "form": form,
        "title": f"Données personnelles de {person.full_name}",
        "breadcrumb_data": _crumbs(person, "Données personnelles"),
    }
    return render(request, "privacy/person.html", context, status=400)


@agent_may("may_handle_data_requests", REFUSAL)
def restriction_lift(request, person_id: int):
    person = get_person_for(request.user, person_id, request=request, audit_read=request.method == "GET")
    form = LiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lift_restriction(person, by=request.user, request=request)
        except RestrictionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "La limitation est levée : le traitement reprend.")
        return redirect("privacy:person", person.pk)
    context = {
        "person": person,
        "restriction": active_restriction(person),
        "form": form,
        "title": "Lever la limitation du traitement",
        "breadcrumb_data": _crumbs(person, "Lever la limitation"),
    }
    return render(request, "privacy/lift.html", context)


REGISTER_COLUMNS = [
    ("Traitement", "label"),
    ("Finalité", "purpose"),
    ("Catégories de données", "data"),
    ("Personnes concernées", "persons"),
    ("Destinataires", "recipients"),
    ("Base légale", "legal_basis"),
    ("Durée de conservation", "retention_text"),
    ("À la fin", "end_label"),
    ("Source de la durée", "source"),
]


def _register_rows() -> list[list[str]]:
    rows = []
    for category in categories.CATEGORIES:
        row = []
        for _, attribute in REGISTER_COLUMNS:
            value = getattr(category, attribute)
            row.append(value() if callable(value) else value)
        rows.append(row)
    return rows


@agent_may("may_handle_data_requests", REFUSAL)
def register(request):
    """The register of processing activities, generated from `privacy.categories`."""
    context = {
        "headers": [header for header, _ in REGISTER_COLUMNS],
        "rows": _register_rows(),
        "controller": access_export.controller(),
        "title": "Registre des traitements",
    }
    return render(request, "privacy/register.html", context)


@agent_may("may_handle_data_requests", REFUSAL)
def register_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="registre-des-traitements.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([header for header, _ in REGISTER_COLUMNS])
    for row in _register_rows():
        writer.writerow([neutralise(cell) for cell in row])
    return response


@agent_may("may_administer", ADMIN_REFUSAL)
def runs(request):
    page = Paginator(RetentionRun.objects.all(), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "privacy/runs.html", {"page_obj": page, "title": "Conservation des données"})


@agent_may("may_administer", ADMIN_REFUSAL)
def run_detail(request, run_id: int):
    run = get_object_or_404(RetentionRun, pk=run_id)
    counts = run.counts.get("categories", {})
    rows = [
        {
            "category": category,
            "count": counts.get(category.code, 0),
            "periods": run.periods.get(category.code),
        }
        for category in categories.CATEGORIES
    ]
    context = {
        "run": run,
        "persons": run.counts.get("persons", {}),
        "rows": rows,
        "title": f"Passage du {run.started_at:%d/%m/%Y}",
    }
    return render(request, "privacy/run.html", context)
