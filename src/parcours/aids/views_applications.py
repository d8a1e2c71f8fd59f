"""Pages of the aid applications: filing (from the person page or a tray item), the draft, the
instructor's queue, the application page with its actions, its documents and ASE placements.

Every application is reached through its person's access rule (`core.access.get_person_for`:
404, audited, out of scope); every state change goes through `aids.workflows`, every document
through `aids.documents`; their French errors are shown on the page.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import agent_may, require
from parcours.aids import documents, workflows
from parcours.aids.access import application_for
from parcours.aids.eligibility import evaluate, failing
from parcours.aids.forms_applications import (
    ApplicationForm,
    ConfirmForm,
    DocumentCheckForm,
    DocumentForm,
    GrantForm,
    PlacementForm,
    QueueFilterForm,
    RefuseForm,
    RequestDocumentsForm,
)
from parcours.aids.models import (
    TRANSITIONS,
    AidApplication,
    ApplicationDocument,
    ApplicationState,
    ChildProtectionPlacement,
    Decider,
    RefusalReason,
    Scheme,
    SubsidiarityStatus,
)
from parcours.aids.models.applications import QUEUE_STATES
from parcours.aids.queue import queue
from parcours.core import audit
from parcours.core.access import get_person_for
from parcours.core.listings import Column, Listing

FILING_REFUSAL = "Votre rôle ne permet pas de déposer ni de suivre des demandes d'aide."
INSTRUCTION_REFUSAL = "Votre rôle ne permet pas d'instruire les demandes d'aide."
S = ApplicationState


# -- remaining time -------------------------------------------------------------------------


def _duration(delta: datetime.timedelta) -> str:
    """« 5 h 20 », « 46 h 59 » (hours up to two days), « 3 j 4 h » beyond, « 12 min »."""
    minutes = int(abs(delta.total_seconds()) // 60)
    if minutes >= 48 * 60:
        days, rest = divmod(minutes, 24 * 60)
        return f"{days} j {rest // 60} h"
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d}" if minutes else f"{hours} h"
    return f"{minutes} min"


def remaining_label(application: AidApplication, now: datetime.datetime) -> str:
    """« reste 5 h 20 », « dépassé de 2 h », « délai suspendu » (waiting for documents), or ""
    (no service level, or decided)."""
    if application.state not in QUEUE_STATES or application.due_at is None:
        return ""
    if application.paused_at is not None:
        return "délai suspendu"
    delta = application.due_at - now
    return f"reste {_duration(delta)}" if delta.total_seconds() >= 0 else f"dépassé de {_duration(delta)}"


# -- filing ---------------------------------------------------------------------------------


def _filable_schemes(day: datetime.date) -> list[tuple[Scheme, object]]:
    """(scheme, version valid on `day`) of the active schemes, in two queries."""
    from parcours.aids.models import SchemeVersion

    versions = SchemeVersion.objects.valid_on(day).filter(scheme__is_active=True).select_related("scheme")
    latest: dict[int, object] = {}
    for version in versions.order_by("scheme__name", "-valid_from"):
        latest.setdefault(version.scheme_id, version)
    return [(version.scheme, version) for version in latest.values()]


def _tray_item_for(request, person):
    """The tray item named by `?item=` (or the posted `item`), when it is the person's and the
    agent is a member of its tray; None when none is named; 404 otherwise."""
    from parcours.reception.models import TrayItem
    from parcours.reception.workflows import is_member

    raw = request.POST.get("item") or request.GET.get("item")
    if not raw:
        return None
    item = TrayItem.objects.select_related("tray").filter(pk=raw if str(raw).isdigit() else 0).first()
    if item is None or item.person_id != person.pk or not is_member(request.user, item.tray):
        raise Http404("Demande d'accueil introuvable.")
    return item


def _preview(version, person, form: ApplicationForm | None, application=None) -> list:
    """The eligibility as it would be evaluated today, for the form's values."""
    probe = application or AidApplication(person=person, version=version)
    if form is not None and form.is_bound and hasattr(form, "cleaned_data"):
        for name in ("declared_resources", "household_size", "emergency", "items", "requested_amount"):
            if name in form.cleaned_data:
                setattr(probe, name, form.cleaned_data[name])
    return evaluate(version, person, on=timezone.localdate(), application=probe)


