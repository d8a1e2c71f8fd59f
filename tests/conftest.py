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


# No personal data in the logs of a whole run (tests/log_check.py): the session starts the
# check, each test re-attaches its handler to non-propagating loggers, the end reports.


@pytest.fixture(scope="session", autouse=True)
def log_leak_check():
    from tests.log_check import RUN

    RUN.start()
    yield RUN
    RUN.stop()


def pytest_runtest_setup(item):
    from tests.log_check import RUN

    RUN.attach()


def pytest_sessionfinish(session, exitstatus):
    from tests.log_check import RUN

    offenders = RUN.offenders()
    if not offenders or exitstatus not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write("\n")
        reporter.write_sep("=", "données personnelles dans les journaux", red=True)
        reporter.write_line(
            f"{len(offenders)} ligne(s) de journal nomment une personne créée pendant les tests :"
        )
        for line in offenders[:50]:
            reporter.write_line(f"  {line}")
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
