"""An FDAJ emergency in a real browser: a reception agent files it for a 17-year-old from the
person page, with its document; an instructor finds it at the top of the queue with its remaining
time, starts the instruction, checks the document and grants it within the 48 h service level."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from parcours.aids.models import AidApplication, ApplicationDocument, ApplicationState
from tests.accounts.factories import AgentFactory
from tests.aids.factories import EnvelopeFactory, SchemeVersionFactory, deposited
from tests.e2e.test_journeys import log_in
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def fdaj(territory, settings, tmp_path, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    settings.PARCOURS_DEMO = True
    monkeypatch.setattr(
        ApplicationDocument._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path / "aids")
    )
    version = SchemeVersionFactory(
        scheme__name="FDAJ — aide d'urgence", scheme__code="fdaj", clock="calendaire",
        rules=[{"kind": "age", "min": 16, "max": 25}], amount=Decimal("500"),
        documents=[{"code": "identite", "label": "Pièce d'identité"}],
        subsidiarity=[{"code": "fsl", "label": "Fonds de solidarité logement (FSL)"}],
        service_level_hours=240, emergency_service_level_hours=48,
    )  # fmt: skip
    EnvelopeFactory(scheme=version.scheme, euros=Decimal("5000"))
    return version


def test_fdaj_emergency_filed_by_reception_and_granted_within_48_hours(
    page, browser, live_server, territory, fdaj, tmp_path, screenshot
):
    today = datetime.date.today()
    young = PersonFactory(
        first_names="Léa", last_name="Martin", commune=territory["commune_lille"],
        birth_date=today.replace(year=today.year - 17) - datetime.timedelta(days=40),
    )  # fmt: skip
    AgentFactory(
        username="accueil", first_name="Anne", role="accueil", units=[territory["lille"]], otp_exempt=True
    )
    AgentFactory(username="instructeur", first_name="Inès", role="instructeur_aides", otp_exempt=True)
    # An ordinary application filed earlier: the emergency must pass before it in the queue.
    ordinary = deposited(
        PersonFactory(commune=territory["commune_lille"]), fdaj.scheme, requested_amount=Decimal("80")
    )

    # Reception files the emergency from the person page.
    log_in(page, "accueil")
    page.goto(f"/personnes/{young.pk}/")
    page.get_by_role("link", name="Nouvelle demande d'aide").click()
    page.get_by_role("link", name="Choisir « FDAJ — aide d'urgence »").click()
    expect(page.locator("#eligibility")).to_contain_text("La personne a 17 ans")
    page.get_by_label("Objet de la demande").fill("Coupure d'électricité imminente, facture impayée")
    page.get_by_label("Montant demandé (€)").fill("320")
    page.get_by_label("Urgence").check(force=True)
    page.get_by_label("Fonds de solidarité logement (FSL)", exact=True).select_option("refusee")
    page.get_by_label("Justification (Fonds de solidarité logement (FSL))").fill("Refus du FSL du 28/11")
    page.get_by_role("button", name="Déposer la demande").click()
    expect(page.locator("#application-state")).to_contain_text("Déposée")
    expect(page.locator("#missing-documents")).to_contain_text("Pièce d'identité")
    document = tmp_path / "carte-identite.pdf"
    document.write_bytes(PDF)
    page.get_by_label("Fichier (PDF, JPEG ou PNG)").set_input_files(str(document))
    page.get_by_role("button", name="Ajouter la pièce").click()
    expect(page.locator("#documents")).to_contain_text("carte-identite.pdf")
    screenshot("aids-emergency-filed")
    application = AidApplication.objects.get(person=young)

    # The instructor finds it at the top of the queue, with its remaining time.
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    instructor_page = context.new_page()
    log_in(instructor_page, "instructeur")
    instructor_page.goto("/aides/")
    rows = instructor_page.locator("#aid-queue tbody tr")
    expect(rows.first).to_have_attribute("data-application", str(application.pk))
    expect(rows.first.locator("[data-remaining]")).to_have_text(re.compile(r"reste 4[67] h"))
    expect(rows.nth(1)).to_have_attribute("data-application", str(ordinary.pk))
    rows.first.get_by_role("link", name=application.reference).click()
    instructor_page.get_by_role("button", name="Commencer l'instruction").click()
    expect(instructor_page.locator("#application-state")).to_contain_text("En instruction")
    instructor_page.locator("[data-check=identite]").get_by_role(
        "button", name="Conforme", exact=True
    ).click()
    expect(instructor_page.locator("#missing-documents")).to_have_count(0)
    instructor_page.locator("summary", has_text="Accorder").click()
    expect(instructor_page.get_by_label("Montant accordé (€)")).to_have_value(re.compile(r"^320"))
    instructor_page.get_by_role("button", name="Accorder l'aide").click()
    expect(instructor_page.locator("#application-state")).to_contain_text("Accordée")
    expect(instructor_page.locator("#within-service-level")).to_have_text("dans le délai")
    context.close()

    application.refresh_from_db()
    assert application.state == ApplicationState.GRANTED and application.granted_amount == Decimal("320")
    assert application.decided_at <= application.due_at
    assert application.due_at - application.deposited_at == datetime.timedelta(hours=48)
