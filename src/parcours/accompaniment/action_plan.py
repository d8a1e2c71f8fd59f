"""The shared action plan of an accompagnement global: the only writer of `Objective`, `Action`
and `ActionChange`.

Objectives (possibly answering needs of the referential) hold actions; an action has one owner,
a référent of the pair or a partner named in words, a due date (not before the accompaniment's
start) and a status moved by the named transitions of `TRANSITIONS`. Every change (creation,
title, owner, due date, status) is kept in `ActionChange` (who, when, before, after) and
audited (fields named, never values). Both référents (and their units' managers) edit the
plan while the accompaniment is open (`pairs.require_editor`).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from parcours.accompaniment.models import Accompaniment
from parcours.accompaniment.pairs import active_referents, require_editor
from parcours.accompaniment.plans import (
    TITLE_MAX_LENGTH,
    Action,
    ActionChange,
    ActionStatus,
    Objective,
    ObjectiveStatus,
)
from parcours.core import audit

# (from, to) → the transition's name, shown on its button. Any other move is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (ActionStatus.TODO, ActionStatus.IN_PROGRESS): "Commencer",
    (ActionStatus.TODO, ActionStatus.DONE): "Marquer faite",
    (ActionStatus.IN_PROGRESS, ActionStatus.DONE): "Marquer faite",
    (ActionStatus.IN_PROGRESS, ActionStatus.TODO): "Remettre à faire",
    (ActionStatus.TODO, ActionStatus.ABANDONED): "Abandonner",
    (ActionStatus.IN_PROGRESS, ActionStatus.ABANDONED): "Abandonner",
    (ActionStatus.DONE, ActionStatus.IN_PROGRESS): "Rouvrir",
    (ActionStatus.ABANDONED, ActionStatus.TODO): "Reprendre",
}
OBJECTIVE_TRANSITIONS: dict[tuple[str, str], str] = {
    (ObjectiveStatus.OPEN, ObjectiveStatus.REACHED): "Objectif atteint",
    (ObjectiveStatus.OPEN, ObjectiveStatus.ABANDONED): "Abandonner l'objectif",
    (ObjectiveStatus.REACHED, ObjectiveStatus.OPEN): "Rouvrir",
    (ObjectiveStatus.ABANDONED, ObjectiveStatus.OPEN): "Rouvrir",
}
# « Bientôt dû » in the list of my actions: due within this many days.
DUE_SOON_DAYS = 14


def next_statuses(status: str) -> list[tuple[str, str]]:
    """The statuses an action in `status` may move to, with each transition's name."""
    return [(to, name) for (frm, to), name in TRANSITIONS.items() if frm == status]


def _title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError("Donnez un intitulé.")
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(f"L'intitulé fait {len(title)} caractères : {TITLE_MAX_LENGTH} au plus.")
    return title


def _log(objective: Objective, action: Action | None, by, field: str, before, after) -> None:
    ActionChange.objects.create(
        objective=objective,
        action=action,
        by=by,
        field=field,
        before=str(before or "")[:TITLE_MAX_LENGTH],
        after=str(after or "")[:TITLE_MAX_LENGTH],
    )


def _owner(accompaniment: Accompaniment, owner, partner: str):
    partner = (partner or "").strip()
    if owner is not None and partner:
        raise ValidationError(
            "Une action a un seul porteur : un référent du binôme ou un partenaire, pas les deux."
        )
    if owner is None and not partner:
        raise ValidationError(
            "Choisissez le porteur de l'action : un référent du binôme, ou nommez le partenaire."
        )
    if len(partner) > TITLE_MAX_LENGTH:
        raise ValidationError(
            f"Le nom du partenaire fait {len(partner)} caractères : {TITLE_MAX_LENGTH} au plus."
        )
    if owner is not None and owner.pk not in {row.agent_id for row in active_referents(accompaniment)}:
        raise ValidationError(
            f"{owner} n'est pas référent de cet accompagnement : confiez l'action à l'un des deux référents, "
            "ou nommez le partenaire qui la porte."
        )
    return owner, partner


def _due(accompaniment: Accompaniment, due_on: datetime.date) -> datetime.date:
    if due_on is None:
        raise ValidationError("Indiquez l'échéance de l'action.")
    if due_on < accompaniment.started_on:
        raise ValidationError(
            f"L'échéance ({due_on:%d/%m/%Y}) précède le début de l'accompagnement "
            f"({accompaniment.started_on:%d/%m/%Y}) : choisissez une date postérieure."
        )
    return due_on


def add_objective(accompaniment: Accompaniment, *, title: str, needs=(), by) -> Objective:
    """A new objective (en cours) of the plan, answering `needs` (optional)."""
    if by is not None:
        require_editor(by, accompaniment)
    title = _title(title)
    with transaction.atomic():
        objective = Objective.objects.create(accompaniment=accompaniment, title=title, created_by=by)
        objective.needs.set(needs)
        _log(objective, None, by, "objectif", "", title)
    audit.record_changes(by, accompaniment.person, ["objectif du plan d'action"], created=True)
    return objective


