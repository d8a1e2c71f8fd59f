"""Paying accorded aids: the payee's bank details, the schedule of payments, the yearly
certificate that suspends a monthly aid, payment batches and the recovery of undue payments.

- `set_payee(application, kind, name, iban, bic, by)`: the account to credit (IBAN checked by
  `aids.iban`). Who may change it: an agent who may pay aids, at any state before the aid is
  paid; the agent who filed the request, only while it is not yet decided (the bank details are
  collected with the person at filing; once decided, only the payment office changes an
  account: a late change of IBAN is the classic diversion of a public payment).
- `start_payment(application, by, at, first_due)`: schedules the payments of a granted aid and
  moves it to « mise en paiement ». A one-off aid: one payment of the granted amount, due on
  `first_due` (default today). A monthly aid: `version.amount` a month, due on the 5th of each
  month from the next month; when less than the ceiling was granted the monthly amount stays the
  rate and the grant pays fewer months, the last one carrying the remainder (granted 500 € of a
  3 × 200 € grant: 200 €, 200 €, 100 €). The payments always sum to the granted amount.
- `review_certificates(payments, at)`: a monthly aid with a periodic certificate
  (`version.certificate_code`) is suspended when no conforming certificate is valid on the
  payment's due date, resumed when one is (idempotent; run daily by `aids.tasks`).
- `prepare_batch`, `cancel_batch`, `mark_batch_exported`, `mark_batch_paid`: a batch gathers
  scheduled payments (state « en lot », a conditional UPDATE so that two agents cannot put the
  same payment in two batches); paying a batch consumes each payment on its envelope (committed →
  consumed) with an `aide.paiement` event, and an application whose payments are all paid
  becomes « payée ».
- `open_recovery`, `settle_recovery`: an undue payment (at most what was paid and not already
  claimed) to recover, then recovered or waived (remise gracieuse). The money recovered is a
  revenue of the département: it does not return to the envelope.

Every function runs in one transaction, writes its `AidEvent`s through `workflows.event` and
audits the person; errors are `ValidationError`s in French.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from parcours.aids import envelopes, event_kinds, workflows
from parcours.aids.iban import validate_bic, validate_iban
from parcours.aids.models import (
    AidApplication,
    AmountKind,
    ApplicationState,
    BatchState,
    DocumentStatus,
    PayeeKind,
    Payment,
    PaymentBatch,
    PaymentState,
    Recovery,
    RecoveryState,
)
from parcours.aids.money import euros
from parcours.core import audit
from parcours.core.dates import add_months
from parcours.core.french import plural

S = ApplicationState
MONTHLY_DUE_DAY = 5
# A monthly payment is checked for its certificate this many days before it falls due.
CERTIFICATE_HORIZON_DAYS = 10
MISSING_CERTIFICATE = "Certificat de scolarité de l'année manquant"
# Before the decision, the filing agent may still enter the bank details.
UNDECIDED = (S.DRAFT, S.SUBMITTED, S.INSTRUCTION, S.MISSING_DOCUMENTS, S.COMMISSION, S.ADJOURNED)
# Once paid (or refused, cancelled…), nobody changes them any more.
PAYEE_EDITABLE = (*UNDECIDED, S.GRANTED, S.PAYING)


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


def _audit(by, application: AidApplication, what: str, request=None) -> None:
    if by is not None and getattr(by, "is_authenticated", False):
        audit.record_changes(by, application.person, [f"aide:{what}"], request=request)


# -- payee ----------------------------------------------------------------------------------


def may_edit_payee(agent, application: AidApplication) -> bool:
    """Whether `agent` may enter or change the account to credit (see the module docstring)."""
    if application.state not in PAYEE_EDITABLE:
        return False
    if agent.may_pay_aids:
        return True
    return application.filed_by_id == agent.pk and application.state in UNDECIDED


@transaction.atomic
def set_payee(
    application: AidApplication, *, kind: str, name: str, iban: str, bic: str = "", by, request=None
) -> AidApplication:
    """Record the account to credit: the IBAN checked (checksum), the BIC typed or derived."""
    if not may_edit_payee(by, application):
        raise ValidationError(
            "Vous ne pouvez plus modifier le compte à créditer : après la décision, seul le service payeur le peut."
        )
    if kind not in PayeeKind.values:
        raise ValidationError("Choisissez qui reçoit le paiement : la personne ou un tiers.")
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Saisissez le nom du titulaire du compte.")
    compact = validate_iban(iban)
    application.payee_kind, application.payee_name = kind, name[:140]
    application.iban, application.bic = compact, validate_bic(bic, compact)
    application.save(update_fields=["payee_kind", "payee_name", "iban", "bic", "updated_at"])
    _audit(by, application, "compte_a_crediter", request)
    return application


# -- schedule -------------------------------------------------------------------------------


def schedule(granted: Decimal, version, start: datetime.date) -> list[tuple[Decimal, datetime.date]]:
    """(amount, due date) of each payment of an aid of `granted` euros under `version`, decided on
    `start` (see the module docstring: one-off on `start`; monthly from the 5th of the next month)."""
    if version.amount_kind != AmountKind.MONTHLY:
        return [(granted, start)]
    rate = version.amount
    if rate <= 0:
        return [(granted, start)]
    first = add_months(start.replace(day=MONTHLY_DUE_DAY), 1)
    lines, left, month = [], granted, 0
    while left > 0:
        amount = min(rate, left)
        lines.append((amount, add_months(first, month)))
        left -= amount
        month += 1
    return lines


@transaction.atomic
def start_payment(
    application: AidApplication,
    *,
    by,
    at: datetime.datetime | None = None,
    first_due: datetime.date | None = None,
    request=None,
) -> list[Payment]:
    """Schedule the payments of a granted aid and move it to « mise en paiement »."""
    at = _now(at)
    fresh = (
        AidApplication.objects.select_for_update().select_related("version", "scheme").get(pk=application.pk)
    )
    if fresh.state != S.GRANTED:
        raise ValidationError(
            f"Seule une aide accordée peut être mise en paiement (celle-ci est « {fresh.get_state_display()} »)."
        )
    if not fresh.granted_amount or fresh.granted_amount <= 0:
        raise ValidationError("Cette aide n'a pas de montant accordé : rien à payer.")
    if not fresh.iban:
        who = "de la personne" if fresh.payee_kind == PayeeKind.PERSON else "du tiers bénéficiaire"
        raise ValidationError(
            f"Saisissez d'abord l'IBAN {who} (section « Paiement » de la demande) : un virement ne peut pas "
            "partir sans compte à créditer."
        )
    if fresh.payments.exists():
        raise ValidationError("Les paiements de cette aide sont déjà programmés.")
    day = first_due or timezone.localtime(at).date()
    payments = Payment.objects.bulk_create(
        Payment(application=fresh, sequence=n, amount=amount, due_on=due)
        for n, (amount, due) in enumerate(schedule(fresh.granted_amount, fresh.version, day), 1)
    )
    workflows.apply(
        application,
        "start_payment",
        by=by,
        at=at,
        note=f"{plural(len(payments), 'paiement programmé', 'paiements programmés')}, total {euros(fresh.granted_amount)}",
        request=request,
    )
    if application.version.certificate_code:
        horizon = timezone.localtime(at).date() + datetime.timedelta(days=CERTIFICATE_HORIZON_DAYS)
        review_certificates(application.payments.filter(due_on__lte=horizon), at=at)
    return payments


# -- periodic certificate -------------------------------------------------------------------


def certificate_valid_on(application: AidApplication, day: datetime.date, documents=None) -> bool:
    """Whether a conforming document of the version's certificate code covers `day`: its
    `valid_until` on or after `day`, or, without one, checked within `certificate_months`
    (no period set: any conforming certificate)."""
    code = application.version.certificate_code
    if not code:
        return True
    if documents is None:
        documents = application.documents.filter(code=code, status=DocumentStatus.VALID)
    for document in documents:
        if document.code != code or document.status != DocumentStatus.VALID:
            continue
        if document.valid_until is not None:
            if document.valid_until >= day:
                return True
            continue
        months = application.version.certificate_months
        since = timezone.localtime(document.checked_at or document.uploaded_at).date()
        if not months or add_months(since, months) >= day:
            return True
    return False


def payments_to_review(today: datetime.date):
    """Scheduled or suspended payments of aids with a periodic certificate, due by the horizon."""
    return (
        Payment.objects.filter(state__in=(PaymentState.SCHEDULED, PaymentState.SUSPENDED))
        .filter(due_on__lte=today + datetime.timedelta(days=CERTIFICATE_HORIZON_DAYS))
        .exclude(application__version__certificate_code="")
        .filter(application__state=S.PAYING)
        .select_related("application__version", "application__scheme")
        .prefetch_related("application__documents")
    )


@transaction.atomic
def review_certificates(
    payments: Iterable[Payment], *, at: datetime.datetime | None = None
) -> tuple[int, int]:
    """Suspend the payments without a valid certificate on their due date, resume the suspended
    ones that now have one; returns (suspended, resumed). Idempotent."""
    at = _now(at)
    suspended = resumed = 0
    for payment in payments:
        application = payment.application
        code = application.version.certificate_code
        documents = [d for d in application.documents.all() if d.code == code]
        valid = certificate_valid_on(application, payment.due_on, documents)
        if not valid and payment.state == PaymentState.SCHEDULED:
            updated = Payment.objects.filter(pk=payment.pk, state=PaymentState.SCHEDULED).update(
                state=PaymentState.SUSPENDED, suspension_reason=MISSING_CERTIFICATE
            )
            if updated:
                payment.state, payment.suspension_reason = PaymentState.SUSPENDED, MISSING_CERTIFICATE
                workflows.event(
                    application, event_kinds.PAYMENT_SUSPENDED, at, amount=payment.amount,
                    reason=MISSING_CERTIFICATE, payment=payment.pk, sequence=payment.sequence,
                )  # fmt: skip
                suspended += 1
        elif valid and payment.state == PaymentState.SUSPENDED:
            updated = Payment.objects.filter(pk=payment.pk, state=PaymentState.SUSPENDED).update(
                state=PaymentState.SCHEDULED, suspension_reason=""
            )
            if updated:
                payment.state, payment.suspension_reason = PaymentState.SCHEDULED, ""
                workflows.event(
                    application, event_kinds.PAYMENT_RESUMED, at, amount=payment.amount,
                    payment=payment.pk, sequence=payment.sequence,
                )  # fmt: skip
                resumed += 1
    return suspended, resumed


# -- batches --------------------------------------------------------------------------------


def due_payments(until: datetime.date):
    """Scheduled payments due on or before `until` of aids being paid."""
    return Payment.objects.filter(
        state=PaymentState.SCHEDULED, due_on__lte=until, application__state=S.PAYING
    ).select_related("application__scheme", "application__person")


@transaction.atomic
def prepare_batch(
    payment_ids: Iterable[int], *, execution_date: datetime.date, by, at: datetime.datetime | None = None
) -> PaymentBatch:
    """A batch of the given scheduled payments (those still scheduled: one taken by another
    batch meanwhile is left out); raises when none is left."""
    at = _now(at)
    ids = [int(pk) for pk in payment_ids]
    if not ids:
        raise ValidationError("Cochez au moins un paiement à mettre dans le lot.")
    if execution_date < timezone.localtime(at).date():
        raise ValidationError("La date d'exécution demandée ne peut pas être passée.")
    batch = PaymentBatch.objects.create(
        reference=f"tmp-{timezone.now().timestamp()}-{ids[0]}"[:35],
        execution_date=execution_date,
        created_by=by if getattr(by, "is_authenticated", False) else None,
        created_at=at,
    )
    taken = Payment.objects.filter(
        pk__in=ids, state=PaymentState.SCHEDULED, application__state=S.PAYING
    ).update(state=PaymentState.IN_BATCH, batch=batch)
    if not taken:
        raise ValidationError(
            "Aucun des paiements choisis n'est plus à payer (déjà dans un autre lot, suspendu ou annulé)."
        )
    batch.reference = f"AIDES-{timezone.localtime(at):%Y%m%d}-{batch.pk:05d}"
    _recount(batch)
    return batch


def _recount(batch: PaymentBatch) -> None:
    figures = batch.payments.exclude(state=PaymentState.CANCELLED).aggregate(
        total=Sum("amount"), count=Count("pk")
    )
    batch.count = figures["count"]
    batch.total = figures["total"] or Decimal("0")
    batch.save(update_fields=["reference", "count", "total"])


@transaction.atomic
def cancel_batch(batch: PaymentBatch) -> int:
    """Undo a batch not yet exported: its payments are scheduled again; the batch is deleted.
    Returns how many payments went back."""
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.state != BatchState.DRAFT:
        raise ValidationError(
            "Ce lot a déjà été exporté : le virement a pu être transmis à la banque, il ne peut plus être annulé."
        )
    back = batch.payments.filter(state=PaymentState.IN_BATCH).update(state=PaymentState.SCHEDULED, batch=None)
    batch.payments.update(batch=None)
    batch.delete()
    return back


@transaction.atomic
def mark_batch_exported(batch: PaymentBatch, *, at: datetime.datetime | None = None) -> PaymentBatch:
    """The batch's transfer file was produced: it can no longer be cancelled (first export only)."""
    at = _now(at)
    PaymentBatch.objects.filter(pk=batch.pk, state=BatchState.DRAFT).update(
        state=BatchState.EXPORTED, exported_at=at
    )
    batch.refresh_from_db()
    return batch


