"""Test clients for the API: bearer tokens (web sessions past both factors: tests.conftest.login_verified)."""

from parcours.accounts.models import Agent, ApiToken, ApiTokenScope


def bearer(agent: Agent) -> dict[str, str]:
    """Headers carrying a fresh read-write API token of `agent`."""
    _, raw = ApiToken.issue(agent, "tests", scope=ApiTokenScope.READ_WRITE)
    return {"Authorization": f"Bearer {raw}"}
