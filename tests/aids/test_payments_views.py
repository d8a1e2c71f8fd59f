"""The payments' pages: roles, the account to credit (masked everywhere but the payment screen),
batches prepared, exported (SEPA and CSV), cancelled or paid after confirmation, recoveries."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from parcours.aids import payments, sepa, workflows
from parcours.aids.models import ApplicationState, BatchState, PaymentBatch, PaymentState, Recovery
from parcours.core.models import AuditAction, AuditEvent
from tests.accounts.factories import AgentFactory
from tests.aids.factories import deposited, instructor
from tests.aids.test_payments import IBAN, granted, paying
from tests.conftest import login_verified
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db
FULL = "FR76 3000 6000 0112 3456 7890 189"
MASKED = "FR76 •••• •••• •••• •••• •••• 189"


@pytest.fixture(autouse=True)
def debtor(settings):
    settings.PARCOURS_SEPA_DEBTOR_NAME = "Département du Nord"
    settings.PARCOURS_SEPA_DEBTOR_IBAN = "FR7630001007941234567890185"
    settings.PARCOURS_SEPA_DEBTOR_BIC = ""


def test_an_agent_who_may_not_pay_gets_403(client, two_units):
    application, _ = paying(Decimal("100"))
    batch = payments.prepare_batch(
        application.payments.values_list("pk", flat=True), execution_date=timezone.localdate(), by=None
    )
    login_verified(client, AgentFactory(role="accueil", units=[two_units["unit_a"]]))
    for url in (
        reverse("aids:payments"),
        reverse("aids:batch", args=[batch.pk]),
        reverse("aids:batch_sepa", args=[batch.pk]),
        reverse("aids:batch_csv", args=[batch.pk]),
        reverse("aids:batch_pay", args=[batch.pk]),
        reverse("aids:application_payments", args=[application.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("aids:start_payment", args=[application.pk])).status_code == 403


def test_full_iban_only_on_the_payment_screen_audited(client):
    application, agent = granted(amount=Decimal("150"))
    login_verified(client, agent)
    page = client.get(reverse("aids:application", args=[application.pk])).content.decode()
    assert MASKED in page and FULL not in page and IBAN not in page
    page = client.get(reverse("aids:payee", args=[application.pk])).content.decode()
    assert MASKED in page and IBAN not in page and FULL not in page
    page = client.get(reverse("aids:application_payments", args=[application.pk])).content.decode()
    assert FULL in page
    shown = AuditEvent.objects.filter(action=AuditAction.VIEW, person=application.person, detail__iban=True)
    assert shown.count() == 1


def test_payee_form_explains_an_invalid_iban(client):
    application, agent = granted(amount=Decimal("150"), iban="")
    login_verified(client, agent)
    url = reverse("aids:payee", args=[application.pk])
    data = {"payee_kind": "tiers", "payee_name": "Auto-école du Centre", "iban": FULL[:-1] + "8", "bic": ""}
    page = client.post(url, data).content.decode()
    assert "la clé de contrôle ne correspond pas" in page
    application.refresh_from_db()
    assert application.iban == ""
    response = client.post(url, data | {"iban": FULL})
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.payee_kind, application.iban, application.bic) == ("tiers", IBAN, "AGRIFRPPXXX")


def test_the_filing_agent_enters_the_account_before_the_decision_not_after(client, two_units):
    reception = AgentFactory(role="accueil", units=[two_units["unit_a"]])
    person = PersonFactory(commune=two_units["commune_a"])
    application = deposited(person, by=reception, requested_amount=Decimal("100"))
    login_verified(client, reception)
    url = reverse("aids:payee", args=[application.pk])
    data = {"payee_kind": "personne", "payee_name": "Jeanne Martin", "iban": FULL, "bic": ""}
    assert client.post(url, data).status_code == 302
    agent = instructor()
    workflows.apply(application, "start", by=agent)
    workflows.grant(application, by=agent)
    assert client.get(url).status_code == 403
    page = client.get(reverse("aids:application", args=[application.pk])).content.decode()
    assert MASKED in page and FULL not in page and IBAN not in page


def test_start_payment_from_the_payment_screen(client):
    application, agent = granted(amount=Decimal("150"))
    login_verified(client, agent)
    response = client.post(reverse("aids:start_payment", args=[application.pk]), {"first_due": ""})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.PAYING
    assert application.payments.get().amount == Decimal("150")


def test_batch_from_the_payments_page_then_sepa_csv_and_paid_after_confirmation(
    client, django_assert_max_num_queries
):
    first, agent = paying(Decimal("250"))
    second, _ = paying(Decimal("75.50"))
    suspended, _ = paying(Decimal("20"))
    suspended.payments.update(
        state=PaymentState.SUSPENDED, suspension_reason="Certificat de scolarité manquant"
    )
    login_verified(client, agent)
    client.get(reverse("aids:payments"))  # warm the session and the menu's caches
    with django_assert_max_num_queries(25):
        page = client.get(reverse("aids:payments")).content.decode()
    assert first.reference in page and second.reference in page
    assert "Certificat de scolarité manquant" in page

    ids = [p.pk for a in (first, second) for p in a.payments.all()]
    response = client.post(
        reverse("aids:batch_new"), {"payment": ids, "execution_date": timezone.localdate().isoformat()}
    )
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("aids:batch", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert MASKED in page and FULL not in page and IBAN not in page

    response = client.get(reverse("aids:batch_sepa", args=[batch.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xml"')
    document = etree.fromstring(response.content)
    assert sepa.schema().validate(document)
    assert document.findtext(".//{*}GrpHdr/{*}CtrlSum") == "325.50"
    batch.refresh_from_db()
    assert batch.state == BatchState.EXPORTED
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, detail__batch=batch.pk).exists()
    csv = client.get(reverse("aids:batch_csv", args=[batch.pk]))
    assert csv.status_code == 200 and "325" not in csv.content.decode("utf-8-sig").splitlines()[0]
    assert client.get(reverse("aids:batch_cancel", args=[batch.pk])).status_code == 200

    url = reverse("aids:batch_pay", args=[batch.pk])
    assert "La banque a-t-elle exécuté ce virement" in client.get(url).content.decode()
    client.post(url, {})  # not confirmed: nothing happens
    batch.refresh_from_db()
    assert batch.state == BatchState.EXPORTED
    assert client.post(url, {"confirm": "on"}).status_code == 302
    batch.refresh_from_db()
    first.refresh_from_db()
    assert batch.state == BatchState.PAID and first.state == ApplicationState.PAID


def test_cancel_a_draft_batch_after_confirmation(client):
    application, agent = paying(Decimal("80"))
    batch = payments.prepare_batch(
        application.payments.values_list("pk", flat=True), execution_date=timezone.localdate(), by=agent
    )
    login_verified(client, agent)
    response = client.post(reverse("aids:batch_cancel", args=[batch.pk]), {"confirm": "on"})
    assert response.status_code == 302 and not PaymentBatch.objects.exists()
    assert application.payments.get().state == PaymentState.SCHEDULED


def test_recovery_from_the_payment_screen_listed_on_the_payments_page(client):
    application, agent = paying(Decimal("300"))
    batch = payments.prepare_batch(
        application.payments.values_list("pk", flat=True), execution_date=timezone.localdate(), by=agent
    )
    payments.mark_batch_exported(batch)
    payments.mark_batch_paid(batch, by=agent)
    login_verified(client, agent)
    url = reverse("aids:recovery_new", args=[application.pk])
    page = client.post(url, {"amount": "400", "reason": "Formation abandonnée"}).content.decode()
    assert "dépasse ce qui a été payé" in page
    assert client.post(url, {"amount": "120", "reason": "Formation abandonnée"}).status_code == 302
    page = client.get(reverse("aids:payments")).content.decode()
    assert "Formation abandonnée" in page and application.reference in page
    recovery = Recovery.objects.get()
    client.post(reverse("aids:recovery_settle", args=[recovery.pk]), {"outcome": "recouvre"})
    recovery.refresh_from_db()
    assert recovery.state == "recouvre"


def test_suspended_payment_resumed_from_the_payment_screen_once_the_certificate_is_checked(client):
    from parcours.core.dates import add_months
    from tests.aids.test_payments import certificate, student_grant

    application, agent = granted(student_grant())
    payments.start_payment(application, by=agent)
    first = application.payments.get(sequence=1)
    first.due_on = timezone.localdate()
    first.save()
    payments.review_certificates(application.payments.filter(pk=first.pk))
    login_verified(client, agent)
    url = reverse("aids:application_payments", args=[application.pk])
    page = client.get(url).content.decode()
    assert (
        "Reprendre les paiements suspendus" in page
        and "Certificat de scolarité de l&#x27;année manquant" in page
    )
    review = reverse("aids:certificates_review", args=[application.pk])
    page = client.post(review, follow=True).content.decode()
    assert "Aucun justificatif conforme" in page
    certificate(application, valid_until=add_months(timezone.localdate(), 12))
    page = client.post(review, follow=True).content.decode()
    assert "1 paiement repris" in page
    first.refresh_from_db()
    assert first.state == PaymentState.SCHEDULED