@transaction.atomic
def mark_batch_paid(
    batch: PaymentBatch, *, by, at: datetime.datetime | None = None, request=None
) -> PaymentBatch:
    """The bank executed the transfer: each payment of the batch is paid, consumed on its
    envelope (committed → consumed, event `aide.paiement`); an application whose payments are all
    paid becomes « payée »."""
    at = _now(at)
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.state == BatchState.PAID:
        raise ValidationError("Ce lot est déjà marqué payé.")
    if batch.state != BatchState.EXPORTED:
        raise ValidationError("Exportez d'abord le virement SEPA du lot et transmettez-le à la banque.")
    payments = list(
        batch.payments.select_for_update(of=("self",))
        .filter(state=PaymentState.IN_BATCH)
        .select_related("application__scheme", "application__version", "application__envelope")
    )
    touched: dict[int, AidApplication] = {}
    for payment in payments:
        application = payment.application
        if application.envelope_id is None:
            raise ValidationError(f"La demande {application.reference} n'a pas d'enveloppe engagée.")
        envelopes.consume(application.envelope, payment.amount)
        payment.state, payment.paid_at = PaymentState.PAID, at
        payment.save(update_fields=["state", "paid_at"])
        workflows.event(
            application, event_kinds.PAYMENT, at, amount=payment.amount, envelope=application.envelope,
            payment=payment.pk, sequence=payment.sequence, batch=batch.reference,
        )  # fmt: skip
        touched[application.pk] = application
    for application in touched.values():
        left = application.payments.exclude(state__in=(PaymentState.PAID, PaymentState.CANCELLED))
        if application.state == S.PAYING and not left.exists():
            workflows.apply(application, "mark_paid", by=by, at=at, request=request)
        else:
            _audit(by, application, "paiement", request)
    batch.state, batch.paid_at = BatchState.PAID, at
    batch.save(update_fields=["state", "paid_at"])
    return batch


