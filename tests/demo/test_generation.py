import json
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from parcours.demo.models import Generation
from parcours.demo.population import REFERENCE_DATE, CommuneChoice, PopulationSynthesizer
from parcours.people.models import Household, HouseholdMember, MemberRole, Person
from parcours.people.nir import validate_nir
from tests.people.factories import HouseholdFactory, MemberFactory, PersonFactory
from tests.territory.factories import CommuneFactory, DepartementFactory

SCALE = "0.02"  # about 170 households, 390 persons on the test territory


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate", "--departement", "59", *args, stdout=out)
    return out.getvalue()


def identities() -> list[tuple]:
    # Sorted in Python: the NIR is stored encrypted, the database cannot order by it.
    return sorted(Person.objects.values_list("nir", "first_names", "last_name", "birth_date"))


def test_synthesizer_is_reproducible_without_database():
    communes = [CommuneChoice(1, "59350", ("59000",), 1000), CommuneChoice(2, "59512", ("59100",), 100)]
    first = list(PopulationSynthesizer("59", communes, 7).households(50))
    again = list(PopulationSynthesizer("59", communes, 7).households(50))
    other = list(PopulationSynthesizer("59", communes, 8).households(50))
    assert first == again
    assert [m.nir for h in first for m in h.members] != [m.nir for h in other for m in h.members]


@pytest.mark.django_db
def test_same_seed_gives_same_people_and_another_seed_others(territory):
    generate("--seed", "1", "--scale", SCALE)
    first = identities()
    generate("--seed", "2", "--scale", SCALE)
    second = identities()
    generate("--seed", "1", "--scale", SCALE)

    assert len(first) > 300
    assert identities() == first
    assert second != first


@pytest.mark.django_db
def test_nirs_are_valid_unique_and_consistent_with_sex_and_birth(territory):
    generate("--seed", "3", "--scale", SCALE)
    persons = list(Person.objects.all())
    assert len({p.nir for p in persons}) == len(persons)
    for person in persons:
        validate_nir(person.nir)
        assert len(person.nir) == 15
        assert person.nir[0] == ("1" if person.sex == "M" else "2")
        assert person.civility == ("M" if person.sex == "M" else "MME")
        assert person.nir[1:5] == f"{person.birth_date:%y%m}"
        person.clean()  # the model's own consistency checks


@pytest.mark.django_db
def test_people_live_in_the_departement_weighted_by_population(territory, departement):
    elsewhere = CommuneFactory(
        departement=DepartementFactory(code="62", name="Pas-de-Calais"), population=10**6
    )
    generate("--seed", "4", "--scale", SCALE)
    per_commune = Counter(Person.objects.values_list("commune_id", flat=True))

    assert elsewhere.pk not in per_commune
    assert set(per_commune) <= {territory[name].pk for name in ("city", "town", "village")}
    assert (
        per_commune[territory["city"].pk]
        > per_commune[territory["town"].pk]
        > per_commune[territory["village"].pk]
    )
    for person in Person.objects.select_related("commune"):
        assert person.postal_code in person.commune.postal_code_list
        assert person.address and person.address[0].isdigit()


@pytest.mark.django_db
def test_household_composition(territory):
    generate("--seed", "5", "--scale", SCALE)
    households = Household.objects.prefetch_related("memberships__person")
    kinds = Counter()
    for household in households:
        members = list(household.memberships.all())
        roles = Counter(m.role for m in members)
        assert roles[MemberRole.DEMANDEUR] == 1
        assert roles[MemberRole.CONJOINT] <= 1
        assert len(household.caf_number) == 7 and household.caf_number.isdigit()
        parents = [m.person for m in members if m.role in {MemberRole.DEMANDEUR, MemberRole.CONJOINT}]
        for parent in parents:
            assert parent.caf_number == household.caf_number
            assert 18 <= REFERENCE_DATE.year - parent.birth_date.year <= 71
        for child in (m.person for m in members if m.role == MemberRole.ENFANT):
            assert all(child.birth_date > parent.birth_date for parent in parents)
            assert child.caf_number == ""
        kinds[(roles[MemberRole.CONJOINT], roles[MemberRole.ENFANT] > 0)] += 1
    # Single people without children are the largest group; every kind of household is there.
    assert kinds.most_common(1)[0][0] == (0, False)
    assert set(kinds) == {(0, False), (0, True), (1, False), (1, True)}
    assert Person.objects.exclude(birth_name="").exclude(birth_name=F("last_name")).exists()


@pytest.mark.django_db
def test_running_again_with_the_same_parameters_does_nothing(territory):
    generate("--seed", "6", "--scale", SCALE)
    ids = set(Person.objects.values_list("id", flat=True))
    output = generate("--seed", "6", "--scale", "0.0200")

    assert "rien à faire" in output
    assert set(Person.objects.values_list("id", flat=True)) == ids
    assert Generation.objects.count() == 1


@pytest.mark.django_db
def test_regeneration_replaces_only_generated_records(territory):
    own_household = HouseholdFactory()
    own = MemberFactory(household=own_household, person=PersonFactory(commune=territory["town"])).person
    generate("--seed", "7", "--scale", SCALE)
    generated_member = HouseholdMember.objects.exclude(household=own_household).first()
    # An agent added their own person to a generated household.
    MemberFactory(
        household=generated_member.household, person=PersonFactory(commune=territory["city"]), role="autre"
    )
    added = Person.objects.order_by("-id").first()

    output = json.loads(generate("--seed", "8", "--scale", SCALE, "--json"))

    assert output["created"] is True and output["removed_persons"] > 300
    assert Person.objects.filter(pk__in=[own.pk, added.pk]).count() == 2
    assert Household.objects.filter(pk=own_household.pk).exists()
    assert Person.objects.count() == output["persons"] + 2
    assert list(Generation.objects.current().values_list("seed", flat=True)) == [8]


@pytest.mark.django_db
def test_refuses_when_the_territory_is_not_loaded(departement):
    with pytest.raises(CommandError) as error:
        generate("--seed", "1", "--scale", SCALE)
    assert error.value.returncode == 2
    assert "load-territory --departement 59" in str(error.value)
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_force_regenerates_the_same_people(territory):
    generate("--seed", "9", "--scale", SCALE)
    before = identities()
    ids = set(Person.objects.values_list("id", flat=True))
    generate("--seed", "9", "--scale", SCALE, "--force")

    assert identities() == before
    assert ids.isdisjoint(Person.objects.values_list("id", flat=True))
    assert Generation.objects.current().count() == 1 and Generation.objects.count() == 2
