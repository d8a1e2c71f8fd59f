"""An agent's main journeys in a real browser: log in, find a person, be refused, register one."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from parcours.people.models import Person
from parcours.people.nir import nir_with_key
from tests.accounts.factories import AgentFactory
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "motdepasse-de-test-123"


@pytest.fixture
def demo_agent(territory, settings):
    """An accueil agent exempt from the second factor, the demo mode on."""
    settings.PARCOURS_DEMO = True
    return AgentFactory(
        username="demo-accueil",
        first_name="Anne",
        role="accueil",
        units=[territory["lille"]],
        otp_exempt=True,
    )


def log_in(page, username: str) -> None:
    page.goto("/comptes/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_login_with_the_totp_second_factor(page, territory, screenshot):
    agent = AgentFactory(username="referent", first_name="Rémi", role="referent", units=[territory["lille"]])
    log_in(page, "referent")

    expect(page.get_by_role("heading", name="Second facteur d'authentification")).to_be_visible()
    expect(page.locator(".parcours-qr svg")).to_be_visible()
    screenshot("otp-enrolment")
    device = TOTPDevice.objects.get(user=agent)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Code à 6 chiffres").fill(f"{code:06d}")
    page.get_by_role("button", name="Valider").click()

    expect(page.get_by_role("heading", name="Bonjour Rémi")).to_be_visible()
    assert TOTPDevice.objects.get(user=agent).confirmed


def test_demo_account_logs_in_without_second_factor(page, demo_agent, screenshot):
    page.goto("/comptes/connexion/")
    expect(page.locator("#demo-accounts")).to_be_visible()
    expect(page.get_by_role("cell", name="demo-accueil")).to_be_visible()
    screenshot("login-demo")
    log_in(page, "demo-accueil")
    expect(page.get_by_role("heading", name="Bonjour Anne")).to_be_visible()
    screenshot("home-accueil")


def test_search_a_person_by_name_and_open_them(page, demo_agent, territory, screenshot):
    person = PersonFactory(last_name="Roussel", first_names="Léa", commune=territory["commune_lille"])
    PersonFactory(last_name="Roussel", first_names="Hors", commune=territory["commune_flandre"])
    log_in(page, "demo-accueil")
    page.goto("/personnes/")
    page.get_by_label("Nom, NIR ou numéro CAF/MSA").press_sequentially("rouss", delay=30)

    results = page.locator("#results-table")
    expect(results).to_contain_text("Léa")  # filled in by htmx, without submitting
    expect(results).not_to_contain_text("Hors")
    # The text typed is posted: the address names the search by an opaque key only.
    expect(page).to_have_url(re.compile(r"/personnes/\?recherche=[\w-]+$"))
    assert "rouss" not in page.url.lower()
    screenshot("search-results")
    results.get_by_role("link", name="ROUSSEL").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Léa ROUSSEL")
    expect(page).to_have_url(re.compile(rf"/personnes/{person.pk}/$"))
    screenshot("person-detail")

    page.go_back()  # the results again, asked from the server (no copy kept in the browser)
    expect(page.locator("#results-table")).to_contain_text("Léa")
    expect(page.get_by_label("Nom, NIR ou numéro CAF/MSA")).to_have_value("rouss")


def test_person_of_another_unit_is_refused(page, demo_agent, territory, screenshot):
    other = PersonFactory(commune=territory["commune_flandre"])
    log_in(page, "demo-accueil")
    response = page.goto(f"/personnes/{other.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
    screenshot("person-404")


def test_register_a_person_fixing_an_invalid_nir(page, demo_agent, territory, screenshot):
    log_in(page, "demo-accueil")
    page.get_by_role("link", name="Enregistrer une personne").first.click()
    page.get_by_label("Sexe").select_option("F")
    page.get_by_label("Date de naissance").fill("1985-05-12")
    page.get_by_label("Nom d'usage").fill("Durand")
    page.get_by_label("Prénoms").fill("Camille")
    nir = page.get_by_label("NIR (numéro de sécurité sociale)")
    nir.fill("2 85 05 59 350 123 99")
    page.get_by_label("Code INSEE ou code postal").fill("59000")
    expect(page.locator("#commune-found")).to_contain_text("Lille")  # looked up while typing
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.locator("#id_nir-desc-error")).to_contain_text("La clé du NIR est incorrecte")
    expect(nir).to_have_attribute("aria-invalid", "true")
    screenshot("person-form-error")
    assert not Person.objects.exists()

    nir.fill(nir_with_key("2850559350123"))
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Camille DURAND")
    expect(page.get_by_text("La personne est enregistrée.")).to_be_visible()
    assert Person.objects.get().commune == territory["commune_lille"]
