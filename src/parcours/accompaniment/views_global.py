"""Screens of the accompagnement global: the pair's start, the pair's page (référents, joint
diagnosis, shared action plan), the diagnosis form, the plan's objectives and actions (status
changed inline, with htmx or without JS; abandoning asks for a confirmation), my actions, and
the programme targets (administration).

Views write nothing themselves: they call `pairs`, `diagnosis`, `action_plan` and `targets`,
and show their French `ValidationError`. Every object is reached through its person
(`core.access.get_person_for`: 404, audited, out of scope); the plan is edited by the pair
and their managers (`pairs.require_editor`: 403), read by anyone else who may see the person.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from parcours.accompaniment import action_plan, diagnosis, pairs, targets
from parcours.accompaniment import forms_global as forms
from parcours.accompaniment.models import Accompaniment, Programme
from parcours.accompaniment.plans import Action, ActionStatus, Objective, ProgrammeTarget
from parcours.accompaniment.workflows import start_refusal
from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.access import get_person_for

REFUSAL = (
    "Votre rôle ne permet pas de suivre des accompagnements (coachs, référents et responsables d'équipe)."
)
READ_REFUSAL = "Votre rôle ne permet pas de consulter les accompagnements."


def _pair(request, accompaniment_id: int, *, audit_read: bool = True) -> Accompaniment:
    """The accompagnement global, if its person is in the agent's scope (else 404, audited)."""
    accompaniment = get_object_or_404(Accompaniment, pk=accompaniment_id, programme=Programme.GLOBAL)
    accompaniment.person = get_person_for(
        request.user, accompaniment.person_id, request=request, audit_read=audit_read
    )
    return accompaniment


def _objective(request, objective_id: int) -> Objective:
    objective = get_object_or_404(Objective.objects.select_related("accompaniment"), pk=objective_id)
    objective.accompaniment.person = get_person_for(
        request.user, objective.accompaniment.person_id, request=request, audit_read=False
    )
    return objective


def _action(request, action_id: int, *, audit_read: bool = False) -> Action:
    action = get_object_or_404(
        Action.objects.select_related("objective__accompaniment", "owner"), pk=action_id
    )
    action.objective.accompaniment.person = get_person_for(
        request.user, action.objective.accompaniment.person_id, request=request, audit_read=audit_read
    )
    return action


def _titles(current: str, person, accompaniment: Accompaniment | None = None) -> dict:
    links = [
        {"url": reverse("people:search"), "title": "Personnes"},
        {"url": reverse("people:detail", args=[person.pk]), "title": person.full_name},
    ]
    if accompaniment is not None:
        links.append(
            {"url": reverse("accompaniment:global_detail", args=[accompaniment.pk]), "title": "Binôme"}
        )
    return {"title": current, "breadcrumb_data": {"links": links, "current": current}}


