"""The demo starts with a believable caseload of coaching and pairs (demo/accompaniment.py), all
of it written by the product's workflows."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parcours.accompaniment.models import Accompaniment, Contact, Programme
from parcours.accounts.models import Agent
from parcours.demo.accompaniment import simulate_accompaniment
from parcours.demo.agents import create_demo_agents
from parcours.demo.orientation import simulate_recent_weeks
from parcours.people.models import PersonEvent
from tests.demo.test_orientation import demo_departement  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_with_orientation(demo_departement):  # noqa: F811
    create_demo_agents("59")
    simulate_recent_weeks("59", 1, Decimal("0.02"), weeks=4)
    return demo_departement


def test_the_demo_coach_has_a_believable_caseload(demo_with_orientation):
    outcome = simulate_accompaniment("59", 1, Decimal("0.02"), weeks=14)

    coach = Agent.objects.get(username="demo.coach")
    caseload = Accompaniment.objects.open().followed_by(coach).with_cadence()
    assert outcome.created and 10 <= caseload.count() <= 40  # 23 open in `make demo` (scale 0.05)
    assert caseload.filter(contact_overdue=True).exists()  # some had no contact last week
    assert Contact.objects.filter(accompaniment__referents__agent=coach).count() >= 3 * outcome.coachings
    assert Accompaniment.objects.filter(programme=Programme.COACHING).exclude(ended_on=None).exists()
    pairs = Accompaniment.objects.filter(programme=Programme.GLOBAL)
    assert pairs.exists()
    for pair in pairs:
        organisations = {row.organisation.kind for row in pair.referents.select_related("organisation")}
        assert organisations == {"departement", "france_travail"}
    # Every fact was written by the product's workflows (import, orientation, accompaniment).
    assert set(PersonEvent.objects.values_list("source", flat=True)) <= {
        "cnaf",
        "orientation",
        "accompagnement",
    }
    kinds = set(PersonEvent.objects.filter(source="accompagnement").values_list("kind", flat=True))
    assert {"accompagnement.debut", "accompagnement.contact", "accompagnement.fin"} <= kinds


def test_the_demo_accompaniment_is_written_once(demo_with_orientation):
    simulate_accompaniment("59", 1, Decimal("0.02"), weeks=6)
    count = PersonEvent.objects.count()
    out = StringIO()
    call_command("demo_accompaniment", "--departement", "59", "--scale", "0.02", stdout=out)
    assert "rien à faire" in out.getvalue()
    assert PersonEvent.objects.count() == count


def test_the_command_needs_the_demo_agents(demo_departement):  # noqa: F811
    with pytest.raises(CommandError) as error:
        call_command("demo_accompaniment", "--departement", "59", stdout=StringIO())
    assert "create-demo-agents" in str(error.value)
