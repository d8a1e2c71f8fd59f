import pytest

from tests.accounts.factories import AgentFactory


@pytest.fixture
def agent_client(client, settings, two_units):
    """A client logged in as an agent past the second factor (a demo-exempt account)."""
    settings.PARCOURS_DEMO = True
    client.force_login(AgentFactory(units=[two_units["unit_a"]], otp_exempt=True))
    return client
