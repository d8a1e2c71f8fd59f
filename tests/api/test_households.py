import pytest

from parcours.core.models import AuditAction, AuditEvent
from parcours.people.models import MemberRole
from tests.api.sessions import bearer
from tests.people.factories import HouseholdFactory, MemberFactory, PersonFactory


@pytest.mark.django_db
def test_household_with_a_visible_member_reduces_the_others_to_their_role(client, two_units, agent_a):
    household = HouseholdFactory()
    mine = MemberFactory(household=household, person__commune=two_units["commune_a"]).person
    MemberFactory(household=household, role=MemberRole.CONJOINT, person__commune=two_units["commune_b"])

    response = client.get(f"/api/v1/foyers/{household.pk}", headers=bearer(agent_a))

    assert response.status_code == 200
    members = {m["role"]: m["personne"] for m in response.json()["membres"]}
    assert members["demandeur"]["id"] == mine.pk and members["conjoint"] is None
    views = AuditEvent.objects.filter(action=AuditAction.VIEW)
    assert [(v.person_id, v.detail["household_id"]) for v in views] == [(mine.pk, household.pk)]


@pytest.mark.django_db
def test_household_without_visible_member_is_404_like_an_unknown_id(client, two_units, agent_a):
    household = HouseholdFactory()
    MemberFactory(household=household, person=PersonFactory(commune=two_units["commune_b"]))
    headers = bearer(agent_a)
    hidden = client.get(f"/api/v1/foyers/{household.pk}", headers=headers)
    unknown = client.get(f"/api/v1/foyers/{household.pk + 100}", headers=headers)
    assert hidden.status_code == unknown.status_code == 404 and hidden.content == unknown.content
    denials = AuditEvent.objects.filter(action=AuditAction.DENIED, agent=agent_a).order_by("id")
    assert [d.detail["household_id"] for d in denials] == [household.pk, household.pk + 100]
