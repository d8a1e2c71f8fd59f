"""A coach's main job in a real browser (issue #11): from their portfolio to a person, the
offers that fit the person's profile, and a proposal to one of them."""

import pytest
from playwright.sync_api import expect

from parcours.jobs.models import Application, RomeAppellation, RomeCode
from parcours.jobs.rome import load_reference
from parcours.people.models import Follow
from tests.accounts.factories import AgentFactory
from tests.e2e.conftest import open_menu
from tests.e2e.test_journeys import log_in
from tests.jobs.factories import AIDE_A_DOMICILE, OfferFactory, ProfileFactory
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_coach_proposes_a_person_of_their_portfolio_to_an_offer(page, territory, settings, screenshot):
    settings.PARCOURS_DEMO = True
    if not RomeAppellation.objects.exists():
        load_reference(RomeCode, RomeAppellation)
    coach = AgentFactory(
        username="demo-coach", first_name="Claire", role="coach_emploi", units=[], otp_exempt=True
    )
    person = PersonFactory(last_name="Aubert", first_names="Lou", commune=territory["commune_lille"])
    ProfileFactory(person=person, targets=[AIDE_A_DOMICILE])
    Follow.objects.create(person=person, agent=coach, kind="referent")
    offer = OfferFactory(commune=territory["commune_lille"], title="Aide à domicile de jour")

    log_in(page, "demo-coach")
    open_menu(page, "Mon portefeuille")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon portefeuille")
    page.get_by_role("link", name="Lou AUBERT").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lou AUBERT")
    page.get_by_role("link", name="Profil emploi").first.click()
    page.get_by_role("link", name="Offres correspondantes").click()
    expect(page.get_by_text("Aide à domicile de jour").first).to_be_visible()
    screenshot("coach-offers-for-a-person")
    page.get_by_role("button", name="Présélectionner").first.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Candidature")
    application = Application.objects.get(person=person)
    assert application.offer == offer and application.created_by == coach
