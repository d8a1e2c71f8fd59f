"""Screens of coaching « Réussir sans attendre » and of outcomes: the caseload, starting an
accompaniment, its page (cadence, contacts), its end, and a training, a job or an exit.

Views write nothing themselves: they call `accompaniment.workflows` and show its French
`ValidationError` next to the form. Every person goes through `core.access.get_person_for`
(404, audited, when out of scope); lists audit the persons they show (`record_shown`).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from parcours.accompaniment import caseload as caseloads
from parcours.accompaniment import forms, workflows
from parcours.accompaniment.models import Accompaniment, ExitSource, Programme
from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.access import get_person_for
from parcours.core.listings import Column, Listing

REFUSAL = (
    "Votre rôle ne permet pas de suivre des accompagnements (coachs, référents et responsables d'équipe)."
)
YES_NO = {True: "oui", False: "non"}


def _summary(row):
    return caseloads.weeks_summary(row, timezone.localdate())


CASELOAD_COLUMNS = {
    "a_faire": Column("À faire cette semaine", lambda a: _todo_label(a), caseloads.ACTION_ORDER),
    "personne": Column(
        "Personne", lambda a: a.person.full_name, ("person__last_name", "person__first_names")
    ),
    "programme": Column("Programme", lambda a: a.get_programme_display(), ("programme",)),
    "debut": Column("Début", lambda a: a.started_on, ("started_on",)),
    "fin_prevue": Column("Fin prévue", lambda a: a.planned_end_on, ("planned_end_sort",)),
    "avec_contact": Column("Semaines avec contact", lambda a: _summary(a).with_contact),
    "sans_contact": Column("Semaines sans contact", lambda a: _summary(a).missed),
    "dernier_contact": Column("Dernier contact", lambda a: a.last_contact_on, ("last_contact_on",)),
}


def _todo_label(accompaniment) -> str:
    labels = []
    if not accompaniment.contacted_this_week:
        labels.append("Pas encore de contact cette semaine")
    if accompaniment.to_close:
        labels.append("À clôturer")
    return " ; ".join(labels) or "Contact fait cette semaine"


def _accompaniment_for(request, accompaniment_id: int, *, audit_read: bool = True) -> Accompaniment:
    """The accompaniment, if its person is in the agent's scope (else 404, audited)."""
    accompaniment = get_object_or_404(Accompaniment.objects.select_related("site"), pk=accompaniment_id)
    accompaniment.person = get_person_for(
        request.user, accompaniment.person_id, request=request, audit_read=audit_read
    )
    return accompaniment


@agent_may("may_accompany", REFUSAL)
def caseload(request):
    """The open accompaniments of the agent (of their units for a manager), what needs doing first."""
    today = timezone.localdate()
    rows = caseloads.caseload(request.user, today)
    programme = request.GET.get("programme", "")
    if programme in Programme.values:
        rows = rows.filter(programme=programme)
    silent = request.GET.get("sans_contact") == "1"
    if silent:
        rows = rows.filter(contacted_this_week=False)
    listing = Listing(request, rows, CASELOAD_COLUMNS, default_sort="a_faire", name="accompagnements")
    if listing.export_format:
        return listing.export()
    page = listing.page
    for row in page:
        row.weeks = _summary(row)
    audit.record_shown(request.user, [row.person_id for row in page], request=request, list="accompagnements")
    context = {
        "title": "Accompagnements",
        "page_obj": page,
        "listing": listing,
        "programmes": Programme.choices,
        "programme": programme,
        "silent": silent,
        "supervises": caseloads.supervises(request.user),
    }
    return render(request, "accompaniment/caseload.html", context)


