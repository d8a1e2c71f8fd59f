"""The job platform in a real browser (issue #11): an employer-relations agent creates an
employer and an offer (the ROME appellation chosen through the autocomplete), publishes it,
works through the ranked candidates table and proposes a candidate; the employer's account
then schedules an interview and hires, and the hire is recorded as a placement."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parcours.jobs.models import (
    Application,
    ApplicationState,
    Employer,
    JobOffer,
    Placement,
    RomeAppellation,
    RomeCode,
)
from parcours.jobs.rome import load_reference
from tests.accounts.factories import AgentFactory
from tests.e2e.test_journeys import log_in
from tests.jobs.factories import AIDE_A_DOMICILE, ExperienceFactory, ProfileFactory, employer_account
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rome(db):
    """The ROME reference (a data migration; a transactional test before may have flushed it)."""
    if not RomeAppellation.objects.exists():
        load_reference(RomeCode, RomeAppellation)


@pytest.fixture
def relations_agent(territory, settings):  # noqa: F811
    settings.PARCOURS_DEMO = True  # no second factor for the demo accounts
    return AgentFactory(
        username="demo-relations",
        first_name="Rose",
        role="relations_entreprises",
        units=[territory["lille"]],
        otp_exempt=True,
    )


@pytest.fixture
def candidates(rome, territory):  # noqa: F811
    today = timezone.localdate()
    profiles = []
    for last_name, years, delay in [("Aubert", 4, 0), ("Besson", 0, 40), ("Carpentier", 1, 10)]:
        profile = ProfileFactory(
            person=PersonFactory(last_name=last_name, first_names="Lou", commune=territory["commune_lille"]),
            targets=[AIDE_A_DOMICILE],
            available_from=today + datetime.timedelta(days=delay),
        )
        if years:
            ExperienceFactory(profile=profile, rome_id="K1304", years=years)
        profiles.append(profile)
    return profiles


def test_offer_to_hire_through_the_ranked_table_and_the_employer_portal(
    page,
    relations_agent,
    candidates,
    territory,  # noqa: F811
    screenshot,
):
    log_in(page, "demo-relations")
    page.goto("/emploi/employeurs/")
    page.get_by_role("link", name="Nouvel employeur").click()
    page.get_by_label("SIRET").fill("732 829 320 00074")
    page.get_by_label("Raison sociale").fill("Aide et Domicile du Nord")
    page.get_by_label("Code NAF").fill("88.10A")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aide et Domicile du Nord")

    # The offer: the appellation is chosen among the suggestions the server sends while typing.
    page.get_by_role("link", name="Nouvelle offre").click()
    field = page.get_by_label("Métier (appellation ROME)")
    field.press_sequentially("aide domic", delay=40)
    option = page.locator("#id_appellation-suggestions option[value='Aide à domicile [10805]']")
    expect(option).to_have_count(1)
    screenshot("jobs-offer-autocomplete")
    field.fill(option.get_attribute("value"))  # what choosing the suggestion does
    page.get_by_label("Intitulé").fill("Aide à domicile — Lille centre")
    page.get_by_label("Commune").select_option(label="Lille (59350)")
    page.get_by_label("Type de contrat").select_option("cdi")
    page.get_by_label("Heures par semaine").fill("24")
    page.get_by_label("Date de début").fill((timezone.localdate() + datetime.timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Offre enregistrée.")).to_be_visible()
    offer = JobOffer.objects.get()
    assert offer.appellation_id == AIDE_A_DOMICILE and offer.employer.name == "Aide et Domicile du Nord"
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_text("Offre mise à jour.")).to_be_visible()

    # The ranked candidates: a table sorted by the server, the explanation on demand.
    page.get_by_role("link", name="Candidats classés").click()
    table = page.locator("#candidates-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator("tbody tr").first).to_contain_text("AUBERT")
    table.get_by_role("link", name="Disponible le").click()
    expect(page).to_have_url(re.compile(r"[?&]tri=disponible"))
    expect(table.locator("th[aria-sort='ascending']")).to_contain_text("Disponible le")
    expect(table.locator("tbody tr").last).to_contain_text("BESSON")
    row = table.locator("tbody tr", has_text="AUBERT")
    explanation = row.locator("details")
    expect(explanation.get_by_text("Même appellation ROME que l'offre : +40")).to_be_hidden()
    explanation.locator("summary").click()
    expect(explanation.get_by_text("Même appellation ROME que l'offre : +40")).to_be_visible()
    screenshot("jobs-ranked-table")
    row.get_by_role("button", name="Présélectionner").click()
    expect(page.locator("#application-state")).to_have_text("Présélectionnée")
    page.get_by_role("button", name="Proposer à l'employeur").click()
    expect(page.locator("#application-state")).to_have_text("Proposée à l'employeur")

    # The employer's account answers: an interview, then the hire.
    employer = Employer.objects.get()
    account = employer_account(employer, departement=territory["lille"].departement)
    account.username, account.otp_exempt = "demo-employeur", True
    account.save(update_fields=["username", "otp_exempt"])
    page.context.clear_cookies()
    log_in(page, "demo-employeur")
    page.goto("/emploi/portail/")
    proposals = page.locator("#portal-proposals")
    pseudonym = candidates[0].pseudonym
    expect(proposals).to_contain_text(pseudonym)
    expect(proposals).not_to_contain_text("AUBERT")
    proposals.get_by_role("link", name=pseudonym).click()
    page.get_by_label("Date et heure de l'entretien").fill("2027-01-05T10:30")
    page.get_by_role("button", name="Fixer un entretien").click()
    expect(page.locator("#proposal-state")).to_have_text("Entretien")
    expect(page.get_by_text("Entretien le 05/01/2027 à 10:30")).to_be_visible()
    page.get_by_role("button", name="Recruter").click()
    expect(page.locator("#proposal-state")).to_have_text("Recrutée")
    screenshot("jobs-portal-hired")

    application = Application.objects.get()
    assert application.state == ApplicationState.HIRED
    assert list(application.events.values_list("transition", flat=True)) == [
        "shortlist",
        "propose",
        "interview",
        "hire",
    ]
    placement = Placement.objects.get(application=application)
    assert placement.recorded_by == account and placement.contract_type == "cdi"
