import pytest

from parcours.accounts.proconnect import ProConnectBackend
from tests.accounts.factories import AgentFactory


@pytest.mark.django_db
def test_proconnect_only_proves_the_email_of_an_existing_active_agent():
    agent = AgentFactory(email="Agent.Nord@departement.test")
    AgentFactory(email="parti@departement.test", is_active=False)
    backend = ProConnectBackend.__new__(ProConnectBackend)  # no OIDC settings needed for this lookup
    backend.UserModel = type(agent)

    assert list(backend.filter_users_by_claims({"email": "agent.nord@departement.test"})) == [agent]
    assert not backend.filter_users_by_claims({"email": "parti@departement.test"}).exists()
    assert not backend.filter_users_by_claims({"email": "inconnu@departement.test"}).exists()
    assert not backend.filter_users_by_claims({}).exists()
