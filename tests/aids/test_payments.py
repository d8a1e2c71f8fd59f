"""Payments of accorded aids: the schedule (one-off, monthly), the yearly certificate that
suspends and resumes a monthly aid, batches paid on the envelope, recoveries of undue payments."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.aids import event_kinds, payments, tasks, workflows
from parcours.aids.models import (
    AidEvent,
    AmountKind,
    ApplicationDocument,
    ApplicationState,
    BatchState,
    DocumentStatus,
    PaymentState,
    RecoveryState,
)
from parcours.core.dates import add_months
from tests.aids.factories import EnvelopeFactory, SchemeVersionFactory, deposited, instructor

pytestmark = pytest.mark.django_db

IBAN = "FR7630006000011234567890189"
CERTIFICATE = "certificat_scolarite"


def granted(version=None, amount=None, *, iban=IBAN, payee_name="Jeanne Martin", agent=None):
    """A granted application (through the workflows) with its account to credit."""
    version = version or SchemeVersionFactory()
    if not version.scheme.envelopes.exists():
        EnvelopeFactory(scheme=version.scheme, euros=Decimal("10000"))
    agent = agent or instructor()
    application = deposited(scheme=version.scheme, requested_amount=amount)
    workflows.apply(application, "start", by=agent)
    workflows.grant(application, by=agent, amount=amount)
    if iban:
        payments.set_payee(application, kind="personne", name=payee_name, iban=iban, by=agent)
    return application, agent


def student_grant(**extra):
    fields = {
        "amount_kind": AmountKind.MONTHLY, "amount": Decimal("200"), "months": 3, "certificate_code": CERTIFICATE,
        "certificate_months": 12,
        "documents": [{"code": CERTIFICATE, "label": "Certificat de scolarité", "required": False}],
    }  # fmt: skip
    return SchemeVersionFactory(**(fields | extra))


def certificate(application, *, valid_until, status=DocumentStatus.VALID):
    return ApplicationDocument.objects.create(
        application=application, code=CERTIFICATE, file="x/certificat.pdf", original_name="certificat.pdf",
        uploaded_at=timezone.now(), status=status, valid_until=valid_until,
    )  # fmt: skip


# -- schedule -------------------------------------------------------------------------------


def test_one_off_aid_is_one_payment_of_the_granted_amount_due_today():
    application, agent = granted(amount=Decimal("320"))
    scheduled = payments.start_payment(application, by=agent)
    assert [(p.amount, p.due_on) for p in scheduled] == [(Decimal("320"), timezone.localdate())]
    application.refresh_from_db()
    assert application.state == ApplicationState.PAYING
    assert AidEvent.objects.filter(application=application, kind=event_kinds.PAYMENT_STARTED).count() == 1
    with pytest.raises(ValidationError, match="Seule une aide accordée"):
        payments.start_payment(application, by=agent)


def test_one_off_aid_on_a_chosen_date():
    application, agent = granted(amount=Decimal("100"))
    day = timezone.localdate() + datetime.timedelta(days=12)
    assert payments.start_payment(application, by=agent, first_due=day)[0].due_on == day


def test_no_iban_no_payment():
    application, agent = granted(amount=Decimal("100"), iban="")
    with pytest.raises(ValidationError, match="Saisissez d'abord l'IBAN de la personne"):
        payments.start_payment(application, by=agent)
    application.refresh_from_db()
    assert application.state == ApplicationState.GRANTED and not application.payments.exists()


def test_monthly_aid_is_paid_on_the_fifth_of_each_following_month():
    application, agent = granted(student_grant())
    at = timezone.make_aware(datetime.datetime(2026, 1, 20, 10))
    scheduled = payments.start_payment(application, by=agent, at=at)
    assert [(p.sequence, p.amount, p.due_on) for p in scheduled] == [
        (1, Decimal("200"), datetime.date(2026, 2, 5)),
        (2, Decimal("200"), datetime.date(2026, 3, 5)),
        (3, Decimal("200"), datetime.date(2026, 4, 5)),
    ]


def test_monthly_aid_granted_below_the_ceiling_pays_fewer_months_the_last_with_the_remainder():
    application, agent = granted(student_grant(), amount=Decimal("500"))
    scheduled = payments.start_payment(application, by=agent)
    assert [p.amount for p in scheduled] == [Decimal("200"), Decimal("200"), Decimal("100")]
    assert sum(p.amount for p in scheduled) == application.granted_amount


# -- the yearly certificate -----------------------------------------------------------------


def test_missing_certificate_suspends_then_a_valid_one_resumes_idempotently():
    application, agent = granted(student_grant())
    payments.start_payment(application, by=agent)
    first = application.payments.get(sequence=1)
    day = first.due_on - datetime.timedelta(days=2)

    assert tasks.review_payment_certificates(day) == {"suspended": 1, "resumed": 0}
    first.refresh_from_db()
    assert first.state == PaymentState.SUSPENDED
    assert first.suspension_reason == "Certificat de scolarité de l'année manquant"
    assert tasks.review_payment_certificates(day) == {"suspended": 0, "resumed": 0}  # idempotent
    assert AidEvent.objects.filter(application=application, kind=event_kinds.PAYMENT_SUSPENDED).count() == 1
    # Later payments (beyond the horizon) are not touched yet.
    assert application.payments.get(sequence=3).state == PaymentState.SCHEDULED

    certificate(application, valid_until=first.due_on - datetime.timedelta(days=1))  # expired on the due date
    certificate(application, valid_until=add_months(day, 12), status=DocumentStatus.TO_CHECK)  # not checked
    assert tasks.review_payment_certificates(day) == {"suspended": 0, "resumed": 0}

    certificate(application, valid_until=add_months(day, 12))
    assert tasks.review_payment_certificates(day) == {"suspended": 0, "resumed": 1}
    first.refresh_from_db()
    assert first.state == PaymentState.SCHEDULED and first.suspension_reason == ""
    assert AidEvent.objects.filter(application=application, kind=event_kinds.PAYMENT_RESUMED).count() == 1


def test_the_daily_task_is_scheduled():
    from parcours.core.schedules import DAILY_TASKS

    assert any(t.func == "parcours.aids.tasks.review_payment_certificates" for t in DAILY_TASKS)


# -- batches --------------------------------------------------------------------------------


def paying(amount=Decimal("250"), **kwargs):
    application, agent = granted(amount=amount, **kwargs)
    payments.start_payment(application, by=agent)
    return application, agent


def test_batch_takes_due_payments_once():
    first, agent = paying()
    second, _ = paying(Decimal("100"))
    ids = list(payments.due_payments(timezone.localdate()).values_list("pk", flat=True))
    batch = payments.prepare_batch(ids, execution_date=timezone.localdate(), by=agent)
    assert batch.reference.startswith("AIDES-") and batch.count == 2 and batch.total == Decimal("350")
    assert set(batch.payments.values_list("state", flat=True)) == {PaymentState.IN_BATCH}
    with pytest.raises(ValidationError, match="Aucun des paiements choisis"):
        payments.prepare_batch(ids, execution_date=timezone.localdate(), by=agent)


def test_cancel_a_batch_before_export_only():
    application, agent = paying()
    ids = list(application.payments.values_list("pk", flat=True))
    batch = payments.prepare_batch(ids, execution_date=timezone.localdate(), by=agent)
    assert payments.cancel_batch(batch) == 1
    assert application.payments.get().state == PaymentState.SCHEDULED
    batch = payments.prepare_batch(ids, execution_date=timezone.localdate(), by=agent)
    payments.mark_batch_exported(batch)
    with pytest.raises(ValidationError, match="déjà été exporté"):
        payments.cancel_batch(batch)


def test_paying_a_batch_consumes_the_envelope_and_closes_the_payment():
    application, agent = paying(Decimal("250"))
    envelope = application.envelope
    envelope.refresh_from_db()
    assert (envelope.committed, envelope.consumed) == (Decimal("250.00"), Decimal("0.00"))
    batch = payments.prepare_batch(
        application.payments.values_list("pk", flat=True), execution_date=timezone.localdate(), by=agent
    )
    with pytest.raises(ValidationError, match="Exportez d'abord"):
        payments.mark_batch_paid(batch, by=agent)
    payments.mark_batch_exported(batch)
    payments.mark_batch_paid(batch, by=agent)

    envelope.refresh_from_db()
    assert (envelope.committed, envelope.consumed) == (Decimal("0.00"), Decimal("250.00"))
    batch.refresh_from_db()
    assert batch.state == BatchState.PAID and batch.paid_at is not None
    payment = application.payments.get()
    assert payment.state == PaymentState.PAID and payment.paid_at is not None
    event = AidEvent.objects.get(application=application, kind=event_kinds.PAYMENT)
    assert (event.amount, event.envelope_id) == (Decimal("250.00"), envelope.pk)
    application.refresh_from_db()
    assert application.state == ApplicationState.PAID
    assert AidEvent.objects.filter(application=application, kind=event_kinds.PAID).count() == 1
    with pytest.raises(ValidationError, match="déjà marqué payé"):
        payments.mark_batch_paid(batch, by=agent)


def test_a_monthly_aid_stays_in_payment_until_its_last_month():
    application, agent = granted(student_grant(certificate_code=""))
    payments.start_payment(application, by=agent)
    first = application.payments.get(sequence=1)
    batch = payments.prepare_batch([first.pk], execution_date=timezone.localdate(), by=agent)
    payments.mark_batch_exported(batch)
    payments.mark_batch_paid(batch, by=agent)
    application.refresh_from_db()
    assert application.state == ApplicationState.PAYING
    application.envelope.refresh_from_db()
    assert application.envelope.committed == Decimal("400.00")


# -- recoveries -----------------------------------------------------------------------------


def paid(amount=Decimal("300")):
    application, agent = paying(amount)
    batch = payments.prepare_batch(
        application.payments.values_list("pk", flat=True), execution_date=timezone.localdate(), by=agent
    )
    payments.mark_batch_exported(batch)
    payments.mark_batch_paid(batch, by=agent)
    return application, agent


def test_recovery_is_at_most_what_was_paid_and_settled_once():
    application, agent = paid(Decimal("300"))
    with pytest.raises(ValidationError, match="dépasse ce qui a été payé"):
        payments.open_recovery(application, amount="300.01", reason="Formation abandonnée", by=agent)
    with pytest.raises(ValidationError, match="Précisez le motif"):
        payments.open_recovery(application, amount="10", reason=" ", by=agent)
    recovery = payments.open_recovery(application, amount="200", reason="Formation abandonnée", by=agent)
    assert AidEvent.objects.get(application=application, kind=event_kinds.RECOVERY_OPENED).amount == Decimal(
        "200"
    )
    with pytest.raises(ValidationError, match=r"n'est pas déjà réclamé \(100,00"):
        payments.open_recovery(application, amount="150", reason="Double paiement", by=agent)

    payments.settle_recovery(recovery, outcome=RecoveryState.WAIVED, by=agent)
    recovery.refresh_from_db()
    assert recovery.state == RecoveryState.WAIVED and recovery.settled_at is not None
    assert AidEvent.objects.get(application=application, kind=event_kinds.RECOVERY_SETTLED).amount == Decimal(
        "0"
    )
    with pytest.raises(ValidationError, match="déjà soldé"):
        payments.settle_recovery(recovery, outcome=RecoveryState.RECOVERED, by=agent)
    # A waived recovery no longer counts against what may be claimed.
    assert payments.claimable(application) == Decimal("300")


def test_no_recovery_before_any_payment():
    application, agent = paying(Decimal("100"))
    with pytest.raises(ValidationError, match="dépasse ce qui a été payé"):
        payments.open_recovery(application, amount="10", reason="Erreur", by=agent)


# -- payee ----------------------------------------------------------------------------------


def test_invalid_iban_is_refused_and_nothing_saved():
    application, agent = granted(amount=Decimal("100"), iban="")
    with pytest.raises(ValidationError, match="la clé de contrôle ne correspond pas"):
        payments.set_payee(application, kind="personne", name="Jeanne", iban=IBAN[:-1] + "8", by=agent)
    application.refresh_from_db()
    assert application.iban == ""


def test_filing_agent_enters_the_iban_before_the_decision_only():
    application = deposited(requested_amount=Decimal("100"))
    filer = application.filed_by
    payments.set_payee(application, kind="tiers", name="Auto-école du Centre", iban=IBAN, by=filer)
    application.refresh_from_db()
    assert (application.payee_kind, application.iban, application.bic) == ("tiers", IBAN, "AGRIFRPPXXX")
    agent = instructor()
    workflows.apply(application, "start", by=agent)
    workflows.grant(application, by=agent)
    assert not payments.may_edit_payee(filer, application)
    with pytest.raises(ValidationError, match="seul le service payeur"):
        payments.set_payee(application, kind="personne", name="X", iban=IBAN, by=filer)
    assert payments.may_edit_payee(agent, application)


def test_checking_a_valid_certificate_resumes_the_suspended_payments_at_once():
    from parcours.aids import documents

    application, agent = granted(student_grant())
    payments.start_payment(application, by=agent)
    first = application.payments.get(sequence=1)
    day = first.due_on - datetime.timedelta(days=2)
    tasks.review_payment_certificates(day)
    first.refresh_from_db()
    assert first.state == PaymentState.SUSPENDED

    document = certificate(application, valid_until=add_months(day, 12), status=DocumentStatus.TO_CHECK)
    documents.check(document, by=agent, valid=True)
    first.refresh_from_db()
    assert first.state == PaymentState.SCHEDULED
