"""Decision letters of an aid application, as PDFs (WeasyPrint): the grant, the refusal, the
adjournment.

- The grant states the amount, who is paid, the payment terms (the monthly schedule of a
  recurring aid) and the conditions (the periodic certificate; an undue payment is recovered).
- The refusal states its reasons (CRPA, art. L. 211-2 and L. 211-5): the labels of the
  `RefusalReason`s chosen, the eligibility rules that failed with their explanation, and the
  motivation written by the instructor or the commission.
- Every letter states the appeal routes and delays (CJA, art. R. 421-5: the delays run only when
  the notification states them): an administrative appeal (recours gracieux) to the Président du
  Conseil départemental within two months of the notification (CRPA, art. L. 411-2: it keeps the
  delay of the court appeal, which runs again from its answer; two months of silence are a
  rejection, CRPA art. L. 231-4), and the court appeal before the tribunal administratif within
  two months (CJA, art. R. 421-1), also through Télérecours citoyens.

`kind_of(application)` says which letter an application has (None before a decision);
`render_pdf(application)` renders it. The caller checks access and audits.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from parcours.aids import event_kinds
from parcours.aids.models import AidEvent, AmountKind, ApplicationState, CommissionSession, RefusalReason
from parcours.aids.money import euros

GRANT, REFUSAL, ADJOURNMENT = "accord", "refus", "ajournement"
TITLES = {
    GRANT: "Notification d'attribution d'une aide",
    REFUSAL: "Notification de refus d'une aide",
    ADJOURNMENT: "Ajournement de votre demande d'aide",
}
S = ApplicationState
GRANTED_STATES = (S.GRANTED, S.PAYING, S.PAID)
KIND_OF_EVENT = {event_kinds.GRANTED: GRANT, event_kinds.REFUSED: REFUSAL, event_kinds.ADJOURNED: ADJOURNMENT}


def kind_of(application) -> str | None:
    """The letter the application's last decision calls for (None when undecided)."""
    if application.state in GRANTED_STATES:
        return GRANT
    if application.state == S.REFUSED:
        return REFUSAL
    if application.state == S.ADJOURNED:
        return ADJOURNMENT
    if application.state == S.CLOSED:
        return GRANT if application.granted_amount is not None else REFUSAL
    return None


def decision_event(application, kind: str) -> AidEvent | None:
    wanted = [k for k, v in KIND_OF_EVENT.items() if v == kind]
    return (
        AidEvent.objects.filter(application=application, kind__in=wanted)
        .order_by("-occurred_at", "-pk")
        .first()
    )


def _schedule(application) -> dict:
    """The payment terms: a monthly schedule for a recurring aid, else one payment."""
    version = application.version
    payments = list(application.payments.exclude(state="annule").order_by("due_on", "sequence"))
    monthly = None
    if version.amount_kind == AmountKind.MONTHLY and version.months:
        monthly = euros((application.granted_amount or Decimal("0")) / version.months)
    return {
        "monthly": monthly,
        "months": version.months if monthly else None,
        "payments": [{"due_on": p.due_on, "amount": euros(p.amount)} for p in payments],
    }


def letter_context(application) -> dict:
    """Everything a letter shows (the caller audits the person)."""
    kind = kind_of(application)
    version = application.version
    event = decision_event(application, kind) if kind else None
    session = None
    if event is not None and (event.data or {}).get("commission"):
        session = CommissionSession.objects.filter(pk=event.data["commission"]).first()
    reasons = dict(RefusalReason.choices)
    failed_rules = [r for r in (application.eligibility or []) if r.get("passed") is False]
    from parcours.aids.commissions import controller

    return {
        "kind": kind,
        "title": TITLES.get(kind, ""),
        "application": application,
        "person": application.person,
        "scheme": application.scheme,
        "version": version,
        "decided_on": (event.occurred_at if event else application.decided_at),
        "session": session,
        "amount": euros(application.granted_amount),
        "requested": euros(application.requested_amount) if application.requested_amount else "",
        "reduced": (
            application.requested_amount is not None
            and application.granted_amount is not None
            and application.granted_amount < application.requested_amount
        ),
        "schedule": _schedule(application) if kind == GRANT else {},
        "certificate": version.document_label(version.certificate_code) if version.certificate_code else "",
        "reasons": [reasons.get(code, code) for code in application.decision_reasons or []],
        "failed_rules": failed_rules,
        "note": application.decision_note,
        "controller": controller(),
        "today": timezone.localdate(),
    }


def render_pdf(application) -> bytes:
    """The letter of the application's decision as a PDF; ValueError when undecided."""
    from weasyprint import HTML

    context = letter_context(application)
    if context["kind"] is None:
        raise ValueError("Aucune décision : pas de courrier.")
    html = render_to_string("aids/letters/decision.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
