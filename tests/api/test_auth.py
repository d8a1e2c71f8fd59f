import pytest
from django.utils import timezone

from parcours.accounts.models import ApiToken
from tests.accounts.factories import AgentFactory
from tests.api.sessions import bearer
from tests.people.factories import PersonFactory

URL = "/api/v1/personnes/"


def _assert_refused(response):
    assert response.status_code == 401
    assert "jeton d'API valide" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_missing_token_is_401_in_french(client):
    _assert_refused(client.get(URL))


@pytest.mark.django_db
def test_unknown_token_and_wrong_scheme_are_401(client, agent_a):
    _, raw = ApiToken.issue(agent_a, "poste")
    _assert_refused(client.get(URL, headers={"Authorization": "Bearer pas-un-jeton"}))
    _assert_refused(client.get(URL, headers={"Authorization": f"Token {raw}"}))
    _assert_refused(client.get(URL, headers={"Authorization": "Bearer "}))


@pytest.mark.django_db
def test_revoked_token_is_401(client, agent_a):
    token, raw = ApiToken.issue(agent_a, "poste")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(URL, headers=headers).status_code == 200
    token.revoked_at = timezone.now()
    token.save()
    _assert_refused(client.get(URL, headers=headers))


@pytest.mark.django_db
def test_token_of_inactive_agent_is_401(client, two_units):
    agent = AgentFactory(units=[two_units["unit_a"]])
    person = PersonFactory(commune=two_units["commune_a"])
    headers = bearer(agent)
    assert client.get(f"{URL}{person.pk}", headers=headers).status_code == 200
    agent.is_active = False
    agent.save()
    _assert_refused(client.get(f"{URL}{person.pk}", headers=headers))


@pytest.mark.django_db
def test_employer_gets_no_person_data(client, two_units):
    employer = AgentFactory(role="employeur", organisation__kind="employer")
    person = PersonFactory(commune=two_units["commune_a"], last_name="Lambert")
    headers = bearer(employer)
    listing = client.get(URL, {"q": "lambert"}, headers=headers)
    assert listing.status_code == 200 and listing.json() == {"items": [], "count": 0}
    assert client.get(f"{URL}{person.pk}", headers=headers).status_code == 404
