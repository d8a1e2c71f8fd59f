import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import urlencode

from parcours.core.models import AuditAction, AuditChannel, AuditEvent
from parcours.people.models import Follow, MemberRole, Person, PersonEvent
from parcours.people.nir import nir_with_key
from tests.accounts.factories import AgentFactory
from tests.api.sessions import bearer
from tests.people.factories import HouseholdFactory, MemberFactory, PersonFactory

URL = "/api/v1/personnes/"
SEARCH_URL = "/api/v1/personnes/recherche"


@pytest.fixture
def headers(agent_a):
    return bearer(agent_a)


def _post(client, headers, data):
    return client.post(URL, data=json.dumps(data), content_type="application/json", headers=headers)


def _search(client, headers, criteria, **pagination):
    """POST a search: the criteria in the JSON body, the page in the query string."""
    url = f"{SEARCH_URL}?{urlencode(pagination)}" if pagination else SEARCH_URL
    return client.post(url, data=json.dumps(criteria), content_type="application/json", headers=headers)


def _patch(client, headers, person_id, data):
    return client.patch(
        f"{URL}{person_id}", data=json.dumps(data), content_type="application/json", headers=headers
    )


# Search


@pytest.mark.django_db
def test_search_finds_only_visible_persons_and_paginates(client, two_units, agent_a, headers):
    mine = [PersonFactory(commune=two_units["commune_a"], last_name=f"Moreau{n}") for n in range(3)]
    PersonFactory(commune=two_units["commune_b"], last_name="Moreau")
    PersonFactory(commune=two_units["commune_a"], last_name="Durand")

    first = _search(client, headers, {"q": "moreau"}, page_size=2).json()
    second = _search(client, headers, {"q": "moreau"}, page_size=2, page=2).json()

    assert first["count"] == 3 and len(first["items"]) == 2 and len(second["items"]) == 1
    assert {item["id"] for item in first["items"] + second["items"]} == {p.pk for p in mine}
    assert "nir" not in first["items"][0]
    assert first["items"][0]["commune"]["unite"]["code"] == "A"


@pytest.mark.django_db
def test_search_by_birth_date(client, two_units, headers):
    born = PersonFactory(commune=two_units["commune_a"], birth_date=datetime.date(1981, 3, 4))
    PersonFactory(commune=two_units["commune_a"], birth_date=datetime.date(1982, 3, 4))
    data = _search(client, headers, {"date_naissance": "1981-03-04"}).json()
    assert [item["id"] for item in data["items"]] == [born.pk]


@pytest.mark.django_db
def test_search_is_audited_with_the_count_only(client, two_units, agent_a, headers):
    PersonFactory(commune=two_units["commune_a"], last_name="Fontaine", nir="")
    _search(client, headers, {"q": "Fontaine"})
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.agent == agent_a and event.channel == AuditChannel.API
    assert event.detail["count"] == 1 and event.detail["criteria"] == ["q"]
    assert "fontaine" not in json.dumps(event.detail).lower() and "fontaine" not in event.path.lower()


@pytest.mark.django_db
def test_search_with_a_bad_date_is_422_in_french(client, headers):
    response = _search(client, headers, {"date_naissance": "12/03/1980"})
    assert response.status_code == 422
    assert response.json()["erreurs"] == {"date_naissance": ["Date invalide : format attendu AAAA-MM-JJ."]}


@pytest.mark.django_db
def test_the_listing_takes_no_search_criteria_in_the_url(client, two_units, headers):
    mine = PersonFactory(commune=two_units["commune_a"])
    PersonFactory(commune=two_units["commune_b"])
    listing = client.get(URL, headers=headers)
    assert listing.status_code == 200
    assert [item["id"] for item in listing.json()["items"]] == [mine.pk]
    for criteria in ({"q": mine.nir}, {"date_naissance": "1981-03-04"}):
        refused = client.get(URL, criteria, headers=headers)
        assert refused.status_code == 400
        assert "POST /api/v1/personnes/recherche" in refused.json()["detail"]


# Detail


@pytest.mark.django_db
def test_detail_has_households_reduced_to_the_scope_and_active_follows(client, two_units, agent_a, headers):
    person = PersonFactory(commune=two_units["commune_a"])
    partner = PersonFactory(commune=two_units["commune_b"], last_name="Horschamp")
    child = PersonFactory(commune=two_units["commune_a"])
    household = HouseholdFactory()
    MemberFactory(household=household, person=person, role=MemberRole.DEMANDEUR)
    MemberFactory(household=household, person=partner, role=MemberRole.CONJOINT)
    MemberFactory(household=household, person=child, role=MemberRole.ENFANT)
    Follow.objects.create(person=person, agent=agent_a)
    Follow.objects.create(
        person=person,
        agent=AgentFactory(),
        started_on=datetime.date(2020, 1, 1),
        ended_on=datetime.date(2021, 1, 1),
    )

    response = client.get(f"{URL}{person.pk}", headers=headers)

    assert response.status_code == 200
    data = response.json()
    assert data["nir"] == person.nir and data["nom"] == person.last_name
    assert data["commune"]["code_insee"] == two_units["commune_a"].insee_code
    [foyer] = data["foyers"]
    assert foyer["numero_dossier"] == household.caf_number and foyer["role"] == "demandeur"
    members = {m["role"]: m["personne"] for m in foyer["membres"]}
    assert members["conjoint"] is None
    assert members["enfant"]["id"] == child.pk
    assert "Horschamp" not in response.content.decode()
    assert [s["agent"]["id"] for s in data["suivis"]] == [agent_a.pk]
    view = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert view.person_id == person.pk and view.channel == AuditChannel.API


