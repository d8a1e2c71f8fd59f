"""The administrator's journey in a real browser: from the Agents tile, create an agent, reset
their second factor, deactivate them (each after a confirmation), then read the audit entries."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from parcours.accounts.models import Agent
from tests.accounts.factories import AgentFactory, OrganisationFactory
from tests.territory.factories import DepartementFactory, UnitFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "motdepasse-de-test-123"


def test_administrator_manages_an_agent_from_the_agents_tile(page, screenshot):
    departement = DepartementFactory(code="59", name="Nord")
    lille = UnitFactory(departement=departement, code="LIL", name="Direction territoriale de Lille")
    UnitFactory(departement=departement, code="FLA", name="Direction territoriale des Flandres")
    OrganisationFactory(name="Département du Nord", departement=departement)
    admin = AgentFactory(username="admin", first_name="Alix", role="administrateur")
    device = TOTPDevice.objects.create(user=admin, name="téléphone", confirmed=True)

    page.goto("/comptes/connexion/")
    page.get_by_label("Identifiant").fill("admin")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Code à 6 chiffres").fill(f"{code:06d}")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", name="Bonjour Alix")).to_be_visible()

    page.locator("#tile-agents").get_by_role("link", name="Agents").click()
    expect(page.get_by_role("heading", name="Agents", exact=True)).to_be_visible()
    page.locator("#agent-create").click()
    expect(page.get_by_role("heading", name="Nouvel agent")).to_be_visible()
    page.get_by_label("Identifiant").fill("camille.orientation")
    page.get_by_label("Prénom").fill("Camille")
    page.locator("#id_last_name").fill("Lefebvre")
    page.get_by_label("Adresse e-mail").fill("camille.lefebvre@departement.test")
    page.locator("#id_role").select_option(label="Chargé d'orientation")
    page.locator("#id_organisation").select_option(label="Département du Nord")
    page.get_by_label("Direction territoriale de Lille").check(force=True)
    page.get_by_label("Mot de passe initial").fill("un-mot-de-passe-solide-2026")
    page.get_by_label("Confirmation du mot de passe").fill("un-mot-de-passe-solide-2026")
    screenshot("administration-new-agent")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("Le compte « camille.orientation » est créé.")).to_be_visible()
    agent = Agent.objects.get(username="camille.orientation")
    assert agent.role == "charge_orientation" and list(agent.units.all()) == [lille]
    # The agent enrols an authenticator app, then loses their phone.
    TOTPDevice.objects.create(user=agent, name="ancien téléphone", confirmed=True)

    page.get_by_role("link", name="Réinitialiser le second facteur").click()
    expect(
        page.get_by_role("heading", name="Réinitialiser le second facteur de Camille Lefebvre")
    ).to_be_visible()
    page.get_by_label("Je confirme").check(force=True)
    page.get_by_role("button", name="Réinitialiser le second facteur").click()
    expect(page.get_by_text("Le second facteur est réinitialisé")).to_be_visible()
    assert not TOTPDevice.objects.filter(user=agent).exists()

    page.get_by_role("link", name="Désactiver le compte").click()
    page.get_by_role("button", name="Désactiver le compte").click()
    expect(page.get_by_text("Ce champ est obligatoire.")).to_be_visible()  # not confirmed yet
    page.get_by_label("Je confirme").check(force=True)
    page.get_by_role("button", name="Désactiver le compte").click()
    expect(page.get_by_text("Le compte est désactivé")).to_be_visible()
    expect(page.locator("#agent-state")).to_contain_text("compte désactivé")
    agent.refresh_from_db()
    assert not agent.is_active
    history = page.locator("#agent-history")
    for label in ("Création d'un agent", "Réinitialisation du second facteur", "Désactivation d'un agent"):
        expect(history).to_contain_text(label)
    screenshot("administration-agent")

    page.get_by_role("link", name="Journal d'audit complet").click()
    table = page.locator("#audit-table")
    for label in ("Création d'un agent", "Réinitialisation du second facteur", "Désactivation d'un agent"):
        expect(table.get_by_role("cell", name=label)).to_be_visible()
    screenshot("administration-audit")
