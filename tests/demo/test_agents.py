import json
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from parcours.accounts.models import Agent, Organisation, OrganisationKind, Role
from parcours.core.access import visible_persons
from parcours.demo.agents import DEMO_PASSWORD
from parcours.people.models import Follow


def create_agents(*args: str) -> str:
    out = StringIO()
    call_command("create_demo_agents", "--departement", "59", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def population(territory):
    call_command("generate", "--departement", "59", "--seed", "1", "--scale", "0.01", stdout=StringIO())


@pytest.mark.django_db
def test_one_demo_agent_per_role_scoped_to_the_main_unit(territory, population):
    accounts = json.loads(create_agents("--json"))

    agents = Agent.objects.filter(username__in=[a["username"] for a in accounts])
    assert sorted(agents.values_list("role", flat=True)) == sorted(Role.values)
    assert all(agent.otp_exempt for agent in agents)
    assert {a["password"] for a in accounts} == {DEMO_PASSWORD}
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(OrganisationKind.values)
    for agent in agents:
        units = set(agent.units.all())
        if agent.role == Role.ADMINISTRATEUR:
            assert units == {territory["city_unit"], territory["other_unit"]}
        else:
            assert units == {territory["city_unit"]}
    referent = agents.get(role=Role.REFERENT)
    # Login throttling (axes) needs the request of the attempt.
    request = RequestFactory().post("/comptes/connexion/")
    assert authenticate(request, username=referent.username, password=DEMO_PASSWORD) == referent


@pytest.mark.django_db
def test_referent_and_coach_follow_persons_of_another_unit(territory, population):
    create_agents()
    for role in (Role.REFERENT, Role.COACH_EMPLOI):
        agent = Agent.objects.get(role=role)
        follows = Follow.objects.filter(agent=agent)
        assert 1 <= follows.count() <= 5
        assert {f.person.commune.unit for f in follows} == {territory["other_unit"]}
        # Following makes those persons visible beyond the agent's own unit.
        assert set(visible_persons(agent).filter(commune__unit=territory["other_unit"])) == {
            f.person for f in follows
        }
    assert not Follow.objects.exclude(agent__role__in=[Role.REFERENT, Role.COACH_EMPLOI]).exists()


@pytest.mark.django_db
def test_is_idempotent(territory, population):
    first = create_agents()
    counts = (Agent.objects.count(), Organisation.objects.count(), Follow.objects.count())
    second = create_agents()

    assert (Agent.objects.count(), Organisation.objects.count(), Follow.objects.count()) == counts
    assert counts[0] == len(Role.values)
    assert first == second
    assert "demo.referent" in second and "mot de passe" in second


@pytest.mark.django_db
def test_without_population_agents_are_created_without_follows(territory):
    output = create_agents()
    assert Agent.objects.count() == len(Role.values)
    assert not Follow.objects.exists()
    assert "parcours generate" in output


@pytest.mark.django_db
def test_refuses_when_the_territory_is_not_loaded(departement):
    with pytest.raises(CommandError) as error:
        create_agents()
    assert error.value.returncode == 2
    assert not Agent.objects.exists()
