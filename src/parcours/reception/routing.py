"""Routing a need to a tray: rules as data, first match wins, and a French explanation.

`route_need(need_input, contact=…, at=…)` returns `(tray, rule, explanation)`:
1. an *information préoccupante* (`is_child_concern`) goes to the département's CRIP tray, whatever
   the rules (rule None, « Information préoccupante : transmise à la CRIP »);
2. otherwise the active `RoutingRule`s of the département, by `position`, are tried in turn: the
   first whose conditions (theme, urgency, the person's unit) all hold *and* whose target is an open
   tray wins (a fixed `tray`, or the tray of `service` in the person's unit);
3. no rule applies: the front-desk tray (service `accueil`) of the person's unit, else the
   département's front-desk tray (no unit), with the explanation « Aucune règle ne s'applique… ».

The person's unit is their commune's unit; for a person not yet identified, the provisional
commune's; failing that, the unit of the site (or station's site) where the contact was taken.
Nothing is written here: `reception.workflows.record_contact` records the outcome.

`Router(contact)` routes several needs of one contact with constant queries: the rules and the
active trays the contact's needs can reach (with their unit, département and service levels) are
read once, on the first need; `route_need` is a one-need `Router`.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Q

from parcours.reception.models import Contact, RoutingRule, Tray, TrayService

if TYPE_CHECKING:
    from parcours.reception.workflows import NeedInput

CHILD_CONCERN_EXPLANATION = "Information préoccupante : transmise à la CRIP"


class NoTrayError(Exception):
    """No open tray can receive the need (the trays are not configured): a French message."""


def contact_unit(contact: Contact):
    """The territorial unit the contact's person belongs to (see the module's docstring), or None."""
    if contact.person_id and contact.person.commune_id:
        return contact.person.commune.unit
    if contact.provisional_commune_id:
        return contact.provisional_commune.unit
    site = contact.site or (contact.station.site if contact.station_id else None)
    return site.unit if site is not None else None


def contact_departement(contact: Contact):
    """The département whose trays receive the contact's needs."""
    from parcours.territory.models import Departement

    if contact.person_id and contact.person.commune_id:
        return contact.person.commune.departement
    if contact.provisional_commune_id:
        return contact.provisional_commune.departement
    site = contact.site or (contact.station.site if contact.station_id else None)
    if site is not None:
        return site.departement
    return Departement.objects.current()


def _rule_conditions(rule: RoutingRule) -> str:
    parts = []
    if rule.theme_id:
        parts.append(f"thématique « {rule.theme.label} »")
    if rule.urgency:
        parts.append(f"urgence « {rule.get_urgency_display()} »")
    if rule.unit_id:
        parts.append(f"unité « {rule.unit.name} »")
    return ", ".join(parts) if parts else "toute demande"


def explain_rule(rule: RoutingRule, tray: Tray) -> str:
    return (
        f"Règle n° {rule.position} « {rule.label} » ({_rule_conditions(rule)}) : première règle applicable"[
            :300
        ]
    )


def _departement_id(contact: Contact) -> int:
    """`contact_departement(contact).pk`, without reading the département when it is known."""
    if contact.person_id and contact.person.commune_id:
        return contact.person.commune.departement_id
    if contact.provisional_commune_id:
        return contact.provisional_commune.departement_id
    return contact_departement(contact).pk


