import datetime

import pytest

from parcours.people.identity import (
    CERTAIN,
    UNCERTAIN,
    CandidateIndex,
    Identity,
    name_keys,
    nirs_conflict,
    normalize_role,
    resolve,
)
from parcours.people.nir import nir_with_key
from tests.people.factories import HouseholdFactory, MemberFactory, PersonFactory

BORN = datetime.date(1980, 3, 15)
NIR13 = "1800359350123"


@pytest.mark.parametrize(
    "value,expected",
    [("dem", "demandeur"), ("DEM", "demandeur"), ("Demandeur", "demandeur"), ("cjt", "conjoint"),
     ("Conjoint", "conjoint"), ("ENF", "enfant"), ("", ""), ("tuteur", "autre")],
)  # fmt: skip
def test_roles(value, expected):
    assert normalize_role(value) == expected


def test_name_keys_ignore_accents_hyphens_order_and_birth_name():
    a = name_keys("Lefèvre-Dupont", "", "Marie Claire")
    assert a & name_keys("LEFEVRE DUPONT", "", "Claire-Marie")
    assert a & name_keys("Martin", "Lefevre Dupont", "marie")
    assert not a & name_keys("Lefebvre", "", "Marie")


def test_nirs_conflict_on_13_characters():
    assert not nirs_conflict(NIR13, nir_with_key(NIR13))
    assert not nirs_conflict("", NIR13)
    assert nirs_conflict(NIR13, "2800359350123")


@pytest.mark.django_db
def test_nir_match_is_certain_even_with_other_names():
    known = PersonFactory(nir=nir_with_key(NIR13), last_name="Autre", birth_date=BORN)
    match = resolve(Identity("Dupont", "Jean", BORN, nir=NIR13))
    assert (match.person, match.certainty, match.rule) == (known, CERTAIN, "nir")


@pytest.mark.django_db
def test_caf_matricule_and_role_match():
    household = HouseholdFactory(caf_number="1234567")
    known = MemberFactory(
        household=household, role="conjoint", person__nir="", person__birth_date=BORN
    ).person
    match = resolve(Identity(known.last_name, known.first_names, BORN, caf_number="1234567", role="conjoint"))
    assert (match.person, match.certainty, match.rule) == (known, CERTAIN, "caf_role")
    # Another role in the same dossier is someone else.
    other = resolve(
        Identity("Nouveau", "Conjoint", datetime.date(1990, 1, 1), caf_number="1234567", role="demandeur")
    )
    assert other.person is None


@pytest.mark.django_db
def test_caf_match_is_refused_when_nirs_differ():
    household = HouseholdFactory(caf_number="1234567")
    MemberFactory(household=household, role="conjoint", person__nir=NIR13, person__birth_date=BORN)
    match = resolve(Identity("X", "Y", BORN, nir="2800359350123", caf_number="1234567", role="conjoint"))
    assert match.certainty != CERTAIN


@pytest.mark.django_db
def test_france_travail_identifier_match():
    known = PersonFactory(nir="", france_travail_id="1234567A")
    match = resolve(Identity("Autre", "Nom", None, france_travail_id="1234567A"))
    assert (match.person, match.rule) == (known, "france_travail")


@pytest.mark.django_db
def test_same_names_and_birth_date_is_uncertain():
    known = PersonFactory(
        nir="", last_name="Dhérouville", birth_name="", first_names="Jean-Édouard", birth_date=BORN
    )
    match = resolve(Identity("DHEROUVILLE", "Edouard Jean", BORN, nir=NIR13))
    assert (match.person_id, match.certainty) == (known.pk, UNCERTAIN)
    assert resolve(Identity("DHEROUVILLE", "Edouard Jean", datetime.date(1981, 3, 15))).person_id is None


@pytest.mark.django_db
def test_usage_name_against_birth_name():
    known = PersonFactory(
        nir="", last_name="Martin", birth_name="Durand", first_names="Sophie", birth_date=BORN
    )
    match = resolve(Identity("Durand", "Sophie", BORN))
    assert (match.person_id, match.certainty) == (known.pk, UNCERTAIN)


@pytest.mark.django_db
def test_candidate_index_loads_a_chunk_in_few_queries(django_assert_max_num_queries):
    for n in range(20):
        PersonFactory(birth_date=BORN + datetime.timedelta(days=n))
    identities = [Identity(f"Nom{n}", "Prénom", BORN + datetime.timedelta(days=n), nir=f"18003593501{n:02d}")
                  for n in range(20)]  # fmt: skip
    with django_assert_max_num_queries(3):
        index = CandidateIndex.for_identities(identities)
    with django_assert_max_num_queries(0):
        for identity in identities:
            index.resolve(identity)
