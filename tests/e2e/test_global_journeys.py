"""The accompagnement global in a real browser (issue #13): a département social worker starts a
pair with a France Travail adviser (a colleague of her own organisation is refused with the
message), fills the joint diagnosis (housing and mobility barriers), writes an objective with an
action owned by the adviser; the adviser finds the person in their caseload and marks the action
done; the administrator sets the year's target and sees 1 person counted against it."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parcours.accompaniment.models import Accompaniment, Programme
from parcours.accompaniment.plans import Action, ActionStatus, Diagnosis, DiagnosisStatus
from parcours.accounts.models import OrganisationKind
from parcours.people import event_kinds as ev
from parcours.reception.needs_loader import load_needs
from tests.accompaniment.factories import person_event
from tests.accounts.factories import AgentFactory, OrganisationFactory
from tests.e2e.conftest import open_menu
from tests.e2e.test_journeys import log_in
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agents(territory, settings):
    settings.PARCOURS_DEMO = True  # no second factor for the demo accounts
    departement = territory["lille"].departement
    cd = OrganisationFactory(
        name="Département du Nord", kind=OrganisationKind.DEPARTEMENT, departement=departement
    )
    ft = OrganisationFactory(
        name="France Travail Lille", kind=OrganisationKind.FRANCE_TRAVAIL, departement=departement
    )
    common = {"units": [territory["lille"]], "otp_exempt": True}
    return {
        "social": AgentFactory(
            username="demo-social",
            first_name="Sophie",
            last_name="Social",
            role="referent",
            organisation=cd,
            **common,
        ),
        "colleague": AgentFactory(
            username="demo-collegue",
            first_name="Camille",
            last_name="Collègue",
            role="referent",
            organisation=cd,
            **common,
        ),
        "adviser": AgentFactory(
            username="demo-conseiller",
            first_name="Karim",
            last_name="Conseiller",
            role="referent",
            organisation=ft,
            units=[],
            otp_exempt=True,
        ),
        "admin": AgentFactory(
            username="demo-admin", first_name="Alice", role="administrateur", otp_exempt=True
        ),
    }


def _theme(page, code: str):
    return page.locator(f"#theme-{code}")


def test_a_pair_diagnoses_plans_and_counts_against_the_target(page, agents, territory, screenshot):
    load_needs()  # transactional tests flush the rows the data migration loaded
    today = timezone.localdate()
    person = PersonFactory(last_name="Aubert", first_names="Lou", commune=territory["commune_lille"])
    person_event(person, ev.APPOINTMENT_HONOURED, today - datetime.timedelta(days=20))

    # The social worker starts the pair from the person's page; her colleague is refused.
    log_in(page, "demo-social")
    page.goto(f"/personnes/{person.pk}/")
    page.get_by_role("link", name="Accompagnement global en binôme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accompagnement global en binôme")
    page.get_by_label("Second référent").select_option(label="Camille Collègue — Référent de parcours")
    page.get_by_role("button", name="Commencer l'accompagnement global").click()
    expect(page.get_by_role("alert")).to_contain_text("deux organisations différentes")
    screenshot("global-pair-refused")
    page.get_by_label("Second référent").select_option(label="Karim Conseiller — Référent de parcours")
    page.get_by_role("button", name="Commencer l'accompagnement global").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accompagnement global de Lou AUBERT")
    expect(page.locator("#pair-referents")).to_contain_text("France Travail Lille")
    accompaniment = Accompaniment.objects.get(person=person, programme=Programme.GLOBAL)

    # The joint diagnosis: housing and mobility are barriers, the other freins are assessed too.
    page.get_by_role("link", name="Faire le diagnostic").click()
    for fieldset in page.locator("fieldset[id^=theme-]").all()[:6]:
        fieldset.get_by_label("Niveau").select_option(label="Aucun frein")
    _theme(page, "logement").get_by_label("Niveau").select_option(label="Frein important")
    _theme(page, "logement").get_by_label("Commentaire").fill("Hébergée chez un tiers depuis six mois")
    _theme(page, "mobilite").get_by_label("Niveau").select_option(label="Frein léger")
    housing_need = _theme(page, "logement").get_by_label("Besoin repéré")
    housing_need.select_option(index=1)
    screenshot("global-diagnosis-form")
    page.get_by_role("button", name="Valider le diagnostic").click()
    expect(page.locator("#diagnosis-status")).to_have_text("Validé")
    expect(page.locator("#diagnosis-table")).to_contain_text("Frein important")
    expect(page.locator("#diagnosis-table")).to_contain_text("Hébergée chez un tiers")
    diagnosis = Diagnosis.objects.get(accompaniment=accompaniment)
    assert diagnosis.status == DiagnosisStatus.VALIDATED
    assert diagnosis.items.get(theme__code="mobilite").level == "leger"

    # The shared plan: an objective, an action owned by the adviser.
    page.locator("summary", has_text="Ajouter un objectif").click()
    page.get_by_label("Objectif").fill("Trouver un logement stable")
    page.get_by_role("button", name="Ajouter l'objectif").click()
    page.locator("summary", has_text="Ajouter une action à cet objectif").click()
    page.locator("input[name$='-title']").fill("Inscrire la demande de logement social")
    page.locator("input[name$='-due_on']").fill((today + datetime.timedelta(days=10)).isoformat())
    page.locator("select[name$='-owner']").select_option(label="Karim Conseiller (France Travail Lille)")
    page.get_by_role("button", name="Ajouter l'action").click()
    expect(page.locator("[id^=action-]").first).to_contain_text("Porteur : Karim Conseiller")
    screenshot("global-plan")
    page.context.clear_cookies()

    # The adviser finds the person in their caseload, then marks the action done (htmx).
    log_in(page, "demo-conseiller")
    page.goto("/accompagnements/")
    expect(page.get_by_text("AUBERT").first).to_be_visible()
    open_menu(page, "Mes actions")
    page.get_by_role("link", name="Inscrire la demande de logement social").click()
    row = page.locator("[id^=action-]").first
    row.get_by_role("button", name="Marquer faite").click()
    expect(row.locator("[data-action-status]")).to_have_text("Faite")
    screenshot("global-action-done")
    action = Action.objects.get()
    assert action.status == ActionStatus.DONE and action.done_on == today
    assert action.changes.filter(by=agents["adviser"], field="état", after="Faite").exists()
    page.context.clear_cookies()

    # The administrator sets the year's target and sees the person counted against it.
    log_in(page, "demo-admin")
    page.goto("/administration/agents/")
    page.get_by_role("link", name="Cibles des programmes").click()
    page.get_by_label("Cible (nombre de personnes)").fill("40")
    page.get_by_role("button", name="Enregistrer la cible").click()
    card = page.locator(f"#target-global-{today.year}")
    expect(card).to_contain_text("1 personne")
    expect(card).to_contain_text("sur une cible de 40 (2 %)")
    screenshot("global-target")
    page.goto("/indicateurs/")
    expect(page.locator("#programme-targets")).to_contain_text("1 personne")
    expect(page.locator("#programme-targets")).to_contain_text("sur une cible de 40")
    screenshot("global-target-dashboard")