@pytest.mark.django_db
def test_out_of_scope_is_404_like_an_unknown_id_and_audited(client, two_units, agent_a, headers):
    other = PersonFactory(commune=two_units["commune_b"])
    out_of_scope = client.get(f"{URL}{other.pk}", headers=headers)
    unknown = client.get(f"{URL}{other.pk + 1000}", headers=headers)
    assert out_of_scope.status_code == unknown.status_code == 404
    assert out_of_scope.content == unknown.content
    denials = AuditEvent.objects.filter(action=AuditAction.DENIED, agent=agent_a).order_by("id")
    assert [d.person_id for d in denials] == [other.pk, None]


@pytest.mark.django_db
def test_events_of_a_person(client, two_units, headers):
    person = PersonFactory(commune=two_units["commune_a"])
    other = PersonFactory(commune=two_units["commune_b"])
    now = timezone.now()
    old = PersonEvent.objects.create(
        person=person, kind="droits_ouverts", occurred_at=now - datetime.timedelta(days=9)
    )
    new = PersonEvent.objects.create(person=person, kind="invitation", occurred_at=now, source="rdv")
    PersonEvent.objects.create(person=other, kind="invitation", occurred_at=now)

    data = client.get(f"{URL}{person.pk}/evenements", headers=headers).json()

    assert [e["id"] for e in data["items"]] == [new.pk, old.pk]
    assert data["items"][0]["nature"] == "invitation" and data["items"][0]["source"] == "rdv"
    assert client.get(f"{URL}{other.pk}/evenements", headers=headers).status_code == 404


# Creation


def _valid_payload(commune, **overrides):
    payload = {
        "civilite": "MME",
        "nom": "Lefebvre",
        "prenoms": "Claire",
        "date_naissance": "1985-05-12",
        "sexe": "F",
        "nir": " ".join(nir_with_key("2850559350123")[i : i + 3] for i in range(0, 15, 3)),
        "code_insee_commune": commune.insee_code,
    }
    return payload | overrides


@pytest.mark.django_db
def test_create_person(client, two_units, agent_a, headers):
    response = _post(client, headers, _valid_payload(two_units["commune_a"]))
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["id"])
    assert person.nir == nir_with_key("2850559350123") and person.commune == two_units["commune_a"]
    event = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert event.person == person and event.agent == agent_a and event.channel == AuditChannel.API
    assert "nir" in event.detail["fields"] and "lefebvre" not in json.dumps(event.detail).lower()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"nir": nir_with_key("2850559350123")[:13] + "00"}, "nir", "La clé du NIR est incorrecte"),
        ({"date_naissance": "1986-05-12"}, "nir", "L'année de naissance du NIR ne correspond pas"),
        ({"sexe": "M"}, "sexe", "Le sexe ne correspond pas"),
        ({"date_naissance": "2999-01-01", "nir": ""}, "date_naissance", "ne peut pas être dans le futur"),
        ({"date_naissance": "1850-01-01", "nir": ""}, "date_naissance", "trop ancienne"),
        ({"code_insee_commune": "99999"}, "code_insee_commune", "Aucune commune ne porte le code INSEE"),
        ({"email": "pas-une-adresse"}, "email", "adresse de courriel valide"),
        ({"nom": ""}, "nom", "ne peut pas être vide"),
        ({"nom": None}, "nom", "Texte attendu."),
        ({"civilite": "DR"}, "civilite", "n’est pas un choix valide"),
    ],
)
@pytest.mark.django_db
def test_invalid_creation_is_422_per_field_and_saves_nothing(
    client, two_units, headers, overrides, field, message
):
    response = _post(client, headers, _valid_payload(two_units["commune_a"], **overrides))
    assert response.status_code == 422, response.content
    errors = response.json()["erreurs"]
    assert field in errors and any(message in text for text in errors[field]), errors
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


@pytest.mark.django_db
def test_creation_requires_name_first_names_and_birth_date(client, headers):
    response = _post(client, headers, {"civilite": "M"})
    assert response.status_code == 422
    assert response.json()["erreurs"] == {
        field: ["Ce champ est obligatoire."] for field in ("nom", "prenoms", "date_naissance")
    }


