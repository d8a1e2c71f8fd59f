"""The directory of services in a real browser (issue #15): a référent searches a food-aid service
open on Saturday within 10 km of a person's commune, orients the person there with their consent,
and the structure's agent validates the orientation from « Orientations reçues »; an agent of
another structure opening that orientation gets a 404 (audited); an orientation to a service
that closed meanwhile is refused with a message."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parcours.core.models import AuditAction, AuditEvent
from parcours.directory.models import ServiceOrientation
from parcours.directory.models.orientations import OrientationState
from tests.accounts.factories import AgentFactory
from tests.directory.factories import ServiceFactory
from tests.e2e.conftest import open_menu
from tests.e2e.test_journeys import log_in
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WEEKDAYS_ONLY = "Mo-Fr 09:00-12:00"


@pytest.fixture
def directory(territory, settings):
    """Lille and Dunkerque at their real places; around Lille, a food-aid service open on
    Saturday, one closed on Saturdays, and one open on Saturday but 65 km away in Dunkerque."""
    settings.PARCOURS_DEMO = True  # no second factor for the demo accounts
    settings.PARCOURS_DEPARTEMENT = "59"
    lille, dunkerque = territory["commune_lille"], territory["commune_flandre"]
    lille.latitude, lille.longitude = 50.6311, 3.0599
    lille.save()
    dunkerque.latitude, dunkerque.longitude = 51.0343, 2.3768
    dunkerque.save()
    saturday = ServiceFactory(
        nom="Épicerie solidaire de Wazemmes",
        structure__nom="Association Les Paniers",
        structure__commune=lille,
    )
    ServiceFactory(nom="Colis du lundi au vendredi", horaires_accueil=WEEKDAYS_ONLY, structure__commune=lille)
    ServiceFactory(nom="Banque alimentaire du littoral", structure__commune=dunkerque)
    referent = AgentFactory(
        username="demo-referent",
        first_name="Rémi",
        role="referent",
        units=[territory["lille"]],
        otp_exempt=True,
    )
    structure_agent = AgentFactory(
        username="demo-paniers",
        first_name="Inès",
        role="accueil",
        organisation=saturday.structure.organisation,
        units=[],
        otp_exempt=True,
    )
    person = PersonFactory(last_name="Delattre", first_names="Sonia", commune=lille, phone="0611223344")
    return {"service": saturday, "referent": referent, "structure_agent": structure_agent, "person": person}


def test_a_referent_orients_a_person_to_a_food_aid_open_on_saturday_and_the_structure_validates(
    page, directory, screenshot
):
    person = directory["person"]
    log_in(page, "demo-referent")
    page.goto(f"/personnes/{person.pk}/")
    page.get_by_role("link", name="Orienter vers un service").click()

    # The search opens on the person's commune; the référent narrows it down.
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuaire des services")
    expect(page).to_have_url(re.compile(rf"personne={person.pk}"))
    assert "Delattre" not in page.url
    page.get_by_label("Catégorie de service").select_option("aide_alimentaire")
    page.get_by_label("Distance maximale (km, à vol d'oiseau)").fill("10")
    page.get_by_label("Ouverture").select_option(label="Ouvert le samedi")
    page.get_by_role("button", name="Rechercher").click()
    results = page.locator("#directory-results")
    expect(results).to_contain_text("Épicerie solidaire de Wazemmes")
    expect(results).not_to_contain_text("Colis du lundi au vendredi")
    expect(results).not_to_contain_text("Banque alimentaire du littoral")
    screenshot("directory-search-saturday")

    # The orientation: consent, message, confirmation.
    results.get_by_role("link", name="Orienter vers ce service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Orienter vers un service")
    page.get_by_label("La personne consent à cette orientation").check(force=True)
    page.get_by_label("Oral").check(force=True)
    page.get_by_label("Message à la structure").fill("Besoin d'un colis ; disponible le samedi matin.")
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator("#orientation-confirmation")).to_contain_text("Épicerie solidaire de Wazemmes")
    screenshot("directory-orientation-confirmation")
    page.get_by_role("button", name="Confirmer et envoyer l'orientation").click()
    expect(
        page.get_by_text("L'orientation vers « Épicerie solidaire de Wazemmes » est envoyée")
    ).to_be_visible()
    expect(page.locator("#service-orientations")).to_contain_text("Ouverte")
    orientation = ServiceOrientation.objects.get(person=person)

    # The structure's agent answers from its inbox.
    page.context.clear_cookies()
    log_in(page, "demo-paniers")
    open_menu(page, "Orientations reçues")
    expect(page.locator("#orientation-inbox")).to_contain_text("Sonia DELATTRE")
    page.get_by_role("link", name="Sonia DELATTRE").click()
    expect(page.locator("#orientation-person")).to_contain_text("0611223344")
    expect(page.locator("#orientation-message")).to_contain_text("disponible le samedi matin")
    screenshot("directory-orientation-received")
    page.get_by_role("button", name="Valider l'orientation").click()
    expect(page.locator("#answer-confirmation")).to_contain_text("Sonia DELATTRE")
    page.get_by_role("button", name="Confirmer la validation").click()
    expect(page.get_by_text(f"L'orientation n°{orientation.pk} est validée")).to_be_visible()
    orientation.refresh_from_db()
    assert orientation.state == OrientationState.VALIDATED
    assert orientation.answered_by == directory["structure_agent"]

    # The référent sees the answer on the person's page.
    page.context.clear_cookies()
    log_in(page, "demo-referent")
    page.goto(f"/personnes/{person.pk}/")
    expect(page.locator("#service-orientations")).to_contain_text("Validée")
    screenshot("directory-person-panel")


def test_another_structures_agent_gets_a_404_audited(page, directory):
    orientation = ServiceOrientation.objects.create(
        person=directory["person"],
        service=directory["service"],
        origin="referent",
        sent_by=directory["referent"],
        consent_given=True,
        consent_on=timezone.localdate(),
        consent_mode="oral",
    )
    other_service = ServiceFactory(nom="Autre épicerie")
    intruder = AgentFactory(
        username="demo-autre-structure",
        role="accueil",
        organisation=other_service.structure.organisation,
        units=[],
        otp_exempt=True,
    )
    log_in(page, "demo-autre-structure")
    response = page.goto(f"/annuaire/orientations/{orientation.pk}/")
    assert response.status == 404
    expect(page.get_by_text("DELATTRE")).to_have_count(0)
    assert AuditEvent.objects.filter(
        agent=intruder, action=AuditAction.DENIED, person=directory["person"]
    ).exists()


def test_an_orientation_to_a_service_closed_meanwhile_is_refused_with_a_message(page, directory):
    person, service = directory["person"], directory["service"]
    log_in(page, "demo-referent")
    page.goto(f"/annuaire/personnes/{person.pk}/orienter/?service={service.pk}")
    page.get_by_label("La personne consent à cette orientation").check(force=True)
    page.get_by_label("Écrit").check(force=True)
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator("#orientation-confirmation")).to_be_visible()

    service.closed_on = timezone.localdate()  # the structure closes the service meanwhile
    service.save()
    page.get_by_role("button", name="Confirmer et envoyer l'orientation").click()
    expect(page.get_by_role("alert")).to_contain_text("a fermé le")
    assert not ServiceOrientation.objects.exists()


def test_a_mobility_diagnosis_proposes_a_licence_service_and_the_referent_orients_there(
    page, directory, territory, screenshot
):
    person = directory["person"]
    ServiceFactory(
        nom="Auto-école sociale de Lille",
        thematiques=["mobilite--preparer-un-permis"],
        structure__nom="Plateforme mobilité",
        structure__commune=territory["commune_lille"],
    )
    log_in(page, "demo-referent")
    page.goto(f"/personnes/{person.pk}/")
    page.get_by_role("link", name="Diagnostic mobilité").click()
    page.get_by_label("Permis de conduire").select_option("aucun")
    page.locator("#id_vehicle").select_option("aucun")
    page.locator("input[name=means][value=transports]").check(force=True)
    page.locator("input[name=means][value=pied]").check(force=True)
    page.get_by_label("Temps de trajet accepté (minutes, aller)").fill("45")
    page.locator("input[name=fears][value=conduire]").check(force=True)
    page.get_by_role("button", name="Enregistrer le diagnostic").click()
    expect(page.get_by_text("rayon de recherche d'emploi de 8 km")).to_be_visible()
    expect(page.locator("#mobility-radius")).to_contain_text("8 km")
    screenshot("directory-mobility")
    page.get_by_role("link", name="Orienter vers ce service").first.click()
    expect(page.locator("#orientation-service")).to_contain_text("Auto-école sociale de Lille")
