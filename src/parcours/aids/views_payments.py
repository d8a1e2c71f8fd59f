"""Pages of the aids' payments (`may_pay_aids`, except the account to credit, which the filing
agent may enter before the decision): payments due, suspended and batched, batches and their
SEPA / CSV exports, the payment screen of an application (the only page showing the full IBAN,
audited) and the recoveries of undue payments.

Every application is reached through its person's access rule (404 audited); a batch is shown
only when every person it pays is within the agent's scope.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import agent_may
from parcours.aids import payments, sepa
from parcours.aids.access import application_for
from parcours.aids.forms_payments import (
    BatchForm,
    ConfirmForm,
    DueFilterForm,
    PayeeForm,
    RecoveryForm,
    SettleForm,
    StartPaymentForm,
)
from parcours.aids.iban import formatted, masked
from parcours.aids.models import (
    AidApplication,
    ApplicationState,
    BatchState,
    Payment,
    PaymentBatch,
    PaymentState,
    Recovery,
    RecoveryState,
)
from parcours.aids.money import euros
from parcours.core import audit
from parcours.core.access import visible_persons, visible_rows
from parcours.core.french import plural
from parcours.core.models import AuditAction

REFUSAL = "Votre rôle ne permet pas de mettre en paiement les aides."
FILING_REFUSAL = "Votre rôle ne permet pas de déposer ni de suivre des demandes d'aide."
SHOWN = 200  # rows of each list of the payments page


def _application_for(request, application_id: int, action: str = AuditAction.VIEW) -> AidApplication:
    return application_for(request, application_id, action=action, related=("scheme", "version", "envelope"))


def _batch_for(request, batch_id: int) -> PaymentBatch:
    """The batch, when every person it pays is within the agent's scope (403 otherwise)."""
    batch = get_object_or_404(PaymentBatch.objects.select_related("created_by"), pk=batch_id)
    outside = batch.payments.exclude(application__person__in=visible_persons(request.user)).exists()
    if outside:
        audit.record(request.user, AuditAction.DENIED, request=request, batch=batch.pk)
        raise PermissionDenied(
            "Ce lot paie des personnes hors de votre périmètre : il ne vous est pas accessible."
        )
    return batch


def _mine(queryset, agent):
    """The payments whose person the agent may see (the one access rule, on each row)."""
    return visible_rows(queryset, agent, path="application__person")


@agent_may("may_pay_aids", REFUSAL)
def index(request):
    """Payments due by a date (ticked into a batch), suspended ones, batches, open recoveries."""
    today = timezone.localdate()
    filters = DueFilterForm(request.GET or None)
    until = (filters.cleaned_data.get("until") if filters.is_valid() else None) or today + datetime.timedelta(
        days=7
    )
    due = list(_mine(payments.due_payments(until), request.user).order_by("due_on", "pk")[:SHOWN])
    suspended = list(
        _mine(Payment.objects.filter(state=PaymentState.SUSPENDED), request.user)
        .select_related("application__scheme", "application__person")
        .order_by("due_on")[:SHOWN]
    )
    recoveries = list(
        _mine(Recovery.objects.filter(state=RecoveryState.OPEN), request.user)
        .select_related("application__scheme", "application__person")
        .order_by("created_at")[:SHOWN]
    )
    batches = list(PaymentBatch.objects.order_by("-created_at")[:30])
    audit.record_shown(
        request.user, [row.application.person_id for row in (*due, *suspended, *recoveries)], request=request
    )
    context = {
        "filters": filters, "until": until, "due": due, "suspended": suspended, "recoveries": recoveries,
        "batches": batches, "batch_form": BatchForm(initial={"execution_date": today + datetime.timedelta(days=2)}),
        "shown": SHOWN,
    }  # fmt: skip
    return render(request, "aids/payments/index.html", context)