@pytest.mark.django_db
def test_creation_only_in_the_agents_units_unless_administrator(client, two_units, headers):
    outside = _valid_payload(two_units["commune_b"])
    response = _post(client, headers, outside)
    assert response.status_code == 422 and "code_insee_commune" in response.json()["erreurs"]
    assert (
        _post(
            client, headers, _valid_payload(two_units["commune_a"]) | {"code_insee_commune": None}
        ).status_code
        == 422
    )
    assert not Person.objects.exists()
    admin_headers = bearer(AgentFactory(role="administrateur"))
    assert _post(client, admin_headers, outside).status_code == 201


# (An employer's token authenticates nobody: tests/api/test_auth.py.)
@pytest.mark.parametrize("role", ["coach_emploi", "relations_entreprises", "instructeur_aides"])
@pytest.mark.django_db
def test_roles_that_may_not_write_get_403(client, two_units, role):
    agent = AgentFactory(role=role, units=[two_units["unit_a"]])
    person = PersonFactory(commune=two_units["commune_a"], last_name="Avant")
    headers = bearer(agent)
    created = _post(client, headers, _valid_payload(two_units["commune_a"]))
    changed = _patch(client, headers, person.pk, {"nom": "Après"})
    assert created.status_code == changed.status_code == 403
    assert created.json()["detail"] == "Votre rôle ne permet pas de créer ou de modifier une personne."
    person.refresh_from_db()
    assert person.last_name == "Avant" and Person.objects.count() == 1


@pytest.mark.parametrize("role", ["accueil", "charge_orientation", "referent", "manager", "administrateur"])
@pytest.mark.django_db
def test_roles_that_may_write(client, two_units, role):
    headers = bearer(AgentFactory(role=role, units=[two_units["unit_a"]]))
    assert _post(client, headers, _valid_payload(two_units["commune_a"])).status_code == 201


# Update


@pytest.mark.django_db
def test_patch_changes_only_the_fields_sent_and_audits_their_names(client, two_units, agent_a, headers):
    person = PersonFactory(commune=two_units["commune_a"], last_name="Martin", phone="")
    response = _patch(client, headers, person.pk, {"nom": "Martin-Roux", "telephone": "0320000000"})
    assert response.status_code == 200, response.content
    assert response.json()["nom"] == "Martin-Roux"
    person.refresh_from_db()
    assert (person.last_name, person.phone, person.first_names) == (
        "Martin-Roux",
        "0320000000",
        person.first_names,
    )
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.detail == {"fields": ["last_name", "phone"]} and event.channel == AuditChannel.API


@pytest.mark.django_db
def test_invalid_patch_saves_nothing(client, two_units, headers):
    person = PersonFactory(commune=two_units["commune_a"], last_name="Martin")
    response = _patch(client, headers, person.pk, {"nom": "Nouveau", "nir": "123"})
    assert response.status_code == 422 and "nir" in response.json()["erreurs"]
    person.refresh_from_db()
    assert person.last_name == "Martin"
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


@pytest.mark.django_db
def test_patch_cannot_move_a_person_out_of_the_agents_scope(client, two_units, headers):
    person = PersonFactory(commune=two_units["commune_a"])
    response = _patch(client, headers, person.pk, {"code_insee_commune": two_units["commune_b"].insee_code})
    assert response.status_code == 422
    person.refresh_from_db()
    assert person.commune == two_units["commune_a"]


@pytest.mark.django_db
def test_patch_out_of_scope_is_404_and_audited(client, two_units, agent_a, headers):
    other = PersonFactory(commune=two_units["commune_b"], last_name="Martin")
    response = _patch(client, headers, other.pk, {"nom": "Pirate"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.last_name == "Martin"
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, agent=agent_a, person_id=other.pk).exists()


@pytest.mark.django_db
def test_queries_do_not_grow_with_results_or_household_members(client, two_units, headers):
    person = PersonFactory(commune=two_units["commune_a"], last_name="Carpentier")
    household = HouseholdFactory()
    MemberFactory(household=household, person=person)

    def queries(url, criteria=None):
        with CaptureQueriesContext(connection) as context:
            if criteria is None:
                assert client.get(url, headers=headers).status_code == 200
            else:
                assert _search(client, headers, criteria).status_code == 200
        return len(context.captured_queries)

    search_one, detail_one = queries(SEARCH_URL, {"q": "carpentier"}), queries(f"{URL}{person.pk}")
    for n in range(4):
        other = PersonFactory(
            commune=two_units["commune_a" if n % 2 else "commune_b"], last_name="Carpentier"
        )
        MemberFactory(household=household, person=other, role=MemberRole.ENFANT)
    assert queries(SEARCH_URL, {"q": "carpentier"}) == search_one
    assert queries(f"{URL}{person.pk}") == detail_one
