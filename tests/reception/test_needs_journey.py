"""The administrator reads the needs referential in a real browser, from the administration menu."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from parcours.reception.models import Need
from parcours.reception.needs_loader import load_needs
from tests.accounts.factories import AgentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "motdepasse-de-test-123"


def test_administrator_reads_and_exports_the_needs_referential(page, screenshot):
    load_needs()  # transactional tests flush the rows the data migration loaded
    admin = AgentFactory(username="admin", first_name="Alix", role="administrateur")
    device = TOTPDevice.objects.create(user=admin, name="téléphone", confirmed=True)
    page.goto("/comptes/connexion/")
    page.get_by_label("Identifiant").fill("admin")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Code à 6 chiffres").fill(f"{code:06d}")
    page.get_by_role("button", name="Valider").click()

    page.goto("/administration/agents/")
    page.get_by_role("link", name="Référentiel des besoins").click()
    expect(page.get_by_role("heading", name="Référentiel des besoins", exact=True)).to_be_visible()
    themes = page.locator("#needs-themes")
    expect(themes.get_by_role("cell", name="Enfance et garde d'enfants")).to_be_visible()
    expect(themes.get_by_text("Obtenir le code ou le permis de conduire")).to_be_visible()
    expect(page.locator("#needs-list caption")).to_have_text(
        f"{Need.objects.filter(active=True).count()} besoins"
    )
    screenshot("reception-needs-referential")
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter (CSV)").click()
    assert download.value.suggested_filename.startswith("referentiel-besoins-")