class Router:
    """Routes the needs of one contact (see the module's docstring): the same answers as
    `route_need`, in three queries for the whole contact (the rules, the reachable trays and their
    service levels), read on the first need."""

    def __init__(self, contact: Contact):
        self.contact = contact
        self.departement_id = _departement_id(contact)
        self.unit = contact_unit(contact)
        self._rules: list[RoutingRule] | None = None
        self._trays: list[Tray] | None = None

    @property
    def rules(self) -> list[RoutingRule]:
        if self._rules is None:
            self._rules = list(
                RoutingRule.objects.filter(departement_id=self.departement_id, active=True).select_related(
                    "theme", "unit"
                )
            )
        return self._rules

    @property
    def trays(self) -> list[Tray]:
        """The active trays a need of this contact can reach, by pk: those of the contact's unit,
        those of no unit (the CRIP, the département's front desk) and the rules' fixed trays."""
        if self._trays is None:
            reachable = Q(unit__isnull=True) | Q(pk__in=[rule.tray_id for rule in self.rules if rule.tray_id])
            if self.unit is not None:
                reachable |= Q(unit_id=self.unit.pk)
            self._trays = list(self._active().filter(reachable).order_by("pk"))
        return self._trays

    def _active(self):
        return (
            Tray.objects.active()
            .filter(departement_id=self.departement_id)
            .select_related("unit", "departement")
            .prefetch_related("service_levels")
        )

    def _first(self, *, by_name: bool = False, **conditions) -> Tray | None:
        """The first active tray (by pk, or by name) whose attributes equal `conditions`."""
        matches = [
            tray
            for tray in self.trays
            if all(getattr(tray, name) == value for name, value in conditions.items())
        ]
        if by_name:
            matches.sort(key=lambda tray: tray.name)
        return matches[0] if matches else None

    def _rule_target(self, rule: RoutingRule) -> Tray | None:
        if rule.tray_id:  # a fixed tray, if open (of another département: read on its own)
            return self._first(pk=rule.tray_id) or (
                Tray.objects.active()
                .exclude(departement_id=self.departement_id)
                .filter(pk=rule.tray_id)
                .select_related("unit", "departement")
                .prefetch_related("service_levels")
                .first()
            )
        if self.unit is None:
            return None
        return self._first(service=rule.service, unit_id=self.unit.pk, by_name=True)

    def _crip(self) -> Tray:
        tray = self._first(service=TrayService.CRIP)
        if tray is None:
            raise NoTrayError(
                "Aucune bannette CRIP ouverte pour ce département : un administrateur doit en créer une "
                "(Administration des bannettes). Prévenez la CRIP directement."
            )
        return tray

    def _front_desk(self) -> tuple[Tray, str]:
        unit = self.unit
        if unit is not None:
            tray = self._first(service=TrayService.FRONT_DESK, unit_id=unit.pk)
            if tray is not None:
                return tray, f"Aucune règle ne s'applique : bannette d'accueil de l'unité « {unit.name} »"
        tray = (
            self._first(service=TrayService.FRONT_DESK, unit_id=None)
            # Any unit's front desk, the first by pk (rare: read then).
            or self._active().filter(service=TrayService.FRONT_DESK).order_by("pk").first()
        )
        if tray is None:
            raise NoTrayError(
                "Aucune règle ne s'applique et aucune bannette d'accueil n'est ouverte : un administrateur "
                "doit créer une bannette « Accueil et orientation »."
            )
        return tray, "Aucune règle ne s'applique : bannette d'accueil du Département"

    def route(self, need_input: NeedInput) -> tuple[Tray, RoutingRule | None, str]:
        """The tray that receives `need_input`, the rule that chose it (None: CRIP or no rule) and
        why, in French. Raises `NoTrayError` when no open tray can receive it."""
        if need_input.is_child_concern:
            return self._crip(), None, CHILD_CONCERN_EXPLANATION
        theme_id = need_input.need.situation.theme_id
        unit = self.unit
        for rule in self.rules:
            if rule.theme_id and rule.theme_id != theme_id:
                continue
            if rule.urgency and rule.urgency != need_input.urgency:
                continue
            if rule.unit_id and (unit is None or rule.unit_id != unit.pk):
                continue
            tray = self._rule_target(rule)
            if tray is not None:
                return tray, rule, explain_rule(rule, tray)
        tray, explanation = self._front_desk()
        return tray, None, explanation


def route_need(
    need_input: NeedInput, *, contact: Contact, at: datetime.datetime | None = None
) -> tuple[Tray, RoutingRule | None, str]:
    """The tray that receives `need_input`, the rule that chose it (None: CRIP or no rule) and
    why, in French. Raises `NoTrayError` when no open tray can receive it."""
    return Router(contact).route(need_input)
