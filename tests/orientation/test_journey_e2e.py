"""The orientation journey in a real browser: flux → invitation e-mail → booking through its
link → interview → orientation → the référent sees the person in their caseload."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from parcours.appointments.models import Booking
from parcours.people.models import PersonEvent
from tests.accounts.factories import AgentFactory
from tests.appointments.factories import OpeningHoursFactory, SlotFactory
from tests.people.factories import PersonFactory
from tests.territory.factories import CommuneFactory, DepartementFactory, SiteFactory, UnitFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "motdepasse-de-test-123"


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/comptes/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_from_flux_to_the_referents_caseload(page, live_server, settings, tmp_path):
    settings.PARCOURS_DEMO = True
    settings.PARCOURS_BASE_URL = live_server.url
    settings.PARCOURS_SMS_DIR = tmp_path
    settings.PARCOURS_LETTER_DIR = tmp_path
    departement = DepartementFactory(code="59", name="Nord")
    unit = UnitFactory(departement=departement, code="LIL", name="Lille")
    lille = CommuneFactory(departement=departement, unit=unit, name="Lille", latitude=50.63, longitude=3.06)
    site = SiteFactory(departement=departement, name="MDIE de Lille", commune=lille)
    charge = AgentFactory(username="charge", role="charge_orientation", units=[unit], otp_exempt=True)
    referent = AgentFactory(username="referente", role="referent", last_name="Référente", otp_exempt=True)
    OpeningHoursFactory(site=site, agent=charge)
    slot = SlotFactory(site=site, agent=charge, starts_at=timezone.now() + datetime.timedelta(days=2))
    person = PersonFactory(commune=lille, email="nouvelle@example.test", phone="", last_name="Entrante")

    # 1. The CNAF flux says the person became soumis à droits et devoirs.
    PersonEvent.objects.create(
        person=person, kind="rsa.droits_devoirs", occurred_at=timezone.now(), source="flux", data={}
    )
    call_command("send_invitations")
    link = re.search(r"http\S+/rdv/\S+/", mail.outbox[0].body).group(0)

    # 2. The person books through the link, without an account.
    page.goto(link)
    page.locator(f'button[data-slot="{slot.pk}"]').click()
    page.get_by_text("Votre rendez-vous est confirmé").wait_for()
    assert "MDIE de Lille" in page.locator("#current-booking").inner_text()

    # 3. The day of the interview comes.
    booking = Booking.objects.get(person=person)
    booking.slot.starts_at = timezone.now() - datetime.timedelta(minutes=15)
    booking.slot.save()

    # 4. The chargé d'orientation records presence, orientation and référent.
    log_in(page, "charge")
    page.goto("/orientation/?liste=retard")
    page.goto(f"/orientation/suivis/{booking.followup_id}/")
    page.locator("select[name=attendance-attendance]").select_option("honore")
    page.get_by_role("button", name="Enregistrer la présence").click()
    page.get_by_text("Présence enregistrée").wait_for()
    page.locator("select[name=decision-kind]").select_option("professionnelle")
    page.locator("select[name=decision-organism]").select_option("mdie_coaching")
    page.get_by_role("button", name="Enregistrer l'orientation").click()
    page.get_by_text("Orientation enregistrée").wait_for()
    assert page.locator("#followup-status").inner_text() == "Orienté"
    page.locator("select[name=referent-agent]").select_option(str(referent.pk))
    page.get_by_role("button", name="Désigner").click()
    page.get_by_text("Référent désigné").wait_for()

    # 5. The référent finds the person in their caseload.
    log_in(page, "referente")
    page.goto("/orientation/portefeuille/")
    assert person.full_name in page.locator("table").inner_text()
