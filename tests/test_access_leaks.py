"""No person data outside an agent's scope, through any door.

A small seeded département (units, communes, persons, households, follows) and agents
of every role; for each agent, the persons reachable through the web search page, the
person page, the API search, the API detail and the household endpoint must be exactly
the expected set, computed here from the data (not from the rule under test):
administrators see everyone; inactive agents and employers see nobody; everyone else
sees the persons living in one of their units and those they follow now.
Every refusal (404) must leave a `denied` audit event, and no NIR or name may reach the
application logs.
"""

import datetime
import json
import logging
import random
import re
from dataclasses import dataclass, field

import pytest
from django.utils.http import urlencode

from parcours.accounts.models import Agent, OrganisationKind, Role
from parcours.core.models import AuditAction, AuditEvent
from parcours.people.models import Follow, HouseholdMember, MemberRole, Person
from tests.accounts.factories import AgentFactory, OrganisationFactory
from tests.api.sessions import bearer
from tests.conftest import login_verified
from tests.people.factories import HouseholdFactory, PersonFactory
from tests.territory.factories import CommuneFactory, UnitFactory

SEED = 20261123
COMMON_FRAGMENT = "Vasseur"
SURNAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David",
    "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "Andre", "Mercier",
    "Dupont", "Lambert", "Bonnet", "Francois", "Legrand", "Gauthier",
]  # fmt: skip
PERSON_LINK = re.compile(r'href="/personnes/(\d+)/"')


@dataclass
class World:
    persons: list[Person]
    households: dict[int, list[int]]  # household id -> member person ids
    agents: dict[str, Agent]
    expected: dict[str, set[int]] = field(default_factory=dict)

    @property
    def person_ids(self) -> set[int]:
        return {p.pk for p in self.persons}

    def name_of(self, person_id: int) -> str:
        return next(p.last_name for p in self.persons if p.pk == person_id)


@pytest.fixture
def world(departement) -> World:
    rng = random.Random(SEED)
    units = [UnitFactory(departement=departement, code=f"UT{n}", name=f"Unité {n}") for n in range(4)]
    communes = [CommuneFactory(departement=departement, unit=unit) for unit in units for _ in range(2)]
    communes.append(CommuneFactory(departement=departement, unit=None, name="Commune sans unité"))
    homes = [*communes, None]  # a person may have no known commune

    today = datetime.date.today()
    persons = [
        PersonFactory(
            last_name=f"{COMMON_FRAGMENT}-{surname}",
            commune=homes[index % len(homes)] if index < len(homes) else rng.choice(homes),
            caf_number=f"{7000000 + index}",
        )
        for index, surname in enumerate(SURNAMES)
    ]
    households: dict[int, list[int]] = {}
    for _ in range(8):
        household = HouseholdFactory()
        members = rng.sample(persons, rng.choice([1, 2, 3]))
        for member, role in zip(
            members, [MemberRole.DEMANDEUR, MemberRole.CONJOINT, MemberRole.ENFANT], strict=False
        ):
            HouseholdMember.objects.create(household=household, person=member, role=role)
        households[household.pk] = [m.pk for m in members]

    orgs = {
        kind: OrganisationFactory(departement=departement, kind=kind, name=f"Organisation {kind}")
        for kind in OrganisationKind.values
    }
    specs = {
        # name: (role, organisation kind, unit indexes, extra)
        "accueil": (Role.ACCUEIL, "ccas", [0], {}),
        "orientation": (Role.CHARGE_ORIENTATION, "departement", [1, 2], {}),
        "referent": (Role.REFERENT, "departement", [2], {}),
        "referent_ft": (Role.REFERENT, "france_travail", [3], {}),
        "coach": (Role.COACH_EMPLOI, "association", [], {}),
        "relations": (Role.RELATIONS_ENTREPRISES, "departement", [0], {}),
        "instructeur": (Role.INSTRUCTEUR_AIDES, "departement", [1], {}),
        "manager": (Role.MANAGER, "departement", [0, 1], {}),
        "admin": (Role.ADMINISTRATEUR, "departement", [], {}),
        "superuser": (Role.ACCUEIL, "departement", [], {"is_superuser": True, "is_staff": True}),
        "inactive": (Role.REFERENT, "departement", [0, 1, 2, 3], {"is_active": False}),
        "employer": (Role.EMPLOYEUR, "employer", [], {}),
        "no_unit": (Role.REFERENT, "departement", [], {}),
    }
    agents = {
        name: AgentFactory(
            username=f"leak-{name}",
            role=role,
            organisation=orgs[kind],
            units=[units[i] for i in unit_indexes],
            password=None,
            **extra,
        )
        for name, (role, kind, unit_indexes, extra) in specs.items()
    }

    # Follows: active ones open a person to the agent; ended or future ones do not.
    active_follows = {"coach": 3, "referent": 2, "referent_ft": 2, "inactive": 2}
    for name, count in active_follows.items():
        for person in rng.sample(persons, count):
            Follow.objects.create(person=person, agent=agents[name], kind="referent")
    for person in rng.sample(persons, 3):
        Follow.objects.create(
            person=person,
            agent=agents["no_unit"],
            started_on=today - datetime.timedelta(days=400),
            ended_on=today - datetime.timedelta(days=1),
        )
    Follow.objects.create(
        person=rng.choice(persons), agent=agents["no_unit"], started_on=today + datetime.timedelta(days=3)
    )

    result = World(persons=persons, households=households, agents=agents)
    for name, agent in agents.items():
        result.expected[name] = _expected_scope(agent, specs[name], units, persons, today)
    return result