def _flagged_subsidiarity(version, answers: dict) -> list[str]:
    """Labels of the other aids marked « non sollicitée » without a justification."""
    return [
        entry.get("label", entry.get("code"))
        for entry in version.subsidiarity or []
        if answers.get(entry.get("code"), {}).get("status") == SubsidiarityStatus.NOT_ASKED
        and not answers.get(entry.get("code"), {}).get("note", "").strip()
    ]


def _save(request, form: ApplicationForm, person, scheme, application=None, tray_item=None):
    """Create or update the draft from `form`, then deposit it when asked; all or nothing.
    Returns the application, or None with the errors added to `form`."""
    try:
        with transaction.atomic():
            if application is None:
                application = workflows.create_draft(
                    person, scheme, by=request.user, tray_item=tray_item, request=request, **form.values
                )
            else:  # the form offers « urgence » only when the version has an emergency procedure
                for name, value in form.values.items():
                    setattr(application, name, value)
                audit.record_changes(request.user, person, ["aide:brouillon"], request=request)
            application.subsidiarity = form.subsidiarity
            application.save()
            if form.deposit:
                workflows.deposit(application, by=request.user, request=request)
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return None
    return application


@agent_may("may_file_aid_requests", FILING_REFUSAL)
def new(request, person_id: int):
    """File an application for the person: choose a scheme, then the form and the preview."""
    person = get_person_for(request.user, person_id, request=request)
    tray_item = _tray_item_for(request, person)
    today = timezone.localdate()
    schemes = _filable_schemes(today)
    chosen = request.POST.get("dispositif") or request.GET.get("dispositif")
    version = next((v for s, v in schemes if s.code == chosen), None)
    context = {"person": person, "tray_item": tray_item, "schemes": schemes, "version": version}
    if version is None:
        return render(request, "aids/applications/choose.html", context)
    depositing = request.method == "POST" and "deposer" in request.POST
    form = ApplicationForm(request.POST or None, version=version, deposit=depositing)
    if request.method == "POST" and form.is_valid():
        application = _save(request, form, person, version.scheme, tray_item=tray_item)
        if application is not None:
            messages.success(request, "Demande déposée." if depositing else "Brouillon enregistré.")
            return redirect("aids:application", application.pk)
    return _filing_page(request, context | {"form": form})


def _filing_page(request, context: dict):
    form, version, person = context["form"], context["version"], context["person"]
    answers = form.subsidiarity if form.is_bound and hasattr(form, "cleaned_data") else {}
    results = _preview(version, person, form, context.get("application"))
    context |= {
        "results": results,
        "failed": failing(results),
        "flagged": _flagged_subsidiarity(version, answers),
        "decider": Decider(version.decider).label,
    }
    return render(request, "aids/applications/form.html", context)


def _application_for(request, application_id: int) -> AidApplication:
    """The application if its person is within the agent's scope (404 audited otherwise)."""
    return application_for(
        request, application_id, related=("scheme", "version", "instructor", "filed_by", "decided_by", "unit")
    )


@agent_may("may_file_aid_requests", FILING_REFUSAL)
def edit(request, application_id: int):
    """The draft: the same form, saved again or deposited."""
    application = _application_for(request, application_id)
    if application.state != S.DRAFT:
        return redirect("aids:application", application.pk)
    version, person = application.version, application.person
    depositing = request.method == "POST" and "deposer" in request.POST
    form = ApplicationForm(
        request.POST or None,
        version=version,
        deposit=depositing,
        initial=ApplicationForm.initial_from(application),
    )
    saved = request.method == "POST" and form.is_valid()
    if saved and _save(request, form, person, application.scheme, application=application) is not None:
        messages.success(request, "Demande déposée." if depositing else "Brouillon enregistré.")
        return redirect("aids:application", application.pk)
    context = {"person": person, "version": version, "application": application, "form": form}
    return _filing_page(request, context)


# -- the queue ------------------------------------------------------------------------------

