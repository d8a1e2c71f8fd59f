import datetime

import pytest
from django.utils import timezone

from parcours.imports import duplicates
from parcours.imports.models import DuplicateCandidate, DuplicateDecision
from parcours.people.models import Follow, HouseholdMember, Person, PersonEvent
from tests.accounts.factories import AgentFactory
from tests.people.factories import HouseholdFactory, MemberFactory, PersonFactory

pytestmark = pytest.mark.django_db
BORN = datetime.date(1980, 3, 15)


@pytest.fixture
def admin(departement):
    return AgentFactory(role="administrateur")


@pytest.fixture
def pair():
    kept = PersonFactory(nir="", last_name="Dupont", first_names="Jean", birth_date=BORN, phone="")
    duplicate = PersonFactory(
        nir="1800359350123", last_name="DUPONT", first_names="Jean", birth_date=BORN, phone="0612345678"
    )
    return kept, duplicate


def test_merge_moves_everything_and_undo_restores_it(pair, admin):
    kept, duplicate = pair
    shared = HouseholdFactory()
    MemberFactory(household=shared, person=kept)
    shared_member = MemberFactory(household=shared, person=duplicate, role="conjoint")
    own = MemberFactory(person=duplicate)
    event = PersonEvent.objects.create(person=duplicate, kind="rsa.entree", occurred_at=timezone.now())
    follow = Follow.objects.create(person=duplicate, agent=admin)
    candidate = DuplicateCandidate.objects.create(person=kept, duplicate_id=duplicate.pk, reason="test")
    duplicate_id = duplicate.pk

    duplicates.merge(candidate, admin)

    assert not Person.objects.filter(pk=duplicate_id).exists()
    kept.refresh_from_db()
    assert kept.nir == "1800359350123"  # empty fields filled from the duplicate
    assert kept.phone == "0612345678"
    assert set(kept.memberships.values_list("household_id", flat=True)) == {shared.pk, own.household_id}
    assert PersonEvent.objects.get(pk=event.pk).person_id == kept.pk
    assert Follow.objects.get(pk=follow.pk).person_id == kept.pk
    candidate.refresh_from_db()
    assert candidate.status == "merged"
    assert candidate.decided_by == admin

    duplicates.undo(candidate, admin)

    restored = Person.objects.get(pk=duplicate_id)
    assert restored.nir == "1800359350123"
    assert restored.birth_date == BORN
    kept.refresh_from_db()
    assert kept.nir == "" and kept.phone == ""
    assert PersonEvent.objects.get(pk=event.pk).person_id == duplicate_id
    assert Follow.objects.get(pk=follow.pk).person_id == duplicate_id
    assert HouseholdMember.objects.get(pk=shared_member.pk).person_id == duplicate_id
    assert HouseholdMember.objects.get(pk=own.pk).person_id == duplicate_id
    assert set(kept.memberships.values_list("household_id", flat=True)) == {shared.pk}
    candidate.refresh_from_db()
    assert candidate.status == "pending"
    assert list(DuplicateDecision.objects.values_list("action", flat=True)) == ["merge", "undo"]


def test_two_different_nirs_are_never_merged(admin):
    a = PersonFactory(nir="1800359350123", last_name="Dupont", first_names="Jean", birth_date=BORN)
    b = PersonFactory(nir="1800359350124", last_name="Dupont", first_names="Jean", birth_date=BORN)
    candidate = DuplicateCandidate.objects.create(person=a, duplicate_id=b.pk, reason="test")
    with pytest.raises(duplicates.DecisionRefused, match="NIR différents"):
        duplicates.merge(candidate, admin)
    assert Person.objects.filter(pk=b.pk).exists()
    candidate.refresh_from_db()
    assert candidate.status == "pending"


def test_separate_and_undo(pair, admin):
    kept, duplicate = pair
    candidate = DuplicateCandidate.objects.create(person=kept, duplicate_id=duplicate.pk, reason="test")
    duplicates.separate(candidate, admin)
    candidate.refresh_from_db()
    assert candidate.status == "separated"
    with pytest.raises(duplicates.DecisionRefused):
        duplicates.merge(candidate, admin)
    duplicates.undo(candidate, admin)
    candidate.refresh_from_db()
    assert candidate.status == "pending"
    assert Person.objects.count() == 2