def _expected_scope(agent, spec, units, persons, today) -> set[int]:
    role, _, unit_indexes, extra = spec
    if not extra.get("is_active", True) or role == Role.EMPLOYEUR:
        return set()
    if role == Role.ADMINISTRATEUR or extra.get("is_superuser"):
        return {p.pk for p in persons}
    unit_ids = {units[i].pk for i in unit_indexes}
    in_units = {p.pk for p in persons if p.commune is not None and p.commune.unit_id in unit_ids}
    followed = {
        f.person_id
        for f in Follow.objects.filter(agent=agent)
        if f.started_on <= today and (f.ended_on is None or f.ended_on > today)
    }
    return in_units | followed


def _assert_denial_audited(agent, since_id: int, *, person_id=None, household_id=None) -> None:
    denials = AuditEvent.objects.filter(pk__gt=since_id, agent=agent, action=AuditAction.DENIED)
    if household_id is not None:
        assert any(d.detail.get("household_id") == household_id for d in denials), (agent, household_id)
    else:
        assert any(d.detail.get("requested_id") == person_id for d in denials), (agent, person_id)


def _last_audit_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _assert_no_foreign_person(world: World, text: str, allowed: set[int], where: str) -> None:
    """No link to, and no name of, a person outside `allowed` in `text`."""
    linked = {int(pk) for pk in PERSON_LINK.findall(text)}
    assert linked <= allowed, f"{where}: links to persons out of scope {linked - allowed}"
    for person_id in world.person_ids - allowed:
        name = world.name_of(person_id)
        assert not re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE), f"{where}: {name} shown"


def _assert_logs_clean(world: World, caplog) -> None:
    logged = "\n".join(record.getMessage() for record in caplog.records)
    logged += "\n".join(record.exc_text or "" for record in caplog.records)
    for person in world.persons:
        assert person.nir[:13] not in logged
        assert person.last_name.lower() not in logged.lower()


@pytest.mark.django_db
def test_the_expected_scopes_are_not_trivial(world):
    """Guards the fixture: every kind of agent is exercised with a meaningful scope."""
    everyone = world.person_ids
    assert world.expected["admin"] == world.expected["superuser"] == everyone
    assert world.expected["inactive"] == world.expected["employer"] == set()
    for name in ("accueil", "orientation", "referent", "referent_ft", "coach", "relations", "manager"):
        assert set() < world.expected[name] < everyone, name
    assert world.expected["no_unit"] == set()  # only ended or future follows
    # Followed persons outside the agent's units are part of the scope.
    referent_units = set(world.agents["referent"].units.values_list("pk", flat=True))
    assert any(
        Person.objects.get(pk=pk).unit is None or Person.objects.get(pk=pk).unit.pk not in referent_units
        for pk in world.expected["referent"]
    )


