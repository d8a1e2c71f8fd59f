"""The catalogue in a real browser: an administrator edits the FDAJ emergency aid's ceiling while
an application is open; after a confirmation naming it, version 2 is created, and the open
application still shows version 1 and its ceiling."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from parcours.aids.models import Scheme
from tests.accounts.factories import AgentFactory
from tests.aids.factories import deposited
from tests.e2e.conftest import open_menu
from tests.e2e.test_journeys import log_in
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_administrator_versions_the_fdaj_ceiling_while_an_application_is_open(
    page, territory, settings, screenshot
):
    settings.PARCOURS_DEMO = True
    call_command("load_aid_schemes", "--with-envelopes", stdout=StringIO())
    scheme = Scheme.objects.get(code="fdaj-urgence")
    young = PersonFactory(birth_date=datetime.date(2006, 4, 2), commune=territory["commune_lille"])
    application = deposited(young, scheme, emergency=True, purpose="Nuitées d'hôtel")
    AgentFactory(username="admin-aides", first_name="Alix", role="administrateur", otp_exempt=True)

    log_in(page, "admin-aides")
    open_menu(page, "Dispositifs d'aide")
    expect(page.get_by_role("heading", name="Dispositifs d'aide")).to_be_visible()
    row = page.locator("#schemes tr[data-scheme='fdaj-urgence']")
    expect(row).to_contain_text("300,00")
    expect(row).to_contain_text("48 h calendaires")
    row.get_by_role("link", name="FDAJ — aide d'urgence").click()
    expect(page.locator("#version-1")).to_contain_text("Avoir entre 16 et 25 ans le jour de la demande")

    page.locator("#version-new").click()
    expect(page.locator("#version-plan")).to_contain_text("créeront la version 2")
    expect(page.get_by_label("Appliquer le critère « Âge »")).to_be_checked()
    page.get_by_label("Montant (€)").fill("350")
    screenshot("aids-catalogue-edit")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.locator("#version-confirm-text")).to_contain_text(
        re.compile(r"1 demande\s+\(dont 1 en cours\)\s+garde la version 1")
    )
    page.get_by_role("button", name="Créer la version 2").click()
    expect(page.locator(".fr-alert--success, .fr-notice, [role=alert]").first).to_contain_text(
        "Version 2 créée"
    )
    expect(page.locator("#version-2")).to_contain_text("jusqu'à 350,00")
    expect(page.locator("#version-1")).to_contain_text("jusqu'à 300,00")
    screenshot("aids-catalogue-versions")

    page.goto(f"/aides/demandes/{application.pk}/")
    expect(page.get_by_text("déposée sous la version 1 du dispositif")).to_be_visible()
    expect(page.locator("#application-facts")).to_contain_text(re.compile(r"plafond 300"))
    assert scheme.versions.count() == 2