@agent_may("may_pay_aids", REFUSAL)
@require_POST
def batch_new(request):
    form = BatchForm(request.POST)
    ids = [pk for pk in request.POST.getlist("payment") if pk.isdigit()]
    allowed = list(_mine(Payment.objects.filter(pk__in=ids), request.user).values_list("pk", flat=True))
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("aids:payments")
    try:
        batch = payments.prepare_batch(
            allowed, execution_date=form.cleaned_data["execution_date"], by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("aids:payments")
    messages.success(
        request, f"Lot {batch.reference} préparé : {plural(batch.count, 'virement')}, {euros(batch.total)}."
    )
    return redirect("aids:batch", batch.pk)


@agent_may("may_pay_aids", REFUSAL)
def batch(request, batch_id: int):
    """A batch: its payments (IBAN masked), its exports, its cancellation or payment."""
    batch = _batch_for(request, batch_id)
    rows = list(batch.payments.select_related("application__scheme", "application__person").order_by("pk"))
    for row in rows:
        row.masked_iban = masked(row.application.iban)
    audit.record_shown(
        request.user, [row.application.person_id for row in rows], request=request, batch=batch.pk
    )
    return render(request, "aids/payments/batch.html", {"batch": batch, "rows": rows})


def _export(request, batch_id: int, build, content_type: str, suffix: str) -> HttpResponse:
    batch = _batch_for(request, batch_id)
    if batch.state == BatchState.PAID and suffix == "xml":
        messages.error(request, "Ce lot est déjà payé : son virement ne doit pas être émis une seconde fois.")
        return redirect("aids:batch", batch.pk)
    try:
        content = build(batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("aids:batch", batch.pk)
    payments.mark_batch_exported(batch)
    person_ids = list(batch.payments.values_list("application__person_id", flat=True))
    audit.record(request.user, AuditAction.EXPORT, request=request, batch=batch.pk, format=suffix)
    audit.record_shown(request.user, person_ids, request=request, batch=batch.pk, iban=True)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{batch.reference}.{suffix}"'
    return response


@agent_may("may_pay_aids", REFUSAL)
def batch_sepa(request, batch_id: int):
    """The SEPA credit transfer (pain.001.001.03), validated against its schema."""
    return _export(request, batch_id, sepa.pain001, "application/xml; charset=utf-8", "xml")


@agent_may("may_pay_aids", REFUSAL)
def batch_csv(request, batch_id: int):
    """The accounting software's CSV (full IBAN)."""
    return _export(request, batch_id, sepa.accounting_csv, "text/csv; charset=utf-8", "csv")


def _confirm(request, batch_id: int, *, action, done: str, question: str, button: str, then: str):
    batch = _batch_for(request, batch_id)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action(batch)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("aids:batch", batch.pk)
        messages.success(request, done.format(batch=batch))
        return redirect("aids:payments") if then == "payments" else redirect("aids:batch", batch.pk)
    context = {"batch": batch, "form": form, "question": question, "button": button}
    return render(request, "aids/payments/confirm.html", context)


@agent_may("may_pay_aids", REFUSAL)
def batch_pay(request, batch_id: int):
    """After confirmation: the bank executed the transfer (payments paid, envelopes consumed)."""
    return _confirm(
        request, batch_id,
        action=lambda batch: payments.mark_batch_paid(batch, by=request.user, request=request),
        done="Lot {batch.reference} marqué payé : les montants sont imputés sur les enveloppes.",
        question="La banque a-t-elle exécuté ce virement ? Chaque paiement sera marqué payé et imputé sur son "
        "enveloppe ; cela ne peut pas être annulé.",
        button="Marquer le lot payé", then="batch",
    )  # fmt: skip


@agent_may("may_pay_aids", REFUSAL)
def batch_cancel(request, batch_id: int):
    """After confirmation: undo a batch not yet exported (its payments are due again)."""
    return _confirm(
        request, batch_id,
        action=payments.cancel_batch,
        done="Lot {batch.reference} annulé : ses paiements sont de nouveau à payer.",
        question="Annuler ce lot ? Ses paiements redeviennent « à payer » et pourront entrer dans un autre lot.",
        button="Annuler le lot", then="payments",
    )  # fmt: skip


def _screen(request, application: AidApplication, **extra):
    """The payment screen of an application: full IBAN (audited), schedule, recoveries."""
    audit.record(request.user, AuditAction.VIEW, person=application.person, request=request, iban=True)
    context = {
        "application": application, "person": application.person, "iban": formatted(application.iban),
        "payments": application.payments.select_related("batch"),
        "recoveries": application.recoveries.select_related("created_by"),
        "paid": payments.paid_total(application), "claimable": payments.claimable(application),
        "may_start": application.state == ApplicationState.GRANTED,
        "has_suspended": application.payments.filter(state=PaymentState.SUSPENDED).exists(),
        "may_edit_payee": payments.may_edit_payee(request.user, application),
        "start_form": StartPaymentForm(), "recovery_form": RecoveryForm(), "settle_form": SettleForm(),
    }  # fmt: skip
    return render(request, "aids/payments/application.html", context | extra)


@agent_may("may_pay_aids", REFUSAL)
def application_payments(request, application_id: int):
    return _screen(request, _application_for(request, application_id))


@agent_may("may_file_aid_requests", FILING_REFUSAL)
def payee(request, application_id: int):
    """The account to credit (payee kind, holder, IBAN, BIC): the payment office, or the filing
    agent before the decision."""
    application = _application_for(request, application_id, AuditAction.UPDATE)
    if not payments.may_edit_payee(request.user, application):
        audit.record(request.user, AuditAction.DENIED, person=application.person, request=request, payee=True)
        raise PermissionDenied(
            "Le compte à créditer ne peut plus être modifié par vous : après la décision, seul le service payeur le peut."
        )
    initial = {"payee_kind": application.payee_kind, "payee_name": application.payee_name}
    form = PayeeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payments.set_payee(application, kind=data["payee_kind"], name=data["payee_name"], iban=data["iban"],
                               bic=data["bic"], by=request.user, request=request)  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Compte à créditer enregistré : {masked(application.iban)}.")
            return redirect(reverse("aids:application", args=[application.pk]) + "#paiement")
    context = {"application": application, "person": application.person, "form": form,
               "current": masked(application.iban)}  # fmt: skip
    return render(request, "aids/payments/payee.html", context)


@agent_may("may_pay_aids", REFUSAL)
@require_POST
def start_payment(request, application_id: int):
    application = _application_for(request, application_id, AuditAction.UPDATE)
    form = StartPaymentForm(request.POST)
    if form.is_valid():
        try:
            scheduled = payments.start_payment(
                application, by=request.user, first_due=form.cleaned_data["first_due"], request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Aide mise en paiement : {plural(len(scheduled), 'paiement programmé', 'paiements programmés')}.",
            )
    else:
        messages.error(request, "Date de paiement invalide.")
    return redirect("aids:application_payments", application.pk)


@agent_may("may_pay_aids", REFUSAL)
@require_POST
def certificates_review(request, application_id: int):
    """Review the application's payments against its certificates now (the daily task does it
    too): a suspended payment is resumed as soon as a valid certificate has been checked."""
    application = _application_for(request, application_id, AuditAction.UPDATE)
    pending = application.payments.filter(state__in=(PaymentState.SCHEDULED, PaymentState.SUSPENDED))
    horizon = timezone.localdate() + datetime.timedelta(days=payments.CERTIFICATE_HORIZON_DAYS)
    suspended, resumed = payments.review_certificates(pending.filter(due_on__lte=horizon))
    if resumed:
        messages.success(
            request,
            f"{plural(resumed, 'paiement repris', 'paiements repris')} : le justificatif est valable.",
        )
    elif suspended or pending.filter(state=PaymentState.SUSPENDED).exists():
        messages.error(
            request,
            "Aucun justificatif conforme et valable à l'échéance : contrôlez d'abord le certificat déposé "
            "(section « Pièces » de la demande), puis revenez ici.",
        )
    else:
        messages.info(request, "Aucun paiement suspendu.")
    return redirect("aids:application_payments", application.pk)


@agent_may("may_pay_aids", REFUSAL)
@require_POST
def recovery_new(request, application_id: int):
    application = _application_for(request, application_id, AuditAction.UPDATE)
    form = RecoveryForm(request.POST)
    if form.is_valid():
        try:
            payments.open_recovery(application, amount=form.cleaned_data["amount"],
                                   reason=form.cleaned_data["reason"], by=request.user, request=request)  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Indu enregistré : il figure dans la liste des indus à recouvrer.")
            return redirect("aids:application_payments", application.pk)
    return _screen(request, application, recovery_form=form)


@agent_may("may_pay_aids", REFUSAL)
@require_POST
def recovery_settle(request, recovery_id: int):
    recovery = get_object_or_404(Recovery, pk=recovery_id)
    application = _application_for(request, recovery.application_id, AuditAction.UPDATE)
    form = SettleForm(request.POST)
    if form.is_valid():
        try:
            payments.settle_recovery(
                recovery, outcome=form.cleaned_data["outcome"], by=request.user, request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Indu soldé.")
    else:
        messages.error(request, "Choisissez : indu recouvré ou remise gracieuse.")
    return redirect("aids:application_payments", application.pk)