@pytest.mark.django_db
def test_web_search_and_person_page(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    pages = len(world.persons) // 20 + 2
    for name, agent in world.agents.items():
        client.logout()
        login_verified(client, agent)
        expected = world.expected[name]

        found: set[int] = set()
        searched = client.post("/personnes/", {"q": COMMON_FRAGMENT.lower()})
        for page in range(1, pages + 1):
            if searched.status_code != 302 or "recherche=" not in searched["Location"]:
                assert not expected, name  # refused, or sent to the login page
                break
            response = client.get(f"{searched['Location']}&page={page}")
            assert response.status_code == 200
            html = response.content.decode()
            found |= {int(pk) for pk in PERSON_LINK.findall(html)}
            _assert_no_foreign_person(world, html, expected, f"{name} search")
        assert found == expected, name

        reachable = set()
        for person_id in [*sorted(world.person_ids), max(world.person_ids) + 1]:
            since = _last_audit_id()
            response = client.get(f"/personnes/{person_id}/")
            if response.status_code == 200:
                reachable.add(person_id)
                _assert_no_foreign_person(world, response.content.decode(), expected, f"{name} page")
            elif agent.is_employer:
                # An employer's account is refused every person page by its role (403, audited).
                assert response.status_code == 403, (name, person_id, response.status_code)
                assert AuditEvent.objects.filter(
                    pk__gt=since, agent=agent, action=AuditAction.DENIED
                ).exists()
            elif agent.is_active:
                assert response.status_code == 404, (name, person_id, response.status_code)
                _assert_denial_audited(agent, since, person_id=person_id)
            else:
                assert response.status_code == 302
        assert reachable == expected, name
    _assert_logs_clean(world, caplog)


def _api_search(client, headers, text, **pagination):
    url = "/api/v1/personnes/recherche" + (f"?{urlencode(pagination)}" if pagination else "")
    return client.post(url, data=json.dumps({"q": text}), content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_api_search(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    for name, agent in world.agents.items():
        headers = bearer(agent)
        response = _api_search(client, headers, COMMON_FRAGMENT.lower(), page_size=100)
        if not agent.may_use_api:
            assert response.status_code == 401
            continue
        assert response.status_code == 200
        data = response.json()
        assert {item["id"] for item in data["items"]} == world.expected[name] and data["count"] == len(
            world.expected[name]
        ), name
        # Searching by a CAF number or a NIR finds nobody out of scope either.
        for person in world.persons[:6]:
            for text in (person.caf_number, person.nir):
                ids = {i["id"] for i in _api_search(client, headers, text).json()["items"]}
                assert ids == ({person.pk} & world.expected[name]), (name, person.pk)
    _assert_logs_clean(world, caplog)


@pytest.mark.django_db
def test_api_person_detail_and_events(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    for name, agent in world.agents.items():
        headers = bearer(agent)
        expected = world.expected[name]
        reachable = set()
        for person_id in [*sorted(world.person_ids), max(world.person_ids) + 1]:
            since = _last_audit_id()
            response = client.get(f"/api/v1/personnes/{person_id}", headers=headers)
            if response.status_code == 200:
                reachable.add(person_id)
                nested = {
                    member["personne"]["id"]
                    for household in response.json()["foyers"]
                    for member in household["membres"]
                    if member["personne"] is not None
                }
                assert nested <= expected, (name, person_id, nested - expected)
                _assert_no_foreign_person(world, response.content.decode(), expected, f"{name} API")
            elif agent.may_use_api:
                assert response.status_code == 404, (name, person_id)
                assert response.json() == {"detail": "Ressource introuvable."}
                _assert_denial_audited(agent, since, person_id=person_id)
            else:
                assert response.status_code == 401
        assert reachable == expected, name
        # The events of a person follow the same rule (one person in scope, one out of it).
        for person_id in (min(expected, default=None), min(world.person_ids - expected, default=None)):
            if person_id is not None:
                events = client.get(f"/api/v1/personnes/{person_id}/evenements", headers=headers)
                assert events.status_code == (
                    200 if person_id in expected else 404 if agent.may_use_api else 401
                )
    _assert_logs_clean(world, caplog)


@pytest.mark.django_db
def test_api_households(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    for name, agent in world.agents.items():
        headers = bearer(agent)
        expected = world.expected[name]
        for household_id, member_ids in [*world.households.items(), (max(world.households) + 1, [])]:
            since = _last_audit_id()
            response = client.get(f"/api/v1/foyers/{household_id}", headers=headers)
            if not agent.may_use_api:
                assert response.status_code == 401
                continue
            if set(member_ids) & expected:
                assert response.status_code == 200, (name, household_id)
                members = response.json()["membres"]
                assert len(members) == len(member_ids)
                shown = {m["personne"]["id"] for m in members if m["personne"] is not None}
                assert shown == set(member_ids) & expected, (name, household_id)
                _assert_no_foreign_person(world, response.content.decode(), expected, f"{name} foyer")
            else:
                assert response.status_code == 404, (name, household_id)
                assert response.json() == {"detail": "Ressource introuvable."}
                _assert_denial_audited(agent, since, household_id=household_id)
    _assert_logs_clean(world, caplog)


@pytest.mark.django_db
def test_an_employer_sees_nobody_even_if_given_a_unit(client, two_units):
    employer = AgentFactory(role=Role.EMPLOYEUR, units=[two_units["unit_a"]], password=None)
    person = PersonFactory(commune=two_units["commune_a"])
    # An employer's token authenticates nobody.
    assert client.get(f"/api/v1/personnes/{person.pk}", headers=bearer(employer)).status_code == 401
