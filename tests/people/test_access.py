import pytest
from django.http import Http404

from parcours.core.access import get_person_for, visible_persons
from parcours.core.models import AuditAction, AuditEvent
from parcours.people.models import Follow
from tests.accounts.factories import AgentFactory
from tests.people.factories import PersonFactory


@pytest.mark.django_db
def test_agent_sees_only_persons_of_their_units_and_those_they_follow(two_units, agent_a):
    mine = PersonFactory(commune=two_units["commune_a"])
    other = PersonFactory(commune=two_units["commune_b"])
    followed = PersonFactory(commune=two_units["commune_b"])
    Follow.objects.create(person=followed, agent=agent_a)

    assert set(visible_persons(agent_a)) == {mine, followed}
    assert other not in visible_persons(agent_a)


@pytest.mark.django_db
def test_administrator_sees_everyone(two_units):
    admin = AgentFactory(role="administrateur")
    people = {PersonFactory(commune=two_units["commune_a"]), PersonFactory(commune=two_units["commune_b"])}
    assert set(visible_persons(admin)) == people


@pytest.mark.django_db
def test_refused_access_is_404_and_audited(two_units, agent_a):
    other = PersonFactory(commune=two_units["commune_b"])
    with pytest.raises(Http404):
        get_person_for(agent_a, other.pk)
    denial = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert denial.agent == agent_a and denial.person_id == other.pk
