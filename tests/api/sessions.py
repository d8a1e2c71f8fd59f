"""Test clients for the API: bearer tokens (web sessions past both factors: tests.conftest.login_verified)."""

from parcours.accounts.models import Agent, ApiToken


def bearer(agent: Agent) -> dict[str, str]:
    """Headers carrying a fresh API token of `agent`."""
    _, raw = ApiToken.issue(agent, "tests")
    return {"Authorization": f"Bearer {raw}"}
