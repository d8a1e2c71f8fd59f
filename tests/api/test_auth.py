import datetime

import pytest
from django.utils import timezone

from parcours.accounts.models import ApiToken, ApiTokenScope
from parcours.core.models import AuditAction, AuditEvent
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
def test_expired_token_is_401(client, agent_a):
    token, raw = ApiToken.issue(agent_a, "poste")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(URL, headers=headers).status_code == 200
    token.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    token.save()
    _assert_refused(client.get(URL, headers=headers))


@pytest.mark.django_db
def test_a_token_lives_90_days_by_default_and_one_year_at_most(agent_a):
    token, _ = ApiToken.issue(agent_a, "poste")
    lifetime = token.expires_at - token.created_at
    assert abs(lifetime - datetime.timedelta(days=90)) < datetime.timedelta(minutes=1)
    with pytest.raises(ValueError, match="un an"):
        ApiToken.issue(agent_a, "poste", expires_at=timezone.now() + datetime.timedelta(days=367))


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "patch"])
def test_read_only_token_is_refused_any_change(client, two_units, agent_a, method):
    person = PersonFactory(commune=two_units["commune_a"])
    url = URL if method == "post" else f"{URL}{person.pk}"
    _, raw = ApiToken.issue(agent_a, "lecture", scope=ApiTokenScope.READ)
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(url, headers=headers).status_code == 200
    response = getattr(client, method)(url, data={}, content_type="application/json", headers=headers)
    assert response.status_code == 403
    assert "lecture seule" in response.json()["detail"]
    denied = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert denied.agent == agent_a and denied.channel == "api"


@pytest.mark.django_db
def test_read_only_token_may_search_by_post(client, two_units, agent_a):
    """A search reads, though its criteria travel in a POST body (kept out of URLs and logs)."""
    PersonFactory(commune=two_units["commune_a"], last_name="Lambert")
    _, raw = ApiToken.issue(agent_a, "lecture", scope=ApiTokenScope.READ)
    response = client.post(
        f"{URL}recherche",
        data={"q": "lambert"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200 and response.json()["count"] == 1


@pytest.mark.django_db
def test_read_write_token_may_change(client, agent_a):
    _, raw = ApiToken.issue(agent_a, "écriture", scope=ApiTokenScope.READ_WRITE)
    response = client.post(
        URL, data={}, content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 422  # past authentication: the (empty) person is invalid


@pytest.mark.django_db
def test_employer_token_is_refused(client, two_units):
    """Employers hold no API token; one issued before (or by mistake) authenticates nobody."""
    employer = AgentFactory(role="employeur", organisation__kind="employer")
    PersonFactory(commune=two_units["commune_a"], last_name="Lambert")
    headers = bearer(employer)
    _assert_refused(client.get(URL, {"q": "lambert"}, headers=headers))
