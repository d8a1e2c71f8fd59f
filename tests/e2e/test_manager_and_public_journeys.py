"""In a real browser: a manager opens the indicators (on the latest year with data, charts with
their tables); a person books a time through their personal link, then cancels it, confirming."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from parcours.appointments.models import Booking, Invitation
from tests.accounts.factories import AgentFactory
from tests.appointments.factories import OpeningHoursFactory, SlotFactory
from tests.indicators.factories import entrant, event
from tests.orientation.factories import FollowUpFactory
from tests.people.factories import PersonFactory
from tests.territory.factories import CommuneFactory, DepartementFactory, SiteFactory, UnitFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "motdepasse-de-test-123"


@pytest.fixture
def lille():
    departement = DepartementFactory(code="59", name="Nord")
    unit = UnitFactory(departement=departement, code="LIL", name="Direction territoriale de Lille")
    commune = CommuneFactory(
        departement=departement, unit=unit, name="Lille", insee_code="59350", postal_codes="59000"
    )
    return {"departement": departement, "unit": unit, "commune": commune}


def test_a_manager_opens_the_indicators_on_the_latest_year_with_data(page, lille, settings, screenshot):
    settings.PARCOURS_DEMO = True  # the manager is exempt from the second factor
    for opened, received in (("2019-03-01", "2019-03-05"), ("2019-05-02", "2019-05-20")):
        person = PersonFactory(commune=lille["commune"])
        entrant(person, opened)
        event(person, "rdv.honore", received, "10:00")
    AgentFactory(username="responsable", role="manager", units=[lille["unit"]], otp_exempt=True)
    page.goto("/comptes/connexion/")
    page.get_by_label("Identifiant").fill("responsable")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.goto(reverse("indicators:dashboard"))
    expect(page.locator("#indicator-period")).to_contain_text("Du 1 janvier 2019 au 31 décembre 2019")
    chart = page.locator("#chart-entrants-month")
    expect(chart.locator("svg[role=img]")).to_be_visible()
    table = chart.get_by_role("table", name="Données du graphique « Nouveaux entrants par mois »")
    expect(table.get_by_role("row", name="mars 2019 1")).to_be_visible()
    expect(table.get_by_role("row", name="mai 2019 1")).to_be_visible()
    expect(page.get_by_text("entrants.count")).to_have_count(0)
    screenshot("indicators-latest-year")


def test_a_person_books_a_time_then_cancels_it_with_a_confirmation(page, lille, screenshot):
    site = SiteFactory(
        departement=lille["departement"],
        commune=lille["commune"],
        name="MDIE de Lille",
        address="2 rue Jean Sans Peur, 59000 Lille",
    )
    OpeningHoursFactory(site=site)
    followup = FollowUpFactory(departement=lille["departement"], person__commune=lille["commune"])
    invitation = Invitation.objects.create(
        followup=followup, person=followup.person, kind="invitation", site=site,
        expires_at=timezone.now() + datetime.timedelta(days=10),
    )  # fmt: skip
    at = (timezone.localtime() + datetime.timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    first = SlotFactory(site=site, starts_at=at)
    SlotFactory(site=site, starts_at=at, slot_type=first.slot_type)  # another agent, same time

    page.goto(reverse("booking:invitation", args=[invitation.link_token]))
    expect(page.get_by_role("heading", name="Votre rendez-vous avec le Département")).to_be_visible()
    expect(page.get_by_text("2 rue Jean Sans Peur, 59000 Lille", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Se connecter")).to_have_count(0)
    times = page.get_by_role("button", name="10:00")
    expect(times).to_have_count(1)
    screenshot("booking-times")
    times.click()
    expect(page.get_by_text("Votre rendez-vous est confirmé.")).to_be_visible()
    expect(page.locator("#current-booking")).to_contain_text("10:00")

    page.get_by_role("button", name="Annuler ce rendez-vous").click()
    expect(page.get_by_role("heading", name="Annuler votre rendez-vous ?")).to_be_visible()
    assert Booking.objects.filter(followup=followup, cancelled_at__isnull=True).exists()
    screenshot("booking-cancel-confirmation")
    page.get_by_role("button", name="Oui, annuler le rendez-vous").click()
    expect(page.get_by_text("Votre rendez-vous est annulé.")).to_be_visible()
    assert not Booking.objects.filter(followup=followup, cancelled_at__isnull=True).exists()
