"""Login throttling (django-axes): per account and per address, password and second factor alike,
and the audit of each failure with the username typed and the client's address."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.core.client_address import client_ip
from parcours.core.models import AuditAction, AuditEvent
from tests.accounts.factories import AgentFactory
from tests.accounts.test_views import PASSWORD, current_code, log_in

LOGIN = "/comptes/connexion/"
OTP = "/comptes/second-facteur/"


def _wrong_password(client, username: str, address: str = "127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": "faux"}, REMOTE_ADDR=address)


def _assert_locked_out(response):
    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de tentatives" in html and "15 minutes" in html


def _wrong_code(device: TOTPDevice) -> str:
    return f"{(int(current_code(device)) + 1) % 1_000_000:06d}"


@pytest.mark.django_db
def test_forty_wrong_passwords_then_the_right_one_is_refused(client):
    agent = AgentFactory()
    for _ in range(40):
        _wrong_password(client, agent.username)
    response = client.post(LOGIN, {"username": agent.username, "password": PASSWORD})
    _assert_locked_out(response)
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


@pytest.mark.django_db
def test_four_wrong_passwords_do_not_lock_the_account(client):
    agent = AgentFactory()
    for _ in range(4):
        assert _wrong_password(client, agent.username).status_code == 200
    assert log_in(client, agent).status_code == 302


@pytest.mark.django_db
def test_the_account_is_locked_whatever_the_address(client):
    agent = AgentFactory()
    for number in range(5):
        _wrong_password(client, agent.username, address=f"192.0.2.{number}")
    _assert_locked_out(client.post(LOGIN, {"username": agent.username, "password": PASSWORD}))


@pytest.mark.django_db
def test_the_address_is_locked_whatever_the_account(client):
    for number in range(5):
        _wrong_password(client, f"inconnu{number}", address="198.51.100.7")
    agent = AgentFactory()
    refused = client.post(
        LOGIN, {"username": agent.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )
    _assert_locked_out(refused)
    # Another address still logs in.
    assert client.post(LOGIN, {"username": agent.username, "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_failed_login_is_audited_with_the_username_typed_and_the_address(client):
    long_name = "x" * 300
    _wrong_password(client, "jdupont", address="203.0.113.9")
    _wrong_password(client, long_name, address="203.0.113.9")
    first, second = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("id")
    assert first.detail == {"username": "jdupont", "ip": "203.0.113.9"}
    assert second.detail["username"] == long_name[:150]


@pytest.mark.django_db
def test_lockout_is_audited(client):
    agent = AgentFactory()
    for _ in range(5):
        _wrong_password(client, agent.username, address="203.0.113.10")
    locked = AuditEvent.objects.get(action=AuditAction.LOCKED_OUT)
    assert locked.detail == {"username": agent.username, "ip": "203.0.113.10"}
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 4


@pytest.mark.django_db
def test_forwarded_address_is_honoured_only_from_a_trusted_proxy(rf, settings):
    settings.PARCOURS_TRUSTED_PROXIES = []
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_ip(request) == "10.0.0.2"
    settings.PARCOURS_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(request) == "203.0.113.5"
    # A client cannot slip an address in front of the one the proxy saw.
    spoofed = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert client_ip(spoofed) == "203.0.113.5"
    garbage = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="pas-une-adresse")
    assert client_ip(garbage) == "10.0.0.2"


@pytest.mark.django_db
def test_login_audit_uses_the_trusted_proxy_address(client, settings):
    settings.PARCOURS_TRUSTED_PROXIES = ["10.0.0.2"]
    client.post(
        LOGIN,
        {"username": "jdupont", "password": "faux"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.5",
    )
    assert AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED).detail["ip"] == "203.0.113.5"


@pytest.mark.django_db
def test_second_factor_is_throttled_per_account_and_audited(client):
    agent = AgentFactory()
    device = TOTPDevice.objects.create(user=agent, name="app", confirmed=True)
    log_in(client, agent)
    for _ in range(4):
        device.refresh_from_db()
        device.throttling_failure_count = 0  # django-otp's own delay is tested below
        device.save()
        response = client.post(OTP, {"token": _wrong_code(device)}, REMOTE_ADDR="203.0.113.20")
        assert response.status_code == 200
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, agent=agent)
    assert failed.count() == 4
    assert failed.first().detail == {
        "username": agent.username,
        "ip": "203.0.113.20",
        "step": "second_factor",
    }

    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    _assert_locked_out(client.post(OTP, {"token": _wrong_code(device)}, REMOTE_ADDR="203.0.113.20"))
    assert AuditEvent.objects.get(action=AuditAction.LOCKED_OUT).detail["step"] == "second_factor"
    # Locked out: logged out, and the right password and code are refused for the cool-off time.
    assert "_auth_user_id" not in client.session
    _assert_locked_out(log_in(client, agent))


@pytest.mark.django_db
def test_a_new_password_login_does_not_reset_the_second_factor_count(client):
    """Whoever holds the password must not get five fresh guesses at the code each time."""
    agent = AgentFactory()
    device = TOTPDevice.objects.create(user=agent, name="app", confirmed=True)
    for _ in range(5):
        client.post(reverse("accounts:logout"))
        assert log_in(client, agent).status_code == 302
        device.refresh_from_db()
        device.throttling_failure_count = 0
        device.save()
        response = client.post(OTP, {"token": _wrong_code(device)})
    _assert_locked_out(response)
    _assert_locked_out(log_in(client, agent))


@pytest.mark.django_db
def test_django_otp_delay_still_applies(client):
    agent = AgentFactory()
    device = TOTPDevice.objects.create(user=agent, name="app", confirmed=True)
    log_in(client, agent)
    client.post(OTP, {"token": _wrong_code(device)})
    response = client.post(OTP, {"token": current_code(device)})
    assert "Trop d&#x27;essais infructueux" in response.content.decode()


@pytest.mark.django_db
def test_passing_both_factors_clears_the_failures(client):
    agent = AgentFactory()
    device = TOTPDevice.objects.create(user=agent, name="app", confirmed=True)
    for _ in range(4):
        _wrong_password(client, agent.username)
    log_in(client, agent)
    client.post(OTP, {"token": current_code(device)})
    assert client.get(reverse("core:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        _wrong_password(client, agent.username)
    assert log_in(client, agent).status_code == 302