QUEUE_COLUMNS = {
    "echeance": Column("Échéance", lambda a: a.due_at, ("-emergency", "due_at")),
    "urgence": Column("Urgence", lambda a: "oui" if a.emergency else "non"),
    "reference": Column("Référence", lambda a: a.reference),
    "personne": Column("Personne", lambda a: a.person.full_name, ("person__last_name", "person__first_name")),
    "dispositif": Column("Dispositif", lambda a: a.scheme.name, ("scheme__name",)),
    "etat": Column("État", lambda a: a.get_state_display(), ("state",)),
    "depot": Column("Déposée le", lambda a: a.deposited_at, ("deposited_at",)),
    "montant": Column("Montant demandé", lambda a: a.requested_amount),
    "instructeur": Column("Instructeur", lambda a: str(a.instructor or "")),
}


class QueuePage:
    """One page of the queue without counting the whole queue: one row more than shown tells
    whether a next page exists (the queue may hold tens of thousands of applications)."""

    def __init__(self, queryset, number: int, per_page: int):
        self.number = max(number, 1)
        start = (self.number - 1) * per_page
        rows = list(queryset[start : start + per_page + 1])
        self.has_next, self.object_list = len(rows) > per_page, rows[:per_page]
        self.has_previous = self.number > 1


@agent_may("may_instruct_aids", INSTRUCTION_REFUSAL)
def queue_view(request):
    """The applications waiting for a decision: emergencies first, then by deadline, each with
    its remaining time; filters, sorting, pages, CSV/XLSX export."""
    agent = request.user
    filters = QueueFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    emergency = {"oui": True, "non": False}.get(data.get("emergency") or "")
    applications = queue(
        agent,
        scheme=data.get("scheme"),
        state=data.get("state") or "",
        unit=data.get("unit"),
        emergency=emergency,
    )
    if data.get("mine"):
        applications = applications.filter(instructor=agent)
    listing = Listing(request, applications, QUEUE_COLUMNS, default_sort="echeance", name="file-aides")
    if listing.export_format:
        return listing.export()
    try:
        number = int(request.GET.get("page", 1))
    except ValueError:
        number = 1
    page = QueuePage(listing.queryset, number, listing.per_page)
    now = timezone.now()
    for application in page.object_list:
        application.remaining = remaining_label(application, now)
        application.late = application.remaining.startswith("dépassé")
    audit.record_shown(agent, [a.person_id for a in page.object_list], request=request, list="file-aides")
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "listing": listing, "page": page, "query": query.urlencode()}
    return render(request, "aids/applications/queue.html", context)


# -- the application page -------------------------------------------------------------------

# The actions of the page: URL slug (the transition's name) → the form it posts.
ACTION_FORMS = {
    "start": None,
    "request_documents": RequestDocumentsForm,
    "documents_received": None,
    "grant": GrantForm,
    "refuse": RefuseForm,
    "withdraw": ConfirmForm,
    "cancel": ConfirmForm,
}
# Actions an agent who files (without instructing) may take: withdrawing their request.
FILER_ACTIONS = {"withdraw"}


def _enlist_url(application) -> str:
    """The commission part's page to enlist the application in a session, when it exists."""
    try:
        return reverse("aids:enlist", args=[application.pk])
    except NoReverseMatch:
        return ""


