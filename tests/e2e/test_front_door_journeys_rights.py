"""Access to rights at reception in a real browser (issue #12, item 6): an accueil agent runs the
simulation for a person (answered by a real OpenFisca-France, started by the jobs' golden-test
fixture; skipped when .venv-openfisca is absent), records the rights identified, then marks the
RSA « demande engagée » from the follow-up list."""

import datetime

import pytest
from playwright.sync_api import expect

from parcours.reception import event_kinds
from parcours.reception.models import FrontDoorEvent, RightState, RightStatus
from tests.accounts.factories import AgentFactory
from tests.e2e.test_journeys import log_in
from tests.jobs.conftest import openfisca_service  # noqa: F401 (the fixture)
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def service(openfisca_service, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OPENFISCA_URL", openfisca_service)
    monkeypatch.setenv("OPENFISCA_TIMEOUT", "120")


def test_accueil_agent_identifies_rights_and_starts_the_rsa_claim(
    page, territory, settings, service, screenshot
):
    settings.PARCOURS_DEMO = True  # no second factor for the demo accounts
    AgentFactory(username="demo-accueil-droits", role="accueil", units=[territory["lille"]], otp_exempt=True)
    person = PersonFactory(
        last_name="Delattre",
        first_names="Inès",
        birth_date=datetime.date(1990, 4, 2),
        commune=territory["commune_lille"],
    )
    log_in(page, "demo-accueil-droits")

    page.goto(f"/premier-accueil/droits/personne/{person.pk}/")
    expect(page.get_by_role("heading", name="Accès aux droits", exact=True)).to_be_visible()
    expect(page.get_by_label("Code INSEE ou code postal de la commune")).to_have_value("59350")
    expect(page.get_by_label("Âge du conjoint")).to_be_hidden()  # shown for a couple only
    couple = page.locator('label[for="id_couple"]')  # DSFR: the label covers the checkbox
    couple.click()
    expect(page.get_by_label("Âge du conjoint")).to_be_visible()
    couple.click()
    expect(page.get_by_label("Âge du conjoint")).to_be_hidden()
    page.get_by_label("Situation de logement").select_option("locataire_vide")
    page.get_by_label("Loyer mensuel hors charges (€)").fill("450")
    with page.expect_navigation(timeout=120_000):  # OpenFisca takes a few seconds (more when cold)
        page.get_by_role("button", name="Estimer les droits").click(timeout=120_000)

    result = page.locator("#rights-result")
    expect(result).to_be_visible(timeout=120_000)
    expect(result.locator('tr[data-benefit="rsa"]')).to_contain_text("Droit probable")
    expect(result.locator('tr[data-benefit="css"]')).to_contain_text("Sans participation")
    expect(page.locator("#claim-rsa")).to_contain_text("CAF")
    screenshot("rights-simulation")
    page.get_by_role("button", name="Enregistrer les droits identifiés").click()

    expect(page.get_by_role("heading", name="Suivi des droits identifiés")).to_be_visible()
    rsa = RightStatus.objects.get(person=person, benefit="rsa")
    row = page.locator(f'tr[data-right="{rsa.pk}"]')
    expect(row).to_contain_text(person.full_name)
    expect(row).to_contain_text("Droit probable identifié")
    row.get_by_role("link", name="Demande engagée").click()

    expect(page.locator("#right-confirmation")).to_contain_text("Confirmez-vous")
    page.get_by_role("button", name="Confirmer : demande engagée").click()
    expect(page.locator(f'tr[data-right="{rsa.pk}"]')).to_contain_text("Demande engagée")
    screenshot("rights-followup")

    rsa.refresh_from_db()
    assert rsa.state == RightState.CLAIM_STARTED
    assert FrontDoorEvent.objects.filter(
        kind=event_kinds.RIGHT_CLAIM_STARTED, person=person, benefit="rsa"
    ).exists()
    assert FrontDoorEvent.objects.filter(kind=event_kinds.RIGHT_IDENTIFIED, person=person).count() >= 2
