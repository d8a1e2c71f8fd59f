"""The accompagnement global's pair: starting it with two référents of two organisations, and
who may edit its diagnosis and action plan.

`start_pair` wraps `workflows.start` (which refuses a pair of one organisation and creates, for
each référent, the `people.Follow` of kind "accompagnement" that opens the person's record to
them and puts the accompaniment in their caseload, `Accompaniment.objects.followed_by`).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from parcours.accompaniment import workflows
from parcours.accompaniment.models import Accompaniment, AccompanimentReferent, Programme
from parcours.accounts.models import Agent, Role
from parcours.core import audit
from parcours.core.models import AuditAction

# Who may be a référent of a pair: the agents who hold a caseload.
PAIR_ROLES = (Role.REFERENT, Role.COACH_EMPLOI)
READ_ONLY = (
    "Seuls les deux référents du binôme (et les responsables de leurs unités) modifient le diagnostic "
    "et le plan d'action : vous les consultez en lecture seule."
)


def pair_candidates() -> QuerySet[Agent]:
    """The agents who may be a référent of a pair: active, holding a caseload, of an organisation
    (ordered by organisation, then name, for a select grouped by organisation)."""
    return (
        Agent.objects.filter(is_active=True, role__in=PAIR_ROLES, organisation__isnull=False)
        .select_related("organisation")
        .order_by("organisation__name", "last_name", "first_name", "pk")
    )


def start_pair(person, first: Agent, second: Agent, *, on: datetime.date, by, site=None) -> Accompaniment:
    """Open an accompagnement global of `person` from `on`, followed by `first` and `second`.

    Refused (ValidationError, French message) when the two are the same agent or of the same
    organisation, when the person already has an open accompagnement global, or by
    `workflows.start_refusal`. Both référents then see the person (their Follow) and find the
    accompaniment in their caseload, once each."""
    if first.pk == second.pk:
        raise ValidationError(
            "Un binôme réunit deux référents différents : choisissez un second référent d'une autre organisation."
        )
    for agent in (first, second):
        if agent.role not in PAIR_ROLES or not agent.is_active:
            raise ValidationError(
                f"{agent} ne peut pas être référent d'un accompagnement global : choisissez un référent de "
                "parcours ou un coach en activité."
            )
    return workflows.start(person, Programme.GLOBAL, referents=[first, second], on=on, by=by, site=site)


def active_referents(accompaniment: Accompaniment) -> list[AccompanimentReferent]:
    return list(
        accompaniment.referents.filter(until__isnull=True)
        .select_related("agent", "organisation")
        .order_by("since", "id")
    )


def may_edit(agent, accompaniment: Accompaniment) -> bool:
    """Whether `agent` may edit the diagnosis and the action plan of `accompaniment`: one of its
    active référents, a manager of one of their territorial units, or an administrator; and
    only while the accompaniment is open. Anyone else who may see the person reads them."""
    if agent is None or not getattr(agent, "is_authenticated", False) or not agent.is_active:
        return False
    if not accompaniment.is_open or not agent.may_accompany:
        return False
    if agent.is_administrator:
        return True
    referents = AccompanimentReferent.objects.filter(accompaniment=accompaniment, until__isnull=True)
    if referents.filter(agent=agent).exists():
        return True
    if agent.is_manager:
        return referents.filter(agent__units__in=agent.units.all()).exists()
    return False


def require_editor(agent, accompaniment: Accompaniment, *, request=None) -> None:
    """PermissionDenied (403, audited) unless `may_edit`; an ended accompaniment says so."""
    if accompaniment.is_open and may_edit(agent, accompaniment):
        return
    audit.record(
        agent if getattr(agent, "is_authenticated", False) else None,
        AuditAction.DENIED,
        person=accompaniment.person,
        request=request,
        permission="edit_global_plan",
    )
    if not accompaniment.is_open:
        raise PermissionDenied(
            f"Cet accompagnement s'est terminé le {accompaniment.ended_on:%d/%m/%Y} : son diagnostic et son plan "
            "d'action ne se modifient plus."
        )
    raise PermissionDenied(READ_ONLY)
