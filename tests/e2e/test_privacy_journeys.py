"""The person's rights and the retention reports in a real browser: an agent opens a person,
downloads the access PDF, sets a restriction of processing (after a confirmation); an
administrator reads the last retention run and the register of processing activities."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parcours.core.models import AuditAction, AuditEvent
from parcours.privacy.models import ProcessingRestriction
from parcours.privacy.tasks import run_retention
from tests.accounts.factories import AgentFactory
from tests.e2e.conftest import log_in_with_second_factor
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_agent_answers_an_access_request_then_restricts_processing(page, territory, screenshot):
    agent = AgentFactory(username="accueil", first_name="Aude", role="accueil", units=[territory["lille"]])
    person = PersonFactory(last_name="Delannoy", first_names="Martine", commune=territory["commune_lille"])
    log_in_with_second_factor(page, agent)
    expect(page.get_by_role("heading", name="Bonjour Aude")).to_be_visible()

    page.goto(f"/personnes/{person.pk}/")
    expect(page.get_by_role("heading", name="Martine DELANNOY")).to_be_visible()
    page.locator("#privacy-link").click()
    expect(page.get_by_role("heading", name="Données personnelles de Martine DELANNOY")).to_be_visible()
    with page.expect_download() as download_info:
        page.locator("#access-pdf").click()
    download = download_info.value
    assert download.suggested_filename == f"donnees-personnelles-{person.pk}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    assert AuditEvent.objects.filter(person=person, agent=agent, action=AuditAction.EXPORT).exists()

    page.get_by_text("Enregistrer une demande de limitation").click()
    page.get_by_label("Motif de la demande").fill("Conteste son adresse")
    page.get_by_role("button", name="Limiter le traitement").click()
    expect(page.get_by_text("Ce champ est obligatoire.")).to_be_visible()  # not confirmed yet
    page.get_by_label("Motif de la demande").fill("Conteste son adresse")
    page.locator("#id_confirm").check(force=True)
    page.get_by_role("button", name="Limiter le traitement").click()
    expect(page.locator("#restriction-active")).to_contain_text("Conteste son adresse")
    screenshot("privacy-restriction")
    assert ProcessingRestriction.objects.active().filter(person=person).exists()

    page.goto(f"/personnes/{person.pk}/")
    expect(page.locator("#restriction-badge")).to_be_visible()


def test_an_administrator_reads_the_last_retention_run_and_the_register(page, territory, screenshot):
    admin = AgentFactory(username="admin", first_name="Alix", role="administrateur")
    PersonFactory(last_name="Ancien", commune=territory["commune_lille"])
    run_retention(timezone.now() + datetime.timedelta(days=365 * 20))
    log_in_with_second_factor(page, admin)
    expect(page.get_by_role("heading", name="Bonjour Alix")).to_be_visible()

    page.goto("/administration/agents/")
    page.get_by_role("link", name="Conservation des données").click()
    expect(page.get_by_role("heading", name="Conservation des données")).to_be_visible()
    page.get_by_role("link", name="Voir le passage").first.click()
    expect(page.locator("#run-summary")).to_contain_text("Terminé")
    expect(page.locator("#run-categories")).to_contain_text("Identité, coordonnées et foyer")
    expect(page.locator("#run-summary")).not_to_contain_text("Ancien")
    screenshot("privacy-retention-run")

    page.get_by_role("link", name="Registre des traitements").click()
    expect(page.get_by_role("heading", name="Registre des traitements")).to_be_visible()
    expect(page.locator("#register-table")).to_contain_text("Droits au RSA")
    with page.expect_download() as download_info:
        page.locator("#register-csv").click()
    assert download_info.value.suggested_filename == "registre-des-traitements.csv"
