"""`core.access.visible_rows` is the one access rule written on linked rows: for every kind of
agent it keeps exactly the rows whose person `visible_persons` returns."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from parcours.accounts.models import Role
from parcours.aids.models import AidApplication
from parcours.core.access import visible_persons, visible_rows
from parcours.people.models import Follow
from parcours.privacy.models import PersonArchive
from tests.accounts.factories import AgentFactory
from tests.aids.factories import SchemeVersionFactory, deposited, draft
from tests.people.factories import PersonFactory
from tests.territory.factories import CommuneFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_rows_follow_the_rule_for_every_kind_of_agent():
    unit, other_unit = UnitFactory(), UnitFactory()
    here, there = CommuneFactory(unit=unit), CommuneFactory(unit=other_unit)
    version = SchemeVersionFactory()
    persons = [PersonFactory(commune=here), PersonFactory(commune=there), PersonFactory(commune=there),
               PersonFactory(commune=here)]  # fmt: skip
    referent = AgentFactory(role=Role.REFERENT, units=[unit])
    Follow.objects.create(person=persons[2], agent=referent, started_on=datetime.date(2026, 1, 1))
    for person in persons[:3]:
        deposited(person, version.scheme, requested_amount=Decimal("50"))
    draft(persons[3], version.scheme)  # a draft opens nothing to the instructors
    PersonArchive.objects.create(person=persons[0], archived_at=timezone.now())
    agents = [
        referent,
        AgentFactory(role=Role.INSTRUCTEUR_AIDES),
        AgentFactory(role=Role.INSTRUCTEUR_AIDES, units=[other_unit]),
        AgentFactory(role=Role.ADMINISTRATEUR),
        AgentFactory(role=Role.EMPLOYEUR),
        AgentFactory(role=Role.ACCUEIL, units=[unit], is_active=False),
    ]
    for agent in agents:
        expected = set(
            AidApplication.objects.filter(person__in=visible_persons(agent)).values_list("pk", flat=True)
        )
        got = set(visible_rows(AidApplication.objects.all(), agent).values_list("pk", flat=True))
        assert got == expected, agent.role
    # The instructor without a unit sees the deposited applications of the persons not archived.
    instructor = agents[1]
    shown = visible_rows(AidApplication.objects.all(), instructor)
    assert {a.person_id for a in shown} == {persons[1].pk, persons[2].pk}