@agent_may("may_accompany", REFUSAL)
def start(request, person_id: int):
    """Start an accompagnement global with two référents of two organisations."""
    person = get_person_for(request.user, person_id, request=request, audit_read=request.method == "GET")
    form = forms.PairStartForm(request.POST or None, agent=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            accompaniment = pairs.start_pair(
                person, data["first"], data["second"], on=data["on"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "L'accompagnement global commence : chaque référent retrouve la personne dans son portefeuille.",
            )
            return redirect("accompaniment:global_detail", accompaniment_id=accompaniment.pk)
    context = {"person": person, "form": form, "refusal": start_refusal(person, timezone.localdate())}
    return render(
        request,
        "accompaniment/global_start.html",
        context | _titles("Accompagnement global en binôme", person),
    )


def _plan(accompaniment: Accompaniment) -> list[Objective]:
    actions = Action.objects.select_related("owner").order_by("due_on", "pk")
    return list(
        accompaniment.objectives.prefetch_related("needs", Prefetch("actions", queryset=actions)).order_by(
            "created_at", "pk"
        )
    )


def _decorate(actions, may_edit: bool, today) -> None:
    for action in actions:
        action.next_statuses = (
            [
                (to, name)
                for to, name in action_plan.next_statuses(action.status)
                if to != ActionStatus.ABANDONED
            ]
            if may_edit
            else []
        )
        action.may_abandon = may_edit and (action.status, ActionStatus.ABANDONED) in action_plan.TRANSITIONS
        action.overdue = action.is_open and action.due_on < today


def _render_detail(
    request, accompaniment: Accompaniment, *, objective_form=None, action_forms=None, status=200
):
    today = timezone.localdate()
    may_edit = pairs.may_edit(request.user, accompaniment)
    referents = pairs.active_referents(accompaniment)
    current = diagnosis.current(accompaniment)
    items = diagnosis.assessments_of(current)
    objectives = _plan(accompaniment)
    action_forms = action_forms or {}
    for objective in objectives:
        _decorate(objective.actions.all(), may_edit, today)
        if may_edit and objective.status == "en_cours":
            objective.action_form = action_forms.get(objective.pk) or forms.ActionForm(
                referents=referents, prefix=f"o{objective.pk}"
            )
    context = {
        "accompaniment": accompaniment,
        "person": accompaniment.person,
        "referents": referents,
        "may_edit": may_edit,
        "diagnosis": current,
        "diagnosis_rows": [(theme, items.get(theme.pk)) for theme in diagnosis.themes()],
        "objectives": objectives,
        "objective_form": (objective_form or forms.ObjectiveForm()) if may_edit else None,
        "read_only": pairs.READ_ONLY,
    }
    titles = _titles("Binôme, diagnostic et plan d'action", accompaniment.person)
    return render(request, "accompaniment/global_detail.html", context | titles, status=status)


@agent_may("may_search_persons", READ_REFUSAL)
def detail(request, accompaniment_id: int):
    """The pair's page: référents, joint diagnosis, action plan (editable by the pair)."""
    return _render_detail(request, _pair(request, accompaniment_id))


@agent_may("may_accompany", REFUSAL)
def diagnosis_form(request, accompaniment_id: int):
    """Write the joint diagnosis: save the draft, or validate it (every frein périphérique assessed)."""
    accompaniment = _pair(request, accompaniment_id, audit_read=request.method == "GET")
    pairs.require_editor(request.user, accompaniment, request=request)
    current = diagnosis.current(accompaniment)
    form = forms.DiagnosisForm(
        request.POST or None, themes=diagnosis.themes(), initial_items=diagnosis.assessments_of(current)
    )
    if request.method == "POST" and form.is_valid():
        validate = request.POST.get("valider") == "1"
        try:
            diagnosis.save(
                accompaniment,
                form.assessments(),
                on=form.cleaned_data["on"],
                by=request.user,
                validate=validate,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, "Diagnostic validé." if validate else "Brouillon du diagnostic enregistré."
            )
            return redirect(reverse("accompaniment:global_detail", args=[accompaniment.pk]) + "#diagnostic")
    context = {
        "accompaniment": accompaniment,
        "person": accompaniment.person,
        "form": form,
        "diagnosis": current,
    }
    titles = _titles("Diagnostic conjoint", accompaniment.person, accompaniment)
    return render(request, "accompaniment/global_diagnosis.html", context | titles)


@agent_may("may_accompany", REFUSAL)
@require_POST
def objective_create(request, accompaniment_id: int):
    accompaniment = _pair(request, accompaniment_id, audit_read=False)
    pairs.require_editor(request.user, accompaniment, request=request)
    form = forms.ObjectiveForm(request.POST)
    if form.is_valid():
        try:
            objective = action_plan.add_objective(
                accompaniment,
                title=form.cleaned_data["title"],
                needs=form.cleaned_data["needs"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Objectif ajouté au plan d'action.")
            return redirect(
                reverse("accompaniment:global_detail", args=[accompaniment.pk]) + f"#objectif-{objective.pk}"
            )
    return _render_detail(request, accompaniment, objective_form=form, status=400)


@agent_may("may_accompany", REFUSAL)
@require_POST
def objective_status(request, objective_id: int):
    objective = _objective(request, objective_id)
    pairs.require_editor(request.user, objective.accompaniment, request=request)
    try:
        action_plan.set_objective_status(objective, request.POST.get("status", ""), by=request.user)
    except (ValidationError, ValueError) as error:
        messages.error(request, _message(error, "Choisissez un état proposé."))
    return redirect(
        reverse("accompaniment:global_detail", args=[objective.accompaniment_id])
        + f"#objectif-{objective.pk}"
    )


@agent_may("may_accompany", REFUSAL)
@require_POST
def action_create(request, objective_id: int):
    objective = _objective(request, objective_id)
    accompaniment = objective.accompaniment
    pairs.require_editor(request.user, accompaniment, request=request)
    form = forms.ActionForm(
        request.POST, referents=pairs.active_referents(accompaniment), prefix=f"o{objective.pk}"
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            action = action_plan.add_action(
                objective,
                title=data["title"],
                owner=data["owner"],
                partner=data["partner"],
                due_on=data["due_on"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Action ajoutée au plan.")
            return redirect(
                reverse("accompaniment:global_detail", args=[accompaniment.pk]) + f"#action-{action.pk}"
            )
    return _render_detail(request, accompaniment, action_forms={objective.pk: form}, status=400)


def _message(error: Exception, default: str) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return default


@agent_may("may_accompany", REFUSAL)
@require_POST
def action_status(request, action_id: int):
    """Move an action to the status posted; htmx gets the refreshed row, others a redirect.
    Abandoning goes through its confirmation page."""
    action = _action(request, action_id)
    accompaniment = action.objective.accompaniment
    pairs.require_editor(request.user, accompaniment, request=request)
    back = reverse("accompaniment:global_detail", args=[accompaniment.pk]) + f"#action-{action.pk}"
    status = request.POST.get("status", "")
    if status == ActionStatus.ABANDONED:
        confirm = reverse("accompaniment:global_action_abandon", args=[action.pk])
        return HttpResponseClientRedirect(confirm) if request.htmx else redirect(confirm)
    error = ""
    try:
        action = action_plan.set_action_status(action, status, by=request.user)
    except (ValidationError, ValueError) as exc:
        error = _message(exc, "Choisissez un état proposé.")
    if request.htmx:
        action = _action(request, action.pk)
        _decorate([action], True, timezone.localdate())
        return render(request, "accompaniment/_global_action.html", {"action": action, "error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Action « {action.title} » : {action.get_status_display().lower()}.")
    return redirect(back)


@agent_may("may_accompany", REFUSAL)
def action_abandon(request, action_id: int):
    """Confirm, then abandon the action."""
    action = _action(request, action_id, audit_read=request.method == "GET")
    accompaniment = action.objective.accompaniment
    pairs.require_editor(request.user, accompaniment, request=request)
    back = reverse("accompaniment:global_detail", args=[accompaniment.pk]) + f"#action-{action.pk}"
    if request.method == "POST":
        try:
            action_plan.set_action_status(action, ActionStatus.ABANDONED, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Action « {action.title} » abandonnée.")
        return redirect(back)
    context = {"action": action, "accompaniment": accompaniment, "person": accompaniment.person, "back": back}
    return render(
        request,
        "accompaniment/global_action_abandon.html",
        context | _titles("Abandonner une action", accompaniment.person, accompaniment),
    )


@agent_may("may_accompany", REFUSAL)
def action_edit(request, action_id: int):
    """Change an action's title, owner or due date; its history below."""
    action = _action(request, action_id, audit_read=request.method == "GET")
    accompaniment = action.objective.accompaniment
    pairs.require_editor(request.user, accompaniment, request=request)
    initial = {
        "title": action.title,
        "owner": action.owner_id,
        "partner": action.partner,
        "due_on": action.due_on,
    }
    form = forms.ActionForm(
        request.POST or None, initial=initial, referents=pairs.active_referents(accompaniment)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action_plan.update_action(
                action,
                title=data["title"],
                owner=data["owner"],
                partner=data["partner"],
                due_on=data["due_on"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Action modifiée.")
            return redirect(
                reverse("accompaniment:global_detail", args=[accompaniment.pk]) + f"#action-{action.pk}"
            )
    context = {
        "action": action,
        "accompaniment": accompaniment,
        "person": accompaniment.person,
        "form": form,
        "changes": action.changes.select_related("by"),
    }
    return render(
        request,
        "accompaniment/global_action_edit.html",
        context | _titles("Modifier une action", accompaniment.person, accompaniment),
    )


@agent_may("may_hold_caseload", "« Mes actions » liste les actions confiées aux référents et aux coachs.")
def my_actions(request):
    """The open actions I own in the plans of accompagnements global, the earliest due first."""
    form = forms.MyActionsFilter(request.GET or None)
    due = form.cleaned_data["echeance"] if form.is_valid() else ""
    today = timezone.localdate()
    actions = list(action_plan.owned_actions(request.user, due=due, today=today)[:200])
    _decorate(actions, True, today)
    audit.record_shown(
        request.user,
        [a.objective.accompaniment.person_id for a in actions],
        request=request,
        list="mes-actions",
    )
    context = {"title": "Mes actions", "form": form, "actions": actions, "due": due}
    return render(request, "accompaniment/global_my_actions.html", context)


@agent_may("may_administer", "Les cibles des programmes sont fixées par les administrateurs.")
def programme_targets(request):
    """The yearly targets per programme and, for each, the persons counted against it."""
    form = forms.TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            targets.set_target(data["programme"], data["year"], data["target_persons"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Cible enregistrée.")
            return redirect("accompaniment:global_targets")
    rows = [
        targets.progress(row.programme, row.year)
        for row in ProgrammeTarget.objects.order_by("-year", "programme")[:50]
    ]
    this_year = targets.progress(Programme.GLOBAL)
    context = {
        "title": "Cibles des programmes",
        "form": form,
        "rows": rows,
        "this_year": this_year,
        "section": "targets",
    }
    return render(request, "accompaniment/global_targets.html", context)
