"""The API token page: expiry, scope, audit of creation and revocation, none for employers."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import ApiToken, ApiTokenScope
from parcours.core.models import AuditAction, AuditEvent
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified

URL = "/comptes/jetons/"


@pytest.fixture
def agent_client(client):
    agent = AgentFactory()
    login_verified(client, agent)
    client.agent = agent
    return client


def _create(client, **data):
    return client.post(URL, {"name": "export", "scope": ApiTokenScope.READ, **data})


@pytest.mark.django_db
def test_a_new_token_expires_in_90_days_by_default(agent_client):
    page = agent_client.get(URL).content.decode()
    in_90_days = timezone.localdate() + datetime.timedelta(days=90)
    assert f'value="{in_90_days:%Y-%m-%d}"' in page
    _create(agent_client, expires_on=in_90_days.isoformat())
    token = ApiToken.objects.get(agent=agent_client.agent)
    assert timezone.localtime(token.expires_at).date() == in_90_days
    assert token.scope == ApiTokenScope.READ


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days", "message"),
    [(366, "un an au plus"), (0, "au plus tôt demain"), (-3, "au plus tôt demain")],
)
def test_expiry_is_between_tomorrow_and_one_year(agent_client, days, message):
    expires_on = timezone.localdate() + datetime.timedelta(days=days)
    response = _create(agent_client, expires_on=expires_on.isoformat())
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_expiry_and_scope_are_required(agent_client):
    response = agent_client.post(URL, {"name": "export", "expires_on": ""})
    assert response.content.decode().count("Ce champ est obligatoire") == 2
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_the_page_lists_tokens_with_their_expiry_and_scope(agent_client):
    expires_on = timezone.localdate() + datetime.timedelta(days=30)
    _create(agent_client, expires_on=expires_on.isoformat(), scope=ApiTokenScope.READ_WRITE)
    html = agent_client.get(URL).content.decode()
    assert f"expire le {expires_on:%d/%m/%Y}" in html
    assert "Lecture et écriture" in html


@pytest.mark.django_db
def test_creation_and_revocation_are_audited(agent_client):
    expires_on = timezone.localdate() + datetime.timedelta(days=10)
    _create(agent_client, expires_on=expires_on.isoformat())
    token = ApiToken.objects.get()
    created = AuditEvent.objects.get(action=AuditAction.TOKEN_CREATED)
    assert created.agent == agent_client.agent
    assert datetime.datetime.fromisoformat(created.detail.pop("expires_at")) == token.expires_at
    assert created.detail == {"token": token.pk, "name": "export", "scope": "lecture"}
    response = agent_client.post(URL, {"revoke": token.pk})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    revoked = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert revoked.detail == {"token": token.pk, "name": "export"}


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "", "999999", "1.5"])
def test_revoking_a_malformed_or_unknown_token_is_a_french_message(agent_client, value):
    response = agent_client.post(URL, {"revoke": value}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ce jeton n" in html and "existe pas ou est déjà révoqué." in html
    assert not AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED).exists()


@pytest.mark.django_db
def test_an_agent_cannot_revoke_the_token_of_another(agent_client):
    other, _ = ApiToken.issue(AgentFactory(), "autre")
    agent_client.post(URL, {"revoke": other.pk})
    other.refresh_from_db()
    assert other.revoked_at is None


@pytest.mark.django_db
def test_employers_have_no_token_page(client):
    employer = AgentFactory(role="employeur", organisation__kind="employer")
    login_verified(client, employer)
    assert client.get(URL).status_code == 403
    expires_on = timezone.localdate() + datetime.timedelta(days=10)
    assert _create(client, expires_on=expires_on.isoformat()).status_code == 403
    assert not ApiToken.objects.exists()
    assert "Jetons d&#x27;API" not in client.get(reverse("jobs:portal")).content.decode()