def set_objective_status(objective: Objective, status: str, *, by) -> Objective:
    """Move the objective to `status` by one of `OBJECTIVE_TRANSITIONS`."""
    accompaniment = objective.accompaniment
    if by is not None:
        require_editor(by, accompaniment)
    status = ObjectiveStatus(status)
    with transaction.atomic():
        objective = Objective.objects.select_for_update().get(pk=objective.pk)
        before = ObjectiveStatus(objective.status)
        if (before, status) not in OBJECTIVE_TRANSITIONS:
            raise ValidationError(
                f"L'objectif est « {before.label.lower()} » : il ne peut pas passer à « {status.label.lower()} »."
            )
        objective.status = status
        objective.save(update_fields=["status"])
        _log(objective, None, by, "état de l'objectif", before.label, status.label)
    audit.record_changes(by, accompaniment.person, ["état d'un objectif"])
    return objective


def add_action(
    objective: Objective, *, title: str, owner=None, partner: str = "", due_on: datetime.date, by
) -> Action:
    """A new action (à faire) of `objective`, owned by a référent of the pair (`owner`) or by a
    named `partner`, due on `due_on` (not before the accompaniment's start)."""
    accompaniment = objective.accompaniment
    if by is not None:
        require_editor(by, accompaniment)
    title = _title(title)
    owner, partner = _owner(accompaniment, owner, partner)
    due_on = _due(accompaniment, due_on)
    with transaction.atomic():
        objective = Objective.objects.select_for_update().get(pk=objective.pk)
        if objective.status != ObjectiveStatus.OPEN:
            raise ValidationError("Cet objectif n'est plus en cours : rouvrez-le pour y ajouter une action.")
        action = Action.objects.create(
            objective=objective, title=title, owner=owner, partner=partner, due_on=due_on, created_by=by
        )
        _log(objective, action, by, "action", "", title)
    audit.record_changes(by, accompaniment.person, ["action du plan d'action"], created=True)
    return action


def update_action(
    action: Action, *, title: str, owner=None, partner: str = "", due_on: datetime.date, by
) -> Action:
    """Change the title, the owner or the due date of `action`; each change goes to its history."""
    accompaniment = action.objective.accompaniment
    if by is not None:
        require_editor(by, accompaniment)
    title = _title(title)
    owner, partner = _owner(accompaniment, owner, partner)
    due_on = _due(accompaniment, due_on)
    with transaction.atomic():
        current = Action.objects.select_for_update(of=("self",)).select_related("owner").get(pk=action.pk)
        changed = []
        if current.title != title:
            _log(current.objective, current, by, "intitulé", current.title, title)
            changed.append("intitulé")
        if (current.owner_id, current.partner) != (owner.pk if owner else None, partner):
            new_label = str(owner) if owner else f"{partner} (partenaire)"
            _log(current.objective, current, by, "porteur", current.owner_label, new_label)
            changed.append("porteur")
        if current.due_on != due_on:
            _log(
                current.objective, current, by, "échéance", f"{current.due_on:%d/%m/%Y}", f"{due_on:%d/%m/%Y}"
            )
            changed.append("échéance")
        current.title, current.owner, current.partner, current.due_on = title, owner, partner, due_on
        current.save(update_fields=["title", "owner", "partner", "due_on"])
    if changed:
        audit.record_changes(by, accompaniment.person, [f"{field} d'une action" for field in changed])
    return current


def set_action_status(action: Action, status: str, *, by, on: datetime.date | None = None) -> Action:
    """Move `action` to `status` by one of `TRANSITIONS` (refused otherwise, in French). Done on
    `on` (today by default, never in the future nor before the accompaniment's start); reopening
    a done action clears its day."""
    accompaniment = action.objective.accompaniment
    if by is not None:
        require_editor(by, accompaniment)
    status = ActionStatus(status)
    with transaction.atomic():
        current = Action.objects.select_for_update().get(pk=action.pk)
        before = ActionStatus(current.status)
        if before == status:
            return current
        if (before, status) not in TRANSITIONS:
            raise ValidationError(
                f"L'action est « {before.label.lower()} » : elle ne peut pas passer directement à "
                f"« {status.label.lower()} »."
            )
        current.status = status
        current.done_on = None
        if status == ActionStatus.DONE:
            day = on or timezone.localdate()
            if day > timezone.localdate():
                raise ValidationError("Une action ne peut pas être faite dans le futur.")
            current.done_on = max(day, accompaniment.started_on)
        current.save(update_fields=["status", "done_on"])
        _log(current.objective, current, by, "état", before.label, status.label)
    audit.record_changes(by, accompaniment.person, ["état d'une action"])
    return current


def owned_actions(agent, *, due: str = "", today: datetime.date | None = None) -> QuerySet[Action]:
    """The open actions `agent` owns, of open accompaniments of persons they may see, the
    earliest due first; `due`: "retard" (due before today), "bientot" (due within
    `DUE_SOON_DAYS` days, today included), anything else: all."""
    from parcours.core.access import visible_persons

    today = today or timezone.localdate()
    actions = (
        Action.objects.open()
        .owned_by(agent)
        .filter(
            objective__accompaniment__ended_on__isnull=True,
            objective__accompaniment__person__in=visible_persons(agent).values("pk"),
        )
        .select_related("objective__accompaniment__person")
    )
    if due == "retard":
        actions = actions.filter(due_on__lt=today)
    elif due == "bientot":
        actions = actions.filter(
            due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
        )
    return actions.order_by("due_on", "pk")
