"""Paying aids in a real browser: an instructor enters the account to credit of a granted aid
(IBAN checked), puts two granted aids in payment, prepares a batch from the payments page,
downloads the SEPA credit transfer (validated here against the pain.001.001.03 schema, its sum
equal to the batch's) and marks the batch paid after confirmation: the envelope's commitment is
consumed and both applications are « payée »."""

from decimal import Decimal

import pytest
from lxml import etree
from playwright.sync_api import expect

from parcours.accounts.models import Role
from parcours.aids import payments, sepa, workflows
from parcours.aids.models import AidApplication, ApplicationState, BatchState, PaymentBatch
from tests.accounts.factories import AgentFactory
from tests.aids.factories import EnvelopeFactory, SchemeVersionFactory, deposited
from tests.e2e.conftest import log_in_with_second_factor, open_menu
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IBAN = "FR7630006000011234567890189"


def test_an_instructor_pays_a_batch_through_sepa(page, territory, settings, screenshot):
    settings.PARCOURS_SEPA_DEBTOR_NAME = "Département du Nord"
    settings.PARCOURS_SEPA_DEBTOR_IBAN = "FR7630001007941234567890185"
    settings.PARCOURS_SEPA_DEBTOR_BIC = "BDFEFRPPCCT"
    agent = AgentFactory(username="payeuse", first_name="Paule", role=Role.INSTRUCTEUR_AIDES)
    version = SchemeVersionFactory(amount=Decimal("500"), scheme__name="Activ'Emploi mobilité")
    envelope = EnvelopeFactory(scheme=version.scheme, euros=Decimal("5000"))
    applications = []
    for index, amount in enumerate(("320", "149.50")):
        person = PersonFactory(commune=territory["commune_lille"], last_name=f"Bénéficiaire{index}")
        application = deposited(person=person, scheme=version.scheme, requested_amount=Decimal(amount))
        workflows.apply(application, "start", by=agent)
        applications.append(workflows.grant(application, by=agent))
    with_account, without_account = applications
    payments.set_payee(with_account, kind="personne", name="Jeanne Martin", iban=IBAN, by=agent)

    log_in_with_second_factor(page, agent)
    # The second one has no account yet: entered in the browser, a typo first.
    page.goto(f"/aides/demandes/{without_account.pk}/")
    expect(page.locator("#payee-summary")).to_contain_text("Compte à créditer non saisi")
    page.locator("#edit-payee").click()
    page.get_by_text("Un tiers (auto-école, bailleur, fournisseur…)").click()
    page.get_by_label("Titulaire du compte").fill("Auto-école du Centre")
    page.locator("#id_iban").fill("FR76 3000 6000 0112 3456 7890 188")
    page.get_by_role("button", name="Enregistrer le compte").click()
    expect(page.locator("#form-errors")).to_contain_text("la clé de contrôle ne correspond pas")
    page.locator("#id_iban").fill("FR76 3000 6000 0112 3456 7890 189")
    page.get_by_role("button", name="Enregistrer le compte").click()
    expect(page.locator("#masked-iban")).to_have_text("FR76 •••• •••• •••• •••• •••• 189")
    expect(page.locator("body")).not_to_contain_text("3456 7890")

    for application in applications:
        page.goto(f"/aides/demandes/{application.pk}/")
        page.locator("#payment-screen").click()
        expect(page.locator("#full-iban")).to_have_text("FR76 3000 6000 0112 3456 7890 189")
        page.locator("#start-payment").click()
        expect(page.locator("#application-state")).to_have_text("Mise en paiement")

    open_menu(page, "Paiements")
    expect(page.locator("#due-payments tbody tr")).to_have_count(2)
    page.locator("#prepare-batch").click()
    expect(page.locator("#batch-summary")).to_contain_text("2 virements, total 469,50 €")
    screenshot("aids-payment-batch")

    with page.expect_download() as download_info:
        page.locator("#download-sepa").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xml")
    with open(download.path(), "rb") as xml:
        document = etree.fromstring(xml.read())
    assert sepa.schema("pain.001.001.03").validate(document), sepa.schema().error_log
    assert document.findtext(".//{*}GrpHdr/{*}CtrlSum") == "469.50"
    assert document.findtext(".//{*}GrpHdr/{*}NbOfTxs") == "2"

    page.reload()
    page.locator("#pay-batch").click()
    expect(page.get_by_text("La banque a-t-elle exécuté ce virement ?")).to_be_visible()
    page.locator("label[for=id_confirm]").click()  # the DSFR checkbox is drawn by its label
    page.locator("#confirm-button").click()
    expect(page.locator("#batch-summary")).to_contain_text("Payé")

    batch = PaymentBatch.objects.get()
    assert batch.state == BatchState.PAID
    envelope.refresh_from_db()
    assert (envelope.committed, envelope.consumed) == (Decimal("0.00"), Decimal("469.50"))
    assert set(AidApplication.objects.values_list("state", flat=True)) == {ApplicationState.PAID}
