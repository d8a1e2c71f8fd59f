"""Pages of the commission sessions (list, creation, agenda and decisions, minutes) and of the
decision letters. Every view needs `may_instruct_aids`; every person shown is audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import agent_may
from parcours.aids import commissions, letters
from parcours.aids.access import application_for
from parcours.aids.forms_commissions import AgendaFilterForm, DecisionRowForm, EnlistForm, SessionForm
from parcours.aids.models import AidApplication, CommissionSession, SessionState
from parcours.core import audit
from parcours.core.models import AuditAction

REFUSAL = (
    "Seuls les instructeurs des aides du Département préparent les commissions et éditent les courriers."
)
PER_PAGE = 30


def _crumbs(current: str, session: CommissionSession | None = None) -> dict:
    links = [{"url": reverse("aids:sessions"), "title": "Commissions"}]
    if session is not None:
        links.append({"url": reverse("aids:session", args=[session.pk]), "title": str(session)})
    return {"links": links, "current": current}


def application_url(pk: int) -> str:
    """The application's page (the queue until the applications' pages exist)."""
    try:
        return reverse("aids:application", args=[pk])
    except NoReverseMatch:
        return ""


def _application_for(request, application_id: int) -> AidApplication:
    """The application if its person is in the agent's scope (404, audited, otherwise)."""
    return application_for(
        request, application_id, audit_read=False, related=("scheme", "version", "commission")
    )


