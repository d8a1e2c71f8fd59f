"""Who may see which figures: managers see their territorial units, administrators the whole
département (or any unit); every other role is refused. Figures are aggregates (no person is
shown), but a unit's figures stay with that unit's managers."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from parcours.accounts.permissions import allows
from parcours.territory.models import Departement, TerritorialUnit


@dataclass
class Scope:
    unit_ids: list[int] | None  # None: the whole département
    label: str  # unit code, "" for the département or all of a manager's units
    title: str


def may_see_indicators(agent) -> bool:
    return allows(agent, "may_view_indicators")


def choices_for(agent) -> list[tuple[str, str]]:
    """(code, name) of the scopes the agent may pick; "" first."""
    departement = Departement.objects.current()
    if agent.is_administrator:
        units = TerritorialUnit.objects.filter(departement=departement).order_by("code")
        first = ("", f"Tout le département{f' ({departement.name})' if departement else ''}")
    else:
        units = agent.units.order_by("code")
        first = ("", "Toutes mes unités")
    return [first, *((unit.code, unit.name) for unit in units)]


def resolve(agent, unit_code: str = "") -> Scope:
    """The scope an agent asks for; PermissionDenied when the role or the unit is not theirs."""
    if not may_see_indicators(agent):
        raise PermissionDenied(
            "Les indicateurs sont réservés aux responsables d'équipe et aux administrateurs."
        )
    if agent.is_administrator:
        if not unit_code:
            return Scope(None, "", "Tout le département")
        unit = TerritorialUnit.objects.filter(
            departement=Departement.objects.current(), code=unit_code
        ).first()
    else:
        units = agent.units.all()
        if not unit_code:
            ids = list(units.values_list("id", flat=True))
            return Scope(ids, "", "Toutes mes unités")
        unit = units.filter(code=unit_code).first()
    if unit is None:
        raise PermissionDenied("Cette unité territoriale ne fait pas partie de votre périmètre.")
    return Scope([unit.pk], unit.code, unit.name)
