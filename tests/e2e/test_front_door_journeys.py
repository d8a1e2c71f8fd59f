"""The front door in a real browser: a call with two needs is routed to two trays, a member of
one tray transfers their item, and members close both with an outcome."""

import pytest
from playwright.sync_api import expect

from parcours.reception.models import Contact, ItemState, Outcome, TrayService
from parcours.reception.needs_loader import load_needs
from tests.accounts.factories import AgentFactory
from tests.e2e.test_journeys import log_in
from tests.people.factories import PersonFactory
from tests.reception.factories import RoutingRuleFactory, TrayFactory, member, need

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def trays(territory, settings):
    settings.PARCOURS_DEMO = True
    load_needs()  # transactional tests flush the rows the data migration loaded
    lille = territory["lille"]
    departement = lille.departement
    housing = TrayFactory(
        departement=departement, unit=lille, service=TrayService.HOUSING, name="Logement Lille"
    )
    social = TrayFactory(
        departement=departement, unit=lille, service=TrayService.SOCIAL, name="Service social Lille"
    )
    TrayFactory(
        departement=departement, unit=None, service=TrayService.FRONT_DESK, name="Accueil du Département"
    )
    TrayFactory(departement=departement, crip=True, name="CRIP du Nord")
    RoutingRuleFactory(
        departement=departement,
        position=10,
        label="Logement vers le FSL de l'unité",
        theme=need("logement").situation.theme,
        tray=None,
        service=TrayService.HOUSING,
    )
    RoutingRuleFactory(
        departement=departement,
        position=20,
        label="Budget au service social",
        theme=need("budget").situation.theme,
        tray=social,
    )
    AgentFactory(username="operateur", first_name="Olga", role="accueil", units=[lille], otp_exempt=True)
    # Tray members without a unit: they reach the person only through their trays.
    member(
        housing, username="logement", first_name="Louise", last_name="Logis", role="referent", otp_exempt=True
    )
    member(
        social, username="social", first_name="Samir", last_name="Social", role="referent", otp_exempt=True
    )
    return {"housing": housing, "social": social}


def _open_item(page, tray_name: str, need_label: str):
    page.goto("/premier-accueil/bannettes/")
    page.get_by_role("link", name=tray_name).click()
    expect(page.get_by_role("heading", name=tray_name)).to_be_visible()
    page.locator("#tray-items tbody tr", has_text=need_label).get_by_role("link").click()
    expect(page.locator("#routing-explanation")).to_be_visible()


def _close(page, outcome_label: str, decision: str):
    page.get_by_role("button", name="Prendre la demande").click()
    expect(page.locator("#item-assignee")).not_to_contain_text("non attribuée")
    page.locator("summary", has_text="Clôturer la demande").click()
    page.get_by_label("Issue").select_option(label=outcome_label)
    page.get_by_label("Ce qui a été décidé").fill(decision)
    page.get_by_role("button", name="Clôturer…").click()
    page.get_by_role("button", name="Confirmer la clôture").click()
    expect(page.locator("#item-outcome")).to_contain_text(outcome_label)


def test_call_with_two_needs_routed_transferred_and_closed(
    page, browser, live_server, territory, trays, screenshot
):
    person = PersonFactory(
        last_name="Appelante", first_names="Rose", phone="06 12 34 56 78", commune=territory["commune_lille"]
    )
    housing_need, budget_need = need("logement"), need("budget")

    # The operator records the call on the contact-centre screen: the caller's number finds the person.
    log_in(page, "operateur")
    page.goto("/premier-accueil/")
    page.get_by_label("Numéro de l'appelant").fill("0612345678")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Choisir APPELANTE Rose").click()
    expect(page.locator("#chosen-person")).to_contain_text("APPELANTE Rose")
    page.get_by_label("Résumé").fill("Loyer impayé et découvert bancaire")
    page.locator("#id_besoins-0-need").select_option(str(housing_need.pk))
    page.get_by_role("button", name="Ajouter un besoin").click()
    page.locator("#id_besoins-1-need").select_option(str(budget_need.pk))
    page.get_by_role("button", name="Enregistrer et orienter").click()
    routed = page.locator("#routed-items tbody tr")
    expect(routed).to_have_count(2)
    expect(page.locator("#routed-items")).to_contain_text("Logement Lille")
    expect(page.locator("#routed-items")).to_contain_text("Service social Lille")
    screenshot("front-door-call-routed-to-two-trays")
    contact = Contact.objects.get()
    assert contact.person == person
    items = {item.tray_id: item for item in contact.items.all()}
    assert set(items) == {trays["housing"].pk, trays["social"].pk}

    # The housing tray's member sees the item, takes it and transfers it to the social service.
    housing_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    housing_page = housing_context.new_page()
    log_in(housing_page, "logement")
    _open_item(housing_page, "Logement Lille", housing_need.label)
    expect(housing_page.locator("#routing-explanation")).to_contain_text("Logement vers le FSL de l'unité")
    expect(housing_page.get_by_role("link", name="Rose APPELANTE")).to_be_visible()
    housing_page.get_by_role("button", name="Prendre la demande").click()
    expect(housing_page.locator("#item-assignee")).to_contain_text("Louise Logis")
    housing_page.locator("summary", has_text="Transmettre à une autre bannette").click()
    housing_page.get_by_label("Bannette destinataire").select_option(label="Service social Lille")
    housing_page.get_by_label("Motif de la transmission").fill("Le loyer relève de l'aide budgétaire")
    housing_page.get_by_role("button", name="Transmettre…").click()
    housing_page.get_by_role("button", name="Confirmer la transmission").click()
    expect(
        housing_page.get_by_text("Demande transmise à la bannette « Service social Lille »")
    ).to_be_visible()
    expect(housing_page.get_by_role("heading", name="Logement Lille")).to_be_visible()
    housing_context.close()
    transferred = items[trays["housing"].pk]
    transferred.refresh_from_db()
    assert transferred.tray == trays["social"] and transferred.state == ItemState.TRANSFERRED

    # The social service's member closes both items with an outcome.
    social_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    social_page = social_context.new_page()
    log_in(social_page, "social")
    social_page.goto("/premier-accueil/bannettes/")
    expect(social_page.locator("#my-trays")).to_contain_text("Service social Lille")
    _open_item(social_page, "Service social Lille", housing_need.label)
    expect(social_page.locator("#item-history")).to_contain_text("Transmise à une autre bannette")
    _close(social_page, "Orientée vers un partenaire", "Dossier FSL déposé avec la personne")
    _open_item(social_page, "Service social Lille", budget_need.label)
    _close(social_page, "Réponse apportée", "Plan d'apurement proposé")
    social_context.close()

    outcomes = sorted(contact.items.values_list("state", "outcome"))
    assert outcomes == sorted([(ItemState.CLOSED, Outcome.ORIENTED), (ItemState.CLOSED, Outcome.ANSWERED)])
