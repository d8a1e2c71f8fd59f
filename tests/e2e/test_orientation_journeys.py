"""Orientation journeys in a real browser (issue #11 items 4 and 5): a chargé d'orientation works
the worklist (sort, pages, export), records the interview and an orientation (sent twice, recorded
once) and designates a référent; the référent finds the person in their caseload, signs the
contract and asks for a reorientation."""

import csv
import datetime
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parcours.appointments.booking import book
from parcours.orientation.models import Contract, OrientationDecision, ReorientationRequest
from parcours.orientation.rules import install_default_rules
from parcours.people.models import Follow
from tests.accounts.factories import AgentFactory
from tests.appointments.factories import SlotFactory
from tests.e2e.conftest import open_menu
from tests.orientation.factories import FollowUpFactory
from tests.territory.factories import CommuneFactory, DepartementFactory, UnitFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "motdepasse-de-test-123"


@pytest.fixture
def world(settings):
    settings.PARCOURS_DEMO = True  # demo accounts skip the second factor
    departement = DepartementFactory(code="59", name="Nord")
    install_default_rules(departement)
    lille = UnitFactory(departement=departement, code="LIL", name="Direction territoriale de Lille")
    commune = CommuneFactory(departement=departement, unit=lille, name="Lille", insee_code="59350")
    opened = timezone.localdate() - datetime.timedelta(days=40)
    for number in range(55):
        FollowUpFactory(
            departement=departement,
            person__commune=commune,
            person__last_name=f"Dossier{number:02d}",
            rights_opened_on=opened,
        )
    target = FollowUpFactory(
        departement=departement,
        person__commune=commune,
        person__last_name="Martin",
        person__first_names="Alice",
        person__birth_date=datetime.date(1980, 5, 1),
        rights_opened_on=opened,
    )
    booking = book(SlotFactory(starts_at=timezone.now() + datetime.timedelta(minutes=5)), target)
    booking.slot.starts_at = timezone.now() - datetime.timedelta(minutes=30)
    booking.slot.save()
    charge = AgentFactory(
        username="charge", first_name="Chloé", role="charge_orientation", units=[lille], otp_exempt=True
    )
    referent = AgentFactory(
        username="referent", first_name="Rémi", last_name="Référent", role="referent", units=[lille],
        otp_exempt=True,
    )  # fmt: skip
    return {"target": target, "charge": charge, "referent": referent}


def log_in(page, username: str) -> None:
    page.goto("/comptes/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Bonjour")).to_be_visible()


def test_a_charge_works_the_worklist_and_a_referent_follows_up(page, browser, live_server, world, screenshot):
    target = world["target"]
    log_in(page, "charge")
    open_menu(page, "Orientation")
    page.get_by_role("link", name="En retard").click()
    expect(page.get_by_text("56 suivis")).to_be_visible()

    # Sort by name, both ways, then go to the second page.
    page.locator("thead").get_by_role("link", name="Personne").click()
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("Personne")
    expect(page.locator("tbody tr").first).to_contain_text("DOSSIER00")
    page.locator("thead").get_by_role("link", name="Personne").click()
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text("Personne")
    expect(page.locator("tbody tr").first).to_contain_text("MARTIN")
    page.get_by_role("link", name="2", exact=True).first.click()
    expect(page.locator("tbody tr")).to_have_count(6)
    expect(page.locator("tbody tr").last).to_contain_text("DOSSIER00")
    screenshot("orientation-worklist-page-2")

    # Export the whole list.
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter (CSV)").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text("utf-8-sig")), delimiter=";"))
    assert len(rows) == 57 and rows[0][0] == "Personne"

    # Filter by status, open the follow-up.
    page.get_by_label("Statut").select_option(label="RDV pris")
    expect(page.get_by_text("1 suivi", exact=True)).to_be_visible()
    page.get_by_role("link", name="Alice MARTIN").click()
    expect(page.locator("#followup-status")).to_have_text("RDV pris")
    expect(page.get_by_role("button", name="Demander une réorientation")).to_have_count(0)
    expect(page.get_by_role("button", name="Enregistrer le contrat")).to_have_count(0)

    page.locator("select[name=attendance-attendance]").select_option(label="Présent")
    page.get_by_role("button", name="Enregistrer la présence").click()
    expect(page.locator("#followup-status")).to_have_text("RDV honoré")
    expect(page.get_by_text("l'orientation est à décider")).to_be_visible()
    screenshot("orientation-followup-to-decide")

    # The orientation form sent twice (a double click, a resubmission): one decision.
    page.evaluate(
        """async () => {
            const form = document.querySelector('form[action$="/decision/"]');
            for (let i = 0; i < 2; i++) await fetch(form.action, {method: "POST", body: new FormData(form)});
        }"""
    )
    page.reload()
    expect(page.locator("#followup-status")).to_have_text("Orienté")
    assert OrientationDecision.objects.filter(followup=target).count() == 1
    expect(page.get_by_role("button", name="Enregistrer l'orientation")).to_have_count(0)

    page.get_by_label("Référent").select_option(label="Rémi Référent")
    page.get_by_role("button", name="Désigner").click()
    expect(page.get_by_text("Référent désigné.")).to_be_visible()
    assert Follow.objects.active().get(person=target.person, kind="referent").agent == world["referent"]

    # The référent, in their own browser session.
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    other = context.new_page()
    log_in(other, "referent")
    open_menu(other, "Mon portefeuille")
    expect(other.get_by_text("1 personne suivie")).to_be_visible()
    other.get_by_role("link", name="Suivi d'orientation").click()
    expect(other.get_by_role("button", name="Enregistrer l'orientation")).to_have_count(0)
    other.get_by_label("Contrat").select_option(label="Contrat d'engagements réciproques (CER)")
    other.get_by_label("Objectifs").fill("Trouver un logement stable")
    other.get_by_label("Début").fill("2026-01-05")
    other.get_by_label("Fin").fill("2026-07-04")
    other.get_by_role("button", name="Enregistrer le contrat").click()
    expect(other.get_by_text("Contrat enregistré.")).to_be_visible()
    other.get_by_label("Orientation demandée").select_option(label="Professionnelle")
    other.get_by_label("Motif").fill("Projet d'emploi dans la logistique")
    other.get_by_role("button", name="Demander une réorientation").click()
    expect(other.get_by_text("Demande de réorientation transmise.")).to_be_visible()
    expect(other.get_by_role("button", name="Demander une réorientation")).to_have_count(0)
    assert Contract.objects.filter(person=target.person).count() == 1
    assert ReorientationRequest.objects.pending().filter(person=target.person).count() == 1
    context.close()

    # The request reaches the chargé's reorientation queue, through the menu.
    open_menu(page, "Réorientations")
    expect(page.get_by_text("1 demande en attente")).to_be_visible()
    expect(page.get_by_role("cell", name="Alice MARTIN")).to_be_visible()
