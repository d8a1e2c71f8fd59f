"""Routing rules as data: the first active rule whose conditions hold wins, and says why."""

import pytest

from parcours.reception.models import Channel, TrayService, Urgency
from parcours.reception.routing import route_need
from parcours.reception.workflows import NeedInput
from tests.people.factories import PersonFactory
from tests.reception.factories import ContactFactory, RoutingRuleFactory, StationFactory, TrayFactory, need
from tests.territory.factories import CommuneFactory, SiteFactory, UnitFactory


@pytest.fixture
def world(departement):
    lille, douai = (
        UnitFactory(departement=departement, name="Lille"),
        UnitFactory(departement=departement, name="Douai"),
    )
    trays = {
        (unit.name, service): TrayFactory(
            departement=departement, unit=unit, service=service, name=f"{service} {unit.name}"
        )
        for unit in (lille, douai)
        for service in (TrayService.SOCIAL, TrayService.HOUSING, TrayService.FRONT_DESK)
    }
    return {
        "departement": departement,
        "lille": lille,
        "douai": douai,
        "lille_commune": CommuneFactory(departement=departement, unit=lille),
        "douai_commune": CommuneFactory(departement=departement, unit=douai),
        "trays": trays,
    }


def _route(contact, theme="logement", urgency=Urgency.ORDINARY):
    return route_need(NeedInput(need(theme), urgency=urgency), contact=contact)


def test_the_first_matching_rule_wins_and_is_explained(world):
    dep = world["departement"]
    housing = need("logement").situation.theme
    RoutingRuleFactory(
        departement=dep,
        position=10,
        label="Urgences au social",
        urgency=Urgency.IMMEDIATE,
        tray=None,
        service=TrayService.SOCIAL,
    )
    RoutingRuleFactory(
        departement=dep,
        position=20,
        label="Logement au FSL",
        theme=housing,
        tray=None,
        service=TrayService.HOUSING,
    )
    RoutingRuleFactory(
        departement=dep, position=30, label="Tout au social", tray=None, service=TrayService.SOCIAL
    )
    contact = ContactFactory(person=PersonFactory(commune=world["lille_commune"]))
    tray, rule, explanation = _route(contact)
    assert tray == world["trays"][("Lille", TrayService.HOUSING)] and rule.label == "Logement au FSL"
    assert explanation == (
        f"Règle n° 20 « Logement au FSL » (thématique « {housing.label} ») : première règle applicable"
    )
    tray, rule, _ = _route(contact, urgency=Urgency.IMMEDIATE)
    assert rule.label == "Urgences au social" and tray == world["trays"][("Lille", TrayService.SOCIAL)]
    tray, rule, explanation = _route(contact, theme="sante")
    assert rule.label == "Tout au social" and "toute demande" in explanation


def test_the_unit_is_the_persons_then_the_provisional_communes_then_the_stations(world):
    dep = world["departement"]
    RoutingRuleFactory(departement=dep, label="Social de l'unité", tray=None, service=TrayService.SOCIAL)
    person_in_douai = ContactFactory(person=PersonFactory(commune=world["douai_commune"]))
    assert _route(person_in_douai)[0] == world["trays"][("Douai", TrayService.SOCIAL)]
    provisional = ContactFactory(provisional_commune=world["lille_commune"])
    assert _route(provisional)[0] == world["trays"][("Lille", TrayService.SOCIAL)]
    station = StationFactory(site=SiteFactory(departement=dep, commune=world["douai_commune"]))
    walk_in = ContactFactory(channel=Channel.WALK_IN, station=station)
    assert _route(walk_in)[0] == world["trays"][("Douai", TrayService.SOCIAL)]


def test_inactive_rules_rules_of_another_unit_and_closed_targets_are_skipped(world):
    dep = world["departement"]
    closed = TrayFactory(departement=dep, unit=world["lille"], active=False, name="Fermée")
    RoutingRuleFactory(
        departement=dep,
        position=1,
        label="Inactive",
        tray=world["trays"][("Lille", TrayService.SOCIAL)],
        active=False,
    )
    RoutingRuleFactory(
        departement=dep,
        position=2,
        label="Douai seulement",
        unit=world["douai"],
        tray=world["trays"][("Douai", TrayService.SOCIAL)],
    )
    RoutingRuleFactory(departement=dep, position=3, label="Vers une bannette fermée", tray=closed)
    RoutingRuleFactory(
        departement=dep, position=4, label="Logement", tray=world["trays"][("Lille", TrayService.HOUSING)]
    )
    contact = ContactFactory(person=PersonFactory(commune=world["lille_commune"]))
    tray, rule, _ = _route(contact)
    assert rule.label == "Logement"


def test_no_rule_goes_to_the_units_front_desk(world):
    contact = ContactFactory(person=PersonFactory(commune=world["lille_commune"]))
    tray, rule, explanation = _route(contact)
    assert tray == world["trays"][("Lille", TrayService.FRONT_DESK)] and rule is None
    assert explanation == "Aucune règle ne s'applique : bannette d'accueil de l'unité « Lille »"


def test_a_child_concern_goes_to_the_crip_whatever_the_rules(world):
    dep = world["departement"]
    crip = TrayFactory(departement=dep, crip=True)
    RoutingRuleFactory(
        departement=dep,
        position=1,
        label="Tout au social",
        tray=world["trays"][("Lille", TrayService.SOCIAL)],
    )
    contact = ContactFactory(person=PersonFactory(commune=world["lille_commune"]))
    tray, rule, explanation = route_need(NeedInput(need("logement"), is_child_concern=True), contact=contact)
    assert (tray, rule, explanation) == (crip, None, "Information préoccupante : transmise à la CRIP")
