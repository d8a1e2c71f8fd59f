import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.factories import AgentFactory
from tests.territory.factories import CommuneFactory, DepartementFactory, UnitFactory

pytest_plugins = ["tests.browser"]


@pytest.fixture
def departement(db):
    return DepartementFactory(code="59", name="Nord")


@pytest.fixture
def two_units(departement):
    """Two territorial units, each with one commune."""
    unit_a = UnitFactory(departement=departement, code="A", name="Unité A")
    unit_b = UnitFactory(departement=departement, code="B", name="Unité B")
    commune_a = CommuneFactory(departement=departement, unit=unit_a, name="Communeville")
    commune_b = CommuneFactory(departement=departement, unit=unit_b, name="Autreville")
    return {"unit_a": unit_a, "unit_b": unit_b, "commune_a": commune_a, "commune_b": commune_b}


@pytest.fixture
def agent_a(two_units):
    return AgentFactory(units=[two_units["unit_a"]], role="referent")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 is slow by design; tests don't need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login_verified(client, agent):
    """Log `agent` in as if past both factors (password and a confirmed TOTP device)."""
    device = TOTPDevice.objects.create(user=agent, name="test", confirmed=True)
    client.force_login(agent)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def logged_client(client, agent_a):
    return login_verified(client, agent_a)
