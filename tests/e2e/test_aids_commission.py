"""A commission session in a real browser: an instructor creates a session, enlists five
applications from the picker, records on one page three grants, one refusal with its reasons
and one adjournment; the session is held, the envelope's commitment equals the three grants,
the minutes and the refusal letter (which states the appeal routes) download as PDFs."""

import io
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from parcours.accounts.models import Role
from parcours.aids import workflows
from parcours.aids.models import AidApplication, ApplicationState, CommissionSession, Decider, SessionState
from tests.accounts.factories import AgentFactory
from tests.aids.factories import EnvelopeFactory, SchemeVersionFactory, deposited
from tests.e2e.conftest import log_in_with_second_factor
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

S = ApplicationState


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    with open(path, "rb") as pdf:
        content = pdf.read()
    assert content.startswith(b"%PDF")
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def test_a_commission_session_decides_five_applications(page, territory, screenshot):
    agent = AgentFactory(username="instructrice", first_name="Inès", role=Role.INSTRUCTEUR_AIDES)
    version = SchemeVersionFactory(
        decider=Decider.COMMISSION, amount=Decimal("400"), scheme__name="FDAJ projet"
    )
    envelope = EnvelopeFactory(scheme=version.scheme, euros=Decimal("5000"))
    applications = []
    for index in range(5):
        person = PersonFactory(commune=territory["commune_lille"], last_name=f"Demandeur{index}")
        application = deposited(person=person, scheme=version.scheme, requested_amount=Decimal("300"))
        applications.append(workflows.apply(application, "start", by=agent))
    granted, refused, adjourned = applications[:3], applications[3], applications[4]
    page.on("dialog", lambda dialog: dialog.accept())

    log_in_with_second_factor(page, agent)
    page.goto("/aides/commissions/")
    page.locator("#session-new").click()
    page.get_by_label("Intitulé").fill("Commission FDAJ de décembre")
    page.get_by_label("Date et heure").fill("2030-12-04T14:00")
    page.get_by_label("Lieu").fill("Hôtel du Département, salle 3")
    page.get_by_label("Présidence").fill("Mme la Vice-présidente")
    page.get_by_label("Membres présents").fill("M. Conseiller\nMme Cheffe de service")
    page.get_by_role("button", name="Créer la séance").click()
    expect(page.get_by_role("heading", name="Commission FDAJ de décembre")).to_be_visible()
    session = CommissionSession.objects.get(title="Commission FDAJ de décembre")

    for application in applications:
        page.locator(f"label[for='enlist-{application.pk}']").click()
    page.locator("#enlist-submit").click()
    expect(page.get_by_text("5 demandes inscrites à l'ordre du jour.")).to_be_visible()
    assert set(AidApplication.objects.values_list("state", flat=True)) == {S.COMMISSION}

    amounts = ["300", "250", "200"]
    for application, amount in zip(granted, amounts, strict=True):
        row = page.locator(f"#row-{application.pk}")
        row.get_by_text("Accorder", exact=True).click()
        row.get_by_label("Montant accordé (€)").fill(amount)
    row = page.locator(f"#row-{refused.pk}")
    row.get_by_text("Refuser", exact=True).click()
    row.get_by_text("Ressources supérieures au plafond").click()
    row.get_by_label("Motivation").fill("Ressources du foyer au-delà du barème.")
    row = page.locator(f"#row-{adjourned.pk}")
    row.get_by_text("Ajourner", exact=True).click()
    row.get_by_label("Motivation").fill("Le devis de l'auto-école manque.")
    screenshot("aids-commission-decisions")
    page.locator("#decisions-submit").click()

    expect(page.locator("#session-state")).to_have_text("Tenue (décisions enregistrées)")
    session.refresh_from_db()
    assert session.state == SessionState.HELD and session.decided_by == agent
    states = dict(AidApplication.objects.values_list("pk", "state"))
    assert [states[a.pk] for a in applications] == [S.GRANTED] * 3 + [S.REFUSED, S.ADJOURNED]
    table = page.locator("#session-decisions")
    for application, label in zip(applications, ["Accordée"] * 3 + ["Refusée", "Ajournée"], strict=True):
        expect(table.locator("tr", has_text=application.reference)).to_contain_text(label)
    envelope.refresh_from_db()
    assert envelope.committed == Decimal("750.00")

    with page.expect_download() as download_info:
        page.locator("#session-minutes").click()
    minutes = _pdf_text(download_info.value.path())
    assert "Commission FDAJ de décembre" in minutes and "DEMANDEUR3" in minutes and "Accordée 3" in minutes

    with page.expect_download() as download_info:
        table.locator("tr", has_text=refused.reference).get_by_role("link", name="PDF").click()
    letter = _pdf_text(download_info.value.path())
    assert "recours" in letter and "Ressources supérieures au plafond" in letter
    assert "tribunal administratif" in letter
