"""Test clients for the API: bearer tokens, and web sessions that passed the second factor."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.accounts.models import Agent, ApiToken


def bearer(agent: Agent) -> dict[str, str]:
    """Headers carrying a fresh API token of `agent`."""
    _, raw = ApiToken.issue(agent, "tests")
    return {"Authorization": f"Bearer {raw}"}


def login_with_second_factor(client: Client, agent: Agent) -> Client:
    """Log `agent` in on `client` as if they had typed a valid TOTP code."""
    device = TOTPDevice.objects.create(user=agent, name="tests", confirmed=True)
    client.force_login(agent)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
