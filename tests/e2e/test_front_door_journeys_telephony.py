"""The contact centre in a real browser: a signed telephony event pops the caller's record on the
operator's screen, and a number shared by two persons lets the operator choose."""

import importlib.util
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from parcours.reception.models import Contact, ScreenPop, TrayItem, TrayService
from parcours.reception.needs_loader import load_needs
from tests.accounts.factories import AgentFactory
from tests.e2e.test_journeys import log_in
from tests.people.factories import PersonFactory
from tests.reception.factories import StationFactory, TrayFactory, need
from tests.territory.factories import SiteFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECRET = "secret-partage-du-parcours-e2e"

_spec = importlib.util.spec_from_file_location(
    "telephony_client", Path(__file__).resolve().parents[2] / "scripts" / "telephony_client.py"
)
telephony_client = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(telephony_client)


@pytest.fixture
def front_door(territory, settings):
    settings.PARCOURS_DEMO = True
    settings.PARCOURS_TELEPHONY_SECRET = SECRET
    load_needs()  # transactional tests flush the rows the data migration loaded
    departement = territory["lille"].departement
    trays = {
        "front_desk": TrayFactory(
            departement=departement, service=TrayService.FRONT_DESK, unit=None, name="Accueil du Département"
        ),
        "crip": TrayFactory(departement=departement, crip=True, name="CRIP du Nord"),
    }
    site = SiteFactory(departement=departement, commune=territory["commune_lille"], unit=territory["lille"])
    station = StationFactory(site=site, code="cpc-03", label="Poste 3 du centre de contact")
    operator = AgentFactory(
        username="operatrice", first_name="Olga", role="accueil", units=[territory["lille"]], otp_exempt=True
    )
    return {"trays": trays, "station": station, "operator": operator}


def choose_station(page, station):
    page.goto("/premier-accueil/poste/")
    page.get_by_label("Poste").select_option(label=station.label)
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#current-station")).to_contain_text(station.label)


def test_a_signed_telephony_event_pops_the_callers_record(
    page, live_server, territory, front_door, screenshot
):
    caller = PersonFactory(
        last_name="Appelant", first_names="Jules", phone="0612345678", commune=territory["commune_lille"]
    )
    log_in(page, "operatrice")
    choose_station(page, front_door["station"])

    status, answer = telephony_client.send_call(
        live_server.url, station="cpc-03", number="+33 6 12 34 56 78", call_id="appel-1", secret=SECRET
    )
    assert status == 201, answer

    card = page.locator("#incoming-call-card")
    expect(card).to_be_visible(timeout=6_000)
    expect(card).to_contain_text("APPELANT Jules")
    screenshot("front-door-screen-pop")
    # The first person of the pop has the focus: Enter opens the contact with them.
    expect(card.get_by_role("button", name="Ouvrir : APPELANT Jules", exact=False)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#chosen-person")).to_contain_text("APPELANT Jules")
    expect(page.get_by_label("Résumé")).to_be_focused()
    page.keyboard.type("Demande d'aide pour le loyer")
    page.locator("#id_besoins-0-need").select_option(str(need("logement").pk))
    page.get_by_role("button", name="Enregistrer et orienter").click()

    expect(page.get_by_role("heading", name="Sollicitation n°", exact=False)).to_be_visible()
    contact = Contact.objects.get()
    assert (
        contact.person == caller
        and contact.station == front_door["station"]
        and contact.channel == "telephone"
    )
    assert ScreenPop.objects.get().contact == contact
    expect(page.locator("#routed-items")).to_contain_text("Accueil du Département")


def test_a_number_shared_by_two_persons_the_operator_chooses(page, territory, front_door, screenshot):
    PersonFactory(
        last_name="Martin", first_names="Anne", phone="0611223344", commune=territory["commune_lille"]
    )
    paul = PersonFactory(
        last_name="Martin", first_names="Paul", phone="06 11 22 33 44", commune=territory["commune_lille"]
    )
    log_in(page, "operatrice")
    page.goto("/premier-accueil/")
    started = time.monotonic()

    # Keyboard only: the number field has the focus; Enter looks it up.
    expect(page.get_by_label("Numéro de l'appelant")).to_be_focused()
    page.keyboard.type("06.11.22.33.44")
    page.keyboard.press("Enter")
    expect(page.locator("#several-matches")).to_contain_text("2 personnes correspondent")
    expect(page.locator("#chosen-person")).to_be_hidden()  # nothing guessed
    screenshot("front-door-two-persons-one-number")
    page.get_by_role("button", name="Choisir MARTIN Paul").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#chosen-person")).to_contain_text("MARTIN Paul")
    page.keyboard.type("Deux besoins : budget et logement")
    page.locator("#id_besoins-0-need").select_option(str(need("logement").pk))
    page.keyboard.press("Alt+B")
    expect(page.locator("#id_besoins-1-need")).to_be_focused()
    page.locator("#id_besoins-1-need").select_option(str(need("budget").pk))
    page.locator("#id_besoins-1-urgency").select_option("48h")
    page.get_by_label("Résumé").focus()
    page.keyboard.press("Control+Enter")

    expect(page.locator("#routed-items tbody tr")).to_have_count(2)
    elapsed = time.monotonic() - started
    contact = Contact.objects.get()
    assert contact.person == paul
    assert TrayItem.objects.filter(contact=contact).count() == 2
    assert elapsed < 60
    print(f"\nsollicitation à deux besoins, du numéro saisi à l'orientation : {elapsed:.1f} s")
    screenshot("front-door-contact-two-needs-routed")