# -- recoveries -----------------------------------------------------------------------------


def paid_total(application: AidApplication) -> Decimal:
    return application.payments.filter(state=PaymentState.PAID).aggregate(s=Sum("amount"))["s"] or Decimal(
        "0"
    )


def claimable(application: AidApplication) -> Decimal:
    """What may still be claimed as undue: paid, minus recoveries not waived."""
    claimed = application.recoveries.filter(
        Q(state=RecoveryState.OPEN) | Q(state=RecoveryState.RECOVERED)
    ).aggregate(s=Sum("amount"))["s"] or Decimal("0")
    return paid_total(application) - claimed


@transaction.atomic
def open_recovery(
    application: AidApplication, *, amount, reason: str, by, at: datetime.datetime | None = None, request=None
) -> Recovery:
    """Record an undue payment to recover (at most what was paid and not yet claimed)."""
    at = _now(at)
    AidApplication.objects.select_for_update().filter(pk=application.pk).first()
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError) as error:
        raise ValidationError("Montant invalide.") from error
    if amount <= 0:
        raise ValidationError("Le montant de l'indu doit être positif.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("Précisez le motif de l'indu (ex. : formation abandonnée, double paiement).")
    limit = claimable(application)
    if amount > limit:
        raise ValidationError(
            f"L'indu ({euros(amount)}) dépasse ce qui a été payé et n'est pas déjà réclamé ({euros(limit)})."
        )
    recovery = Recovery.objects.create(
        application=application, amount=amount, reason=reason[:200],
        created_by=by if getattr(by, "is_authenticated", False) else None, created_at=at,
    )  # fmt: skip
    workflows.event(application, event_kinds.RECOVERY_OPENED, at, amount=amount, reason=reason[:200],
                    recovery=recovery.pk)  # fmt: skip
    _audit(by, application, "indu", request)
    return recovery


@transaction.atomic
def settle_recovery(
    recovery: Recovery, *, outcome: str, by, at: datetime.datetime | None = None, request=None
) -> Recovery:
    """Settle an open recovery: « recouvre » (the person paid back) or « remise » (waived)."""
    at = _now(at)
    if outcome not in (RecoveryState.RECOVERED, RecoveryState.WAIVED):
        raise ValidationError("Choisissez : indu recouvré ou remise gracieuse.")
    updated = Recovery.objects.filter(pk=recovery.pk, state=RecoveryState.OPEN).update(
        state=outcome, settled_at=at
    )
    if not updated:
        raise ValidationError("Cet indu est déjà soldé.")
    recovery.refresh_from_db()
    application = recovery.application
    workflows.event(
        application, event_kinds.RECOVERY_SETTLED, at,
        amount=recovery.amount if outcome == RecoveryState.RECOVERED else Decimal("0"),
        reason=outcome, recovery=recovery.pk,
    )  # fmt: skip
    _audit(by, application, "indu_solde", request)
    return recovery
