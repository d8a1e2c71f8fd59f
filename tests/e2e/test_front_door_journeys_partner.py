"""The front door's partners in a real browser: a CCAS agent sees only their tray and the persons of
its items (another person answers 404); a référent de parcours designated with the person's consent
from the person page."""

import pytest
from playwright.sync_api import expect

from parcours.accounts.models import OrganisationKind, Role
from parcours.reception.models import ParcoursReferent, TrayService
from parcours.reception.needs_loader import load_needs
from tests.accounts.factories import AgentFactory, OrganisationFactory
from tests.e2e.conftest import open_menu
from tests.e2e.test_journeys import log_in
from tests.people.factories import PersonFactory
from tests.reception.factories import (
    CharterSignatureFactory,
    ContactFactory,
    TrayFactory,
    TrayItemFactory,
    member,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def partner(territory, settings):
    """A CCAS that signed the charter, its tray with one item about Léa Roussel, its agent (no
    unit), and the département's tray of Lille with an item about another person."""
    settings.PARCOURS_DEMO = True
    load_needs()  # transactional tests flush the rows the data migration loaded
    departement = territory["lille"].departement
    ccas = OrganisationFactory(kind=OrganisationKind.CCAS, name="CCAS de Lille", departement=departement)
    CharterSignatureFactory(organisation=ccas)
    tray = TrayFactory(
        departement=departement,
        service=TrayService.PARTNER,
        unit=None,
        organisation=ccas,
        name="CCAS de Lille",
    )
    agent = member(
        tray, username="demo-ccas", first_name="Claire", role=Role.ACCUEIL, organisation=ccas, otp_exempt=True
    )
    person = PersonFactory(last_name="Roussel", first_names="Léa", commune=territory["commune_lille"])
    item = TrayItemFactory(tray=tray, contact=ContactFactory(person=person))
    social = TrayFactory(departement=departement, unit=territory["lille"], name="Service social de Lille")
    other = PersonFactory(last_name="Ailleurs", first_names="Marc", commune=territory["commune_lille"])
    TrayItemFactory(tray=social, contact=ContactFactory(person=other))
    return {"agent": agent, "tray": tray, "item": item, "person": person, "other": other, "ccas": ccas}


def test_a_partner_agent_sees_only_their_tray_and_its_persons(page, partner, screenshot):
    log_in(page, "demo-ccas")
    open_menu(page, "Mes bannettes")
    trays = page.locator("#my-trays")
    expect(trays).to_contain_text("CCAS de Lille")
    expect(trays).not_to_contain_text("Service social de Lille")
    screenshot("partner-trays")

    trays.get_by_role("link", name="CCAS de Lille").click()
    page.locator("#tray-items").get_by_role("link", name=f"n° {partner['item'].pk}").click()
    page.get_by_role("link", name="Léa ROUSSEL").click()
    expect(page.get_by_role("heading", name="Premier accueil")).to_be_visible()
    expect(page.locator("#reception-open-items")).to_contain_text("CCAS de Lille")
    screenshot("partner-person")

    response = page.goto(f"/personnes/{partner['other'].pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Ailleurs")


def test_designate_a_referent_de_parcours_with_consent(page, partner, territory, screenshot):
    departement = territory["lille"].departement
    cd = OrganisationFactory(
        kind=OrganisationKind.DEPARTEMENT, name="Département du Nord", departement=departement
    )
    CharterSignatureFactory(organisation=cd)
    AgentFactory(
        username="demo-referent",
        first_name="Rémi",
        role=Role.REFERENT,
        organisation=cd,
        units=[territory["lille"]],
        otp_exempt=True,
    )
    AgentFactory(
        first_name="Sabine", last_name="Coordinatrice", role=Role.REFERENT, organisation=partner["ccas"]
    )
    log_in(page, "demo-referent")
    page.goto(f"/personnes/{partner['person'].pk}/")
    page.get_by_role("link", name="Désigner le référent de parcours").click()

    page.get_by_label("Rechercher un professionnel").fill("coordi")
    # The list keeps the placeholder and the one professional matching (static/parcours/select_filter.js).
    expect(page.locator("#id_referent_agent option:not([hidden])")).to_have_count(2)
    page.get_by_label("Référent de parcours").select_option(
        label="COORDINATRICE Sabine — Référent de parcours"
    )
    page.get_by_text("Accord écrit signé").click()
    screenshot("referent-designate")
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator("#referent-confirmation")).to_contain_text("Sabine Coordinatrice")
    page.get_by_role("button", name="Confirmer la désignation").click()

    expect(page.locator("#reception-referent")).to_contain_text("Sabine Coordinatrice")
    expect(page.locator("#reception-referent")).to_contain_text("CCAS de Lille")
    screenshot("referent-on-person-page")
    referent = ParcoursReferent.objects.active().get(person=partner["person"])
    assert referent.consent_mode == "ecrit" and referent.organisation == partner["ccas"]