@agent_may("may_accompany", REFUSAL)
def start(request, person_id: int):
    """Propose an accompaniment (after the first interview): the form, a confirmation, the start."""
    person = get_person_for(request.user, person_id, request=request, audit_read=request.method == "GET")
    refusal = workflows.start_refusal(person, timezone.localdate())
    form = forms.StartForm(request.POST or None, agent=request.user)
    confirming = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["confirmed"]:
            try:
                accompaniment = workflows.start(
                    person,
                    data["programme"],
                    referents=list(data["referents"]),
                    on=data["on"],
                    by=request.user,
                    site=data["site"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, f"L'accompagnement « {accompaniment.get_programme_display()} » commence."
                )
                return redirect("accompaniment:detail", accompaniment_id=accompaniment.pk)
        else:
            confirming = True
    context = {"person": person, "form": form, "refusal": refusal, "confirming": confirming}
    return render(
        request, "accompaniment/start.html", context | _titles("Proposer un accompagnement", person)
    )


@agent_may("may_accompany", REFUSAL)
def detail(request, accompaniment_id: int):
    accompaniment = _accompaniment_for(request, accompaniment_id)
    form = forms.ContactForm(accompaniment=accompaniment) if accompaniment.is_open else None
    return _render_detail(request, accompaniment, form)


@agent_may("may_accompany", REFUSAL)
@require_POST
def log_contact(request, accompaniment_id: int):
    """Log a contact; an htmx request gets the refreshed tracking block, others a redirect."""
    accompaniment = _accompaniment_for(request, accompaniment_id, audit_read=False)
    form = forms.ContactForm(request.POST, accompaniment=accompaniment)
    if form.is_valid():
        try:
            workflows.log_contact(
                accompaniment,
                on=form.cleaned_data["on"],
                mode=form.cleaned_data["mode"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                messages.success(request, "Contact enregistré.")
                return redirect("accompaniment:detail", accompaniment_id=accompaniment.pk)
            form = forms.ContactForm(accompaniment=accompaniment)
            form.saved = True
    return _render_detail(request, accompaniment, form)


def _render_detail(request, accompaniment: Accompaniment, form):
    today = timezone.localdate()
    context = {
        "accompaniment": accompaniment,
        "person": accompaniment.person,
        "weeks": list(reversed(workflows.cadence(accompaniment, today))),
        "contacts": accompaniment.contacts.select_related("by", "application__offer"),
        "form": form,
        "to_close": accompaniment.is_open
        and accompaniment.programme == Programme.COACHING
        and accompaniment.planned_end_on is not None
        and accompaniment.planned_end_on < today,
    }
    if request.htmx and request.method == "POST":
        return render(request, "accompaniment/_tracking.html", context)
    context |= {
        "referents": accompaniment.referents.select_related("agent", "organisation"),
        "outcomes": accompaniment.outcomes.all(),
    }
    return render(
        request, "accompaniment/detail.html", context | _titles(str(accompaniment), accompaniment.person)
    )


@agent_may("may_accompany", REFUSAL)
def end(request, accompaniment_id: int):
    """End an accompaniment (reason, date), after a confirmation."""
    accompaniment = _accompaniment_for(request, accompaniment_id, audit_read=request.method == "GET")
    if not accompaniment.is_open:
        messages.info(request, "Cet accompagnement est déjà terminé.")
        return redirect("accompaniment:detail", accompaniment_id=accompaniment.pk)
    form = forms.EndForm(request.POST or None, accompaniment=accompaniment)
    confirming = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["confirmed"]:
            try:
                workflows.end(
                    accompaniment, on=data["on"], reason=data["reason"], note=data["note"], by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "L'accompagnement est terminé.")
                return redirect("accompaniment:detail", accompaniment_id=accompaniment.pk)
        else:
            confirming = True
    context = {
        "accompaniment": accompaniment,
        "person": accompaniment.person,
        "form": form,
        "confirming": confirming,
        "reason_label": dict(form.fields["reason"].choices).get(form.data.get("reason"), ""),
        "ends_pathway": confirming and form.cleaned_data["reason"] in workflows.EXIT_ON_END,
    }
    return render(
        request,
        "accompaniment/end.html",
        context | _titles("Terminer l'accompagnement", accompaniment.person),
    )


def _back_to(request, person) -> str:
    """Where an outcome form returns: the accompaniment it was opened from, else the person page."""
    wanted = request.POST.get("accompagnement") or request.GET.get("accompagnement")
    if wanted and wanted.isdigit() and Accompaniment.objects.filter(pk=wanted, person=person).exists():
        return reverse("accompaniment:detail", args=[int(wanted)])
    return reverse("people:detail", args=[person.pk]) + "#accompagnements"


def _outcome_view(request, person_id: int, form_class, title: str, record, success: str):
    person = get_person_for(request.user, person_id, request=request, audit_read=request.method == "GET")
    form = form_class(request.POST or None)
    back = _back_to(request, person)
    if request.method == "POST" and form.is_valid():
        try:
            record(person, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, success)
            return redirect(back)
    context = {
        "person": person,
        "form": form,
        "back": back,
        "from_accompaniment": request.GET.get("accompagnement", ""),
    }
    return render(request, "accompaniment/outcome_form.html", context | _titles(title, person))


@agent_may("may_accompany", REFUSAL)
def record_training(request, person_id: int):
    def record(person, data):
        workflows.record_training(person, by=request.user, **data)

    return _outcome_view(
        request, person_id, forms.TrainingForm, "Entrée en formation", record, "Formation enregistrée."
    )


@agent_may("may_accompany", REFUSAL)
def record_job(request, person_id: int):
    def record(person, data):
        workflows.record_job(person, by=request.user, **data)

    return _outcome_view(
        request, person_id, forms.JobForm, "Emploi trouvé hors plateforme", record, "Emploi enregistré."
    )


@agent_may("may_accompany", REFUSAL)
def record_exit(request, person_id: int):
    def record(person, data):
        workflows.record_exit(
            person, on=data["on"], reason=data["reason"], by=request.user, source=ExitSource.AGENT
        )

    return _outcome_view(
        request, person_id, forms.ExitForm, "Sortie du parcours", record, "Sortie enregistrée."
    )


def _titles(current: str, person) -> dict:
    links = [
        {"url": reverse("people:search"), "title": "Personnes"},
        {"url": reverse("people:detail", args=[person.pk]), "title": person.full_name},
    ]
    return {"title": current, "breadcrumb_data": {"links": links, "current": current}}