@agent_may("may_instruct_aids", REFUSAL)
def sessions(request):
    planned = list(commissions.planned().select_related("scheme", "unit").order_by("held_on", "pk"))
    held = CommissionSession.objects.filter(state=SessionState.HELD).select_related("scheme", "unit")
    page = Paginator(held.order_by("-held_on", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "aids/commissions/sessions.html",
        {"planned": planned, "page_obj": page, "title": "Commissions des aides", "breadcrumb_data": None},
    )


@agent_may("may_instruct_aids", REFUSAL)
def session_new(request):
    form = SessionForm(request.POST or None, initial={"held_on": commissions.default_held_on()})
    if request.method == "POST" and form.is_valid():
        session = form.save(commit=False)
        session.created_by = request.user
        session.save()
        messages.success(request, f"Séance créée : {session}.")
        return redirect("aids:session", session.pk)
    return render(
        request,
        "aids/commissions/session_form.html",
        {
            "form": form,
            "title": "Nouvelle séance de commission",
            "breadcrumb_data": _crumbs("Nouvelle séance"),
        },
    )


def _session_page(request, session: CommissionSession, *, rows=None, rejected: str = "", status: int = 200):
    agenda = list(commissions.agenda(session))
    if rows is None:
        rows = [DecisionRowForm(application=a) for a in agenda]
    filter_form = AgendaFilterForm(request.GET or None)
    scheme = filter_form.cleaned_data["scheme"] if filter_form.is_valid() else None
    planned = session.state == SessionState.PLANNED
    candidates = list(commissions.enlistable(session, request.user, scheme=scheme)[:100]) if planned else []
    decided = [] if planned else commissions.minutes(session)["rows"]
    shown = (
        [a.person_id for a in agenda] + [a.person_id for a in candidates] + [r["person_id"] for r in decided]
    )
    audit.record_shown(request.user, shown, request=request)
    for a in agenda + candidates:
        a.url = application_url(a.pk)
    context = {
        "session": session,
        "planned": planned,
        "agenda": agenda,
        "rows": rows,
        "candidates": candidates,
        "filter_form": filter_form,
        "decided": decided,
        "rejected": rejected,
        "title": str(session),
        "breadcrumb_data": _crumbs(str(session)),
    }
    return render(request, "aids/commissions/session.html", context, status=status)


@agent_may("may_instruct_aids", REFUSAL)
def session(request, session_id: int):
    current = get_object_or_404(CommissionSession.objects.select_related("scheme", "unit"), pk=session_id)
    return _session_page(request, current)


@agent_may("may_instruct_aids", REFUSAL)
@require_POST
def session_enlist(request, session_id: int):
    current = get_object_or_404(CommissionSession, pk=session_id)
    ids = [int(i) for i in request.POST.getlist("applications") if i.isdigit()]
    chosen = commissions.enlistable(current, request.user).filter(pk__in=ids)
    done, errors = 0, []
    for application in chosen:
        try:
            commissions.enlist(application, current, by=request.user, request=request)
            done += 1
        except ValidationError as error:
            errors.append(f"{application.reference} : {' '.join(error.messages)}")
    if done:
        messages.success(
            request,
            f"{done} demande{'s' if done > 1 else ''} inscrite{'s' if done > 1 else ''} à l'ordre du jour.",
        )
    for error in errors:
        messages.error(request, error)
    if not ids:
        messages.error(request, "Cochez les demandes à inscrire à l'ordre du jour.")
    return redirect("aids:session", current.pk)


@agent_may("may_instruct_aids", REFUSAL)
@require_POST
def session_unlist(request, session_id: int, application_id: int):
    current = get_object_or_404(CommissionSession, pk=session_id)
    application = _application_for(request, application_id)
    if application.commission_id != current.pk:
        raise Http404("Cette demande n'est pas à l'ordre du jour de cette séance.")
    try:
        commissions.unlist(application, by=request.user, request=request)
        messages.success(request, f"Demande {application.reference} retirée de l'ordre du jour.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("aids:session", current.pk)


@agent_may("may_instruct_aids", REFUSAL)
@require_POST
def session_decide(request, session_id: int):
    current = get_object_or_404(CommissionSession.objects.select_related("scheme", "unit"), pk=session_id)
    agenda = list(commissions.agenda(current))
    rows = [DecisionRowForm(request.POST, application=a) for a in agenda]
    if not agenda:
        messages.error(
            request, "L'ordre du jour est vide : inscrivez des demandes avant d'enregistrer les décisions."
        )
        return redirect("aids:session", current.pk)
    valid = [row.is_valid() for row in rows]  # every row validated, so that each shows its errors
    if not all(valid):
        return _session_page(
            request,
            current,
            rows=rows,
            rejected="Corrigez les lignes signalées : rien n'a été enregistré.",
            status=400,
        )
    try:
        commissions.record_decisions(
            current, [row.as_decision() for row in rows], by=request.user, request=request
        )
    except commissions.DecisionsRejected as rejected:
        for row in rows:
            for message in rejected.errors.get(row.application.pk, []):
                row.add_error(None, message)
        return _session_page(request, current, rows=rows, rejected=rejected.messages[0], status=400)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("aids:session", current.pk)
    messages.success(
        request,
        f"Décisions enregistrées pour {len(rows)} demande{'s' if len(rows) > 1 else ''} : la séance est tenue.",
    )
    return redirect("aids:session", current.pk)


@agent_may("may_instruct_aids", REFUSAL)
def session_minutes(request, session_id: int):
    current = get_object_or_404(CommissionSession.objects.select_related("scheme"), pk=session_id)
    content = commissions.minutes(current)
    pdf = commissions.minutes_pdf(current, content)
    audit.record_shown(
        request.user, [r["person_id"] for r in content["rows"]], request=request, document="pv_commission"
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="proces-verbal-commission-{current.pk}.pdf"'
    return response


@agent_may("may_instruct_aids", REFUSAL)
def enlist(request, application_id: int):
    application = _application_for(request, application_id)
    form = EnlistForm(request.POST or None, application=application)
    if request.method == "POST" and form.is_valid():
        try:
            commissions.enlist(application, form.cleaned_data["session"], by=request.user, request=request)
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, f"Demande inscrite à la {form.cleaned_data['session']}.")
            return redirect(
                application_url(application.pk) or reverse("aids:session", args=[application.commission_id])
            )
    audit.record_shown(request.user, [application.person_id], request=request)
    context = {
        "application": application,
        "form": form,
        "back": application_url(application.pk),
        "title": f"Inscrire la demande {application.reference} en commission",
        "breadcrumb_data": _crumbs("Inscrire une demande"),
    }
    return render(request, "aids/commissions/enlist.html", context)


@agent_may("may_instruct_aids", REFUSAL)
def letter(request, application_id: int):
    application = _application_for(request, application_id)
    if letters.kind_of(application) is None:
        raise Http404("Aucune décision n'a encore été prise : pas de courrier.")
    pdf = letters.render_pdf(application)
    audit.record(
        request.user, AuditAction.EXPORT, person=application.person, request=request,
        export="courrier_aide", kind=letters.kind_of(application),
    )  # fmt: skip
    response = HttpResponse(pdf, content_type="application/pdf")
    # The application's number only: no name in a file name.
    response["Content-Disposition"] = f'attachment; filename="courrier-aide-{application.pk}.pdf"'
    return response