def _application_context(request, application: AidApplication, **extra) -> dict:
    agent = request.user
    version = application.version
    available = {t.name for t in application.available_transitions()}
    instructs = agent.may_instruct_aids
    actions = {name for name in ACTION_FORMS if name in available and (instructs or name in FILER_ACTIONS)}
    docs = list(application.documents.select_related("uploaded_by", "checked_by"))
    by_code: dict[str, list] = {}
    for document in docs:
        by_code.setdefault(document.code, []).append(document)
    if application.eligibility:
        results = application.eligibility
    else:
        results = [r.as_dict() for r in evaluate(version, application.person, on=timezone.localdate(),
                                                 application=application)]  # fmt: skip
    answers = application.subsidiarity or {}
    subsidiarity = [
        {
            "label": entry.get("label", entry.get("code")),
            "status": SubsidiarityStatus(answers[entry["code"]]["status"]).label
            if entry.get("code") in answers
            and answers[entry["code"]].get("status") in SubsidiarityStatus.values
            else "Non renseigné",
            "note": answers.get(entry.get("code"), {}).get("note", ""),
        }
        for entry in version.subsidiarity or []
    ]
    amount = application.requested_amount or workflows.default_amount(version, application.items)
    context = {
        "application": application,
        "person": application.person,
        "version": version,
        "remaining": remaining_label(application, timezone.now()),
        "results": results,
        "subsidiarity": subsidiarity,
        "flagged": _flagged_subsidiarity(version, answers),
        "required_documents": [
            {
                "code": d.get("code"),
                "label": d.get("label", d.get("code")),
                "required": d.get("required", True),
                "documents": by_code.get(d.get("code"), []),
            }
            for d in version.documents or []
        ],  # fmt: skip
        "missing": workflows.missing_documents(application) if version.documents else [],
        "transitions": application.transitions.select_related("by"),
        "placements": ChildProtectionPlacement.objects.filter(person=application.person).select_related(
            "recorded_by"
        ),
        "actions": actions,
        "labels": {name: TRANSITIONS[name].label for name in ACTION_FORMS},
        "may_instruct": instructs,
        "may_add_documents": application.state in documents.OPEN_STATES and version.documents,
        "decider": Decider(version.decider).label,
        "by_commission": version.decider == Decider.COMMISSION,
        "enlist_url": _enlist_url(application) if "to_commission" in available and instructs else "",
        "forms": {
            "request_documents": RequestDocumentsForm(),
            "grant": GrantForm(initial={"amount": amount}),
            "refuse": RefuseForm(),
            "withdraw": ConfirmForm(prefix="withdraw"),
            "cancel": ConfirmForm(prefix="cancel"),
        },
        "document_form": DocumentForm(version=version),
        "placement_form": PlacementForm(),
        "reason_labels": [dict(RefusalReason.choices).get(r, r) for r in application.decision_reasons or []],
    }
    context.update(extra)
    if "action_form" in extra and extra.get("action_name") in context["forms"]:
        context["forms"][extra["action_name"]] = extra["action_form"]
    return context


@agent_may("may_file_aid_requests", FILING_REFUSAL)
def application(request, application_id: int):
    """The application: person, scheme and version, state and deadline, eligibility,
    subsidiarity, documents, amounts, history and the actions this agent may take."""
    application = _application_for(request, application_id)
    return render(request, "aids/applications/detail.html", _application_context(request, application))


def _run(request, application: AidApplication, name: str, form) -> str:
    """Apply the action `name` with the valid `form`; returns the success message."""
    agent, data = request.user, (form.cleaned_data if form is not None else {})
    if name == "grant":
        workflows.grant(
            application, by=agent, amount=data["amount"], note=data.get("note", ""), request=request
        )
        return f"Aide accordée ({application.granted_amount} €)."
    if name == "refuse":
        workflows.refuse(
            application, by=agent, reasons=data["reasons"], note=data.get("note", ""), request=request
        )
        return "Demande refusée."
    if name == "cancel":
        workflows.cancel(application, by=agent, note=data["note"], request=request)
        return "Aide annulée : ce qui n'était pas payé est libéré de l'enveloppe."
    workflows.apply(application, name, by=agent, note=data.get("note", ""), request=request)
    return {
        "start": "Instruction commencée : vous êtes l'instructeur du dossier.",
        "request_documents": "Pièces demandées : le délai est suspendu.",
        "documents_received": "Pièces reçues : le délai reprend.",
        "withdraw": "Demande abandonnée.",
    }[name]


