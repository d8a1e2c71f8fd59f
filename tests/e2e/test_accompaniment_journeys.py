"""Coaching « Réussir sans attendre » in a real browser (issue #13): a coach enrolls a person
oriented to coaching, logs contacts in two weeks, proposes them to an offer of the job platform
(the proposal shows as a contact), the employer hires them, and the manager's dashboard counts
them in "job or training within 3 months"; and the caseload puts first who had no contact this week."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parcours.accompaniment.cadence import monday_of
from parcours.accompaniment.models import Accompaniment, Contact
from parcours.jobs.models import Application, ApplicationState, RomeAppellation, RomeCode
from parcours.jobs.rome import load_reference
from parcours.people import event_kinds as ev
from tests.accompaniment.factories import AccompanimentFactory, ContactFactory, person_event
from tests.accounts.factories import AgentFactory
from tests.e2e.conftest import open_menu
from tests.e2e.test_journeys import log_in
from tests.jobs.factories import AIDE_A_DOMICILE, OfferFactory, ProfileFactory, employer_account
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coach(territory, settings):
    settings.PARCOURS_DEMO = True  # no second factor for the demo accounts
    return AgentFactory(
        username="demo-coach",
        first_name="Claire",
        role="coach_emploi",
        units=[territory["lille"]],
        otp_exempt=True,
    )


def test_a_coached_person_hired_counts_in_the_dashboard(page, coach, territory, screenshot):
    if not RomeAppellation.objects.exists():
        load_reference(RomeCode, RomeAppellation)
    today = timezone.localdate()
    started = today - datetime.timedelta(days=8)  # last week or earlier: two weeks of contacts
    person = PersonFactory(last_name="Aubert", first_names="Lou", commune=territory["commune_lille"])
    person_event(person, ev.APPOINTMENT_HONOURED, today - datetime.timedelta(days=30))
    person_event(
        person,
        ev.ORIENTATION_DECIDED,
        today - datetime.timedelta(days=30),
        orientation="professionnelle",
        organism="mdie_coaching",
    )
    ProfileFactory(person=person, targets=[AIDE_A_DOMICILE])
    offer = OfferFactory(
        commune=territory["commune_lille"], title="Aide à domicile de jour", start_date=today
    )

    # The coach enrolls the person from their page.
    log_in(page, "demo-coach")
    page.goto(f"/personnes/{person.pk}/")
    page.get_by_role("link", name="Proposer le coaching").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposer un accompagnement")
    expect(page.get_by_label("Programme")).to_have_value("coaching")
    page.get_by_label("Date de début").fill(started.isoformat())
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator("#start-confirmation")).to_contain_text(f"Début le {started:%d/%m/%Y}")
    screenshot("accompaniment-start-confirmation")
    page.get_by_role("button", name="Confirmer l'entrée en accompagnement").click()
    expect(
        page.get_by_text("L'accompagnement « Coaching MDIE « Réussir sans attendre » » commence.")
    ).to_be_visible()
    accompaniment = Accompaniment.objects.get(person=person)

    # Two contacts in two different weeks, the dates typed; the tracker refreshes in place (htmx).
    for day, mode, note in [
        (started, "entretien", "Entretien de démarrage"),
        (today, "telephone", "Point d'étape"),
    ]:
        page.get_by_label("Date du contact").fill(day.isoformat())
        page.get_by_label("Nature").select_option(mode)
        page.get_by_label("Commentaire").fill(note)
        page.get_by_role("button", name="Enregistrer le contact").click()
        expect(page.locator("#contacts")).to_contain_text(note)
    expect(page.locator("#cadence tbody tr").first).to_contain_text("Avec contact")
    assert {monday_of(c.on) for c in Contact.objects.filter(accompaniment=accompaniment)} == {
        monday_of(started),
        monday_of(today),
    }
    screenshot("accompaniment-cadence")

    # The coach proposes the person to an offer of the job platform (its existing screens).
    page.goto(f"/personnes/{person.pk}/")
    page.get_by_role("link", name="Profil emploi").first.click()
    page.get_by_role("link", name="Offres correspondantes").click()
    page.get_by_role("button", name="Présélectionner").first.click()
    expect(page.locator("#application-state")).to_have_text("Présélectionnée")
    page.get_by_role("button", name="Proposer à l'employeur").click()
    expect(page.locator("#application-state")).to_have_text("Proposée à l'employeur")
    page.goto(f"/accompagnements/{accompaniment.pk}/")
    expect(page.locator("#contacts")).to_contain_text("Mise en relation avec un employeur")
    expect(
        page.locator("#contacts").get_by_role(
            "link", name="proposition à l'offre « Aide à domicile de jour »"
        )
    ).to_be_visible()

    # The employer hires through their portal.
    account = employer_account(offer.employer, departement=territory["lille"].departement)
    account.username, account.otp_exempt = "demo-employeur", True
    account.save(update_fields=["username", "otp_exempt"])
    page.context.clear_cookies()
    log_in(page, "demo-employeur")
    page.goto("/emploi/portail/")
    pseudonym = person.candidate_profile.pseudonym
    page.locator("#portal-proposals").get_by_role("link", name=pseudonym).click()
    page.get_by_label("Date et heure de l'entretien").fill(
        f"{today + datetime.timedelta(days=1):%Y-%m-%d}T10:30"
    )
    page.get_by_role("button", name="Fixer un entretien").click()
    page.get_by_role("button", name="Recruter").click()
    expect(page.locator("#proposal-state")).to_have_text("Recrutée")
    assert Application.objects.get(person=person).state == ApplicationState.HIRED

    # The manager's dashboard counts the person in "job or training within 3 months".
    AgentFactory(username="demo-manager", role="manager", units=[territory["lille"]], otp_exempt=True)
    page.context.clear_cookies()
    log_in(page, "demo-manager")
    page.goto(f"/indicateurs/?du={(today - datetime.timedelta(days=30)).isoformat()}&au={today.isoformat()}")
    figure = page.locator("td[data-key='coaching.job_or_training_within_3_months']")
    expect(figure).to_have_text("1")
    expect(page.locator("td[data-key='coaching.entries']")).to_have_text("1")
    screenshot("accompaniment-dashboard")


def test_the_caseload_lists_first_who_had_no_contact_this_week(page, coach, territory, screenshot):
    today = timezone.localdate()
    commune = territory["commune_lille"]
    started = today - datetime.timedelta(days=30)
    contacted = AccompanimentFactory(
        person=PersonFactory(last_name="Contacte", first_names="Ada", commune=commune),
        referent=coach,
        started_on=started,
    )
    ContactFactory(accompaniment=contacted, on=today)
    AccompanimentFactory(
        person=PersonFactory(last_name="Oublie", first_names="Noe", commune=commune),
        referent=coach,
        started_on=started,
    )

    log_in(page, "demo-coach")
    open_menu(page, "Accompagnements")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accompagnements")
    rows = page.locator("#caseload tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Noe OUBLIE")
    expect(rows.first).to_contain_text("Pas encore de contact cette semaine")
    expect(rows.last).to_contain_text("Ada CONTACTE")
    screenshot("accompaniment-caseload")
    page.locator("label[for=sans_contact]").click()  # DSFR draws the box over the input
    expect(page).to_have_url(re.compile(r"sans_contact=1"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Noe OUBLIE")
