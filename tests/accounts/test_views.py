import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.accounts.models import ApiToken
from parcours.core.models import AuditAction, AuditEvent
from parcours.demo.agents import DEMO_PASSWORD
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified

PASSWORD = "motdepasse-de-test-123"


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def log_in(client, agent):
    return client.post(reverse("accounts:login"), {"username": agent.username, "password": PASSWORD})


@pytest.mark.django_db
def test_login_page_is_french_and_accessible(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Connexion à Parcours" in html
    assert re.search(r"<label for=\"id_username\" class=\"fr-label\">\s*Identifiant", html)
    assert re.search(r"<label for=\"id_password\" class=\"fr-label\">\s*Mot de passe", html)
    assert 'href="#content"' in html  # skip link


@pytest.mark.django_db
def test_wrong_password_is_refused_and_audited(client):
    agent = AgentFactory()
    response = client.post(reverse("accounts:login"), {"username": agent.username, "password": "faux"})
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 1


@pytest.mark.django_db
def test_password_alone_leads_to_the_second_factor(client):
    agent = AgentFactory()
    response = log_in(client, agent)
    assert response.status_code == 302
    home = client.get(reverse("core:home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("accounts:otp"))
    assert AuditEvent.objects.filter(agent=agent, action=AuditAction.LOGIN).exists()


@pytest.mark.django_db
def test_password_alone_cannot_reach_the_api_token_page(client):
    """A token would bypass the second factor: its page needs both factors."""
    log_in(client, AgentFactory())
    response = client.get(reverse("accounts:api_tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp"))
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_enrolment_shows_a_qr_code_then_a_valid_code_confirms_the_device(client):
    agent = AgentFactory()
    log_in(client, agent)
    page = client.get(reverse("accounts:otp") + "?next=/personnes/")
    html = page.content.decode()
    assert "Première connexion" in html and "<svg" in html
    assert 'class="fr-nav__link"' not in html  # no menu before the second factor
    device = TOTPDevice.objects.get(user=agent)
    assert not device.confirmed

    response = client.post(reverse("accounts:otp"), {"token": current_code(device), "next": "/personnes/"})
    assert response.status_code == 302 and response["Location"] == "/personnes/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("core:home")).status_code == 200


@pytest.mark.django_db
def test_wrong_code_is_refused(client):
    agent = AgentFactory()
    device = TOTPDevice.objects.create(user=agent, name="app", confirmed=True)
    log_in(client, agent)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:otp"), {"token": wrong})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ce code n&#x27;est pas valide ou a expiré." in html
    assert 'aria-describedby="id_token-desc-error"' in html
    assert client.get(reverse("core:home")).status_code == 302
    assert AuditEvent.objects.filter(agent=agent, action=AuditAction.LOGIN_FAILED).exists()


@pytest.mark.django_db
def test_confirmed_device_verification(client):
    agent = AgentFactory()
    device = TOTPDevice.objects.create(user=agent, name="app", confirmed=True)
    log_in(client, agent)
    page = client.get(reverse("accounts:otp")).content.decode()
    assert "Première connexion" not in page
    client.post(reverse("accounts:otp"), {"token": current_code(device)})
    assert client.get(reverse("core:home")).status_code == 200


@pytest.mark.django_db
def test_demo_account_skips_the_second_factor_only_in_demo_mode(client, settings):
    agent = AgentFactory(otp_exempt=True)
    settings.PARCOURS_DEMO = False
    log_in(client, agent)
    assert client.get(reverse("core:home")).status_code == 302

    settings.PARCOURS_DEMO = True
    assert client.get(reverse("core:home")).status_code == 200


@pytest.mark.django_db
def test_non_exempt_agent_needs_the_second_factor_even_in_demo_mode(client, settings):
    settings.PARCOURS_DEMO = True
    agent = AgentFactory(otp_exempt=False)
    log_in(client, agent)
    assert client.get(reverse("core:home")).status_code == 302


@pytest.mark.django_db
def test_login_page_lists_demo_accounts_only_in_demo_mode(client, settings):
    AgentFactory(username="demo-accueil", otp_exempt=True, role="accueil")
    AgentFactory(username="vrai-agent", otp_exempt=False)
    settings.PARCOURS_DEMO = False
    html = client.get(reverse("accounts:login")).content.decode()
    assert "demo-accueil" not in html and DEMO_PASSWORD not in html
    settings.PARCOURS_DEMO = True
    html = client.get(reverse("accounts:login")).content.decode()
    assert "demo-accueil" in html and "Agent d&#x27;accueil" in html and DEMO_PASSWORD in html
    assert "vrai-agent" not in html


@pytest.mark.django_db
def test_logout(client):
    agent = AgentFactory()
    login_verified(client, agent)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("core:home")).status_code == 302


@pytest.mark.django_db
def test_api_token_is_shown_once_and_revocable(client):
    agent = AgentFactory()
    login_verified(client, agent)
    in_a_month = timezone.localdate() + datetime.timedelta(days=30)
    html = client.post(
        reverse("accounts:api_tokens"), {"name": "export", "scope": "lecture", "expires_on": in_a_month}
    ).content.decode()
    token = ApiToken.objects.get(agent=agent)
    assert 'id="new-token"' in html
    assert "export" in client.get(reverse("accounts:api_tokens")).content.decode()
    assert 'id="new-token"' not in client.get(reverse("accounts:api_tokens")).content.decode()
    client.post(reverse("accounts:api_tokens"), {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None