@agent_may("may_file_aid_requests", FILING_REFUSAL)
@require_POST
def application_action(request, application_id: int, transition: str):
    """Post an action of the application page (`ACTION_FORMS`) through `aids.workflows`; its
    errors (authority, envelope, documents, eligibility) are shown on the page."""
    if transition not in ACTION_FORMS:
        raise Http404("Action inconnue.")
    application = _application_for(request, application_id)
    if transition not in FILER_ACTIONS:
        require(request.user, "may_instruct_aids", request=request, message=INSTRUCTION_REFUSAL)
    form_class = ACTION_FORMS[transition]
    prefix = transition if transition in ("withdraw", "cancel") else None
    form = form_class(request.POST, prefix=prefix) if form_class else None
    errors: list[str] = []
    if form is not None and not form.is_valid():
        errors = [f"{form.fields[f].label if f in form.fields else ''} : {e}".lstrip(" :") for f, es in
                  form.errors.items() for e in es]  # fmt: skip
    else:
        try:
            message = _run(request, application, transition, form)
        except ValidationError as error:
            errors = error.messages
            application.refresh_from_db()
        else:
            messages.success(request, message)
            return redirect("aids:application", application.pk)
    context = _application_context(
        request, application, action_errors=errors, action_name=transition, action_form=form
    )
    return render(request, "aids/applications/detail.html", context)


# -- documents ------------------------------------------------------------------------------


@agent_may("may_file_aid_requests", FILING_REFUSAL)
@require_POST
def document_upload(request, application_id: int):
    application = _application_for(request, application_id)
    form = DocumentForm(request.POST, request.FILES, version=application.version)
    errors = []
    refused = getattr(request, "upload_refused", "")
    if refused:
        errors = [refused]
    elif not form.is_valid():
        errors = [e for es in form.errors.values() for e in es]
    else:
        try:
            documents.store(
                application, form.cleaned_data["code"], form.cleaned_data["file"], by=request.user,
                valid_until=form.cleaned_data.get("valid_until"), request=request,
            )  # fmt: skip
        except ValidationError as error:
            errors = error.messages
    if not errors:
        messages.success(request, "Pièce ajoutée.")
        return redirect(reverse("aids:application", args=[application.pk]) + "#pieces")
    context = _application_context(request, application, document_errors=errors)
    context["document_form"] = form
    return render(request, "aids/applications/detail.html", context)


def _document_for(request, document_id: int) -> ApplicationDocument:
    document = ApplicationDocument.objects.select_related("application").filter(pk=document_id).first()
    if document is None:
        raise Http404("Pièce introuvable.")
    get_person_for(request.user, document.application.person_id, request=request)
    return document


@agent_may("may_file_aid_requests", FILING_REFUSAL)
def document_download(request, document_id: int):
    """The document as an attachment, for an agent who sees the person (404 audited otherwise)."""
    document = _document_for(request, document_id)
    try:
        handle = documents.open_for_download(document)
    except FileNotFoundError as error:
        raise Http404("Le fichier de cette pièce est introuvable.") from error
    return FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )


@agent_may("may_instruct_aids", INSTRUCTION_REFUSAL)
@require_POST
def document_check(request, document_id: int):
    document = _document_for(request, document_id)
    form = DocumentCheckForm(request.POST)
    if form.is_valid():
        try:
            documents.check(
                document, by=request.user, valid=form.cleaned_data["verdict"] == "conforme",
                reason=form.cleaned_data["reason"], request=request,
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"Pièce « {document.application.version.document_label(document.code)} » contrôlée."
            )
    else:
        messages.error(request, "Choisissez « Conforme » ou « Non conforme ».")
    return redirect(reverse("aids:application", args=[document.application_id]) + "#pieces")


# -- ASE placements -------------------------------------------------------------------------


@agent_may("may_instruct_aids", INSTRUCTION_REFUSAL)
@require_POST
def placement_add(request, application_id: int):
    """Record a past placement with the ASE (read by the rule `ase_placement`)."""
    application = _application_for(request, application_id)
    form = PlacementForm(request.POST)
    if not form.is_valid():
        context = _application_context(request, application)
        context["placement_form"] = form
        return render(request, "aids/applications/detail.html", context)
    placement = form.save(commit=False)
    placement.person, placement.recorded_by = application.person, request.user
    placement.save()
    audit.record_changes(
        request.user, application.person, ["aide:placement_ase"], request=request, created=True
    )
    messages.success(request, "Placement à l'ASE enregistré.")
    return redirect("aids:application", application.pk)
