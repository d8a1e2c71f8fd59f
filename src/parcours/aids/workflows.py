"""The aid applications' workflows: the only writers of `AidApplication.state`.

Every function takes the acting agent (`by`), an optional instant (`at`, default now: the demo
plays the past through these functions) and the request (for the audit), runs in one
transaction, checks the transition against `TRANSITIONS`, records an `ApplicationTransition`
(who, when, from, to, note) and an `AidEvent` (the figures' log), and audits the person.
Errors are `ValidationError`s with a French message the agent can act on.

- `create_draft`, `deposit`: filing (eligibility evaluated and kept, ceiling, waiting period,
  one open application per scheme, service level's deadline);
- `apply`: the plain steps (start, request_documents — the clock pauses —, documents_received —
  the deadline moves by the time paused —, to_commission, start_payment, mark_paid, close,
  withdraw);
- `grant`, `refuse`, `adjourn`, `cancel`: the decisions, by an agent with the authority the
  version gives (`Agent.may_decide_aid`) or for a commission session; a grant commits the amount
  on the envelope (`aids.envelopes`: never overspent), a cancellation releases what is unpaid.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from parcours.aids import envelopes, event_kinds, notices
from parcours.aids.eligibility import evaluate, failing
from parcours.aids.models import (
    TRANSITIONS,
    AidApplication,
    AidEvent,
    ApplicationState,
    ApplicationTransition,
    ClockKind,
    Decider,
    DocumentStatus,
    PaymentState,
    RefusalReason,
    SchemeVersion,
)
from parcours.aids.money import euros
from parcours.core import audit

S = ApplicationState
# Transition name → event kind written.
EVENT_OF = {
    "deposit": event_kinds.DEPOSITED,
    "start": event_kinds.INSTRUCTION_STARTED,
    "request_documents": event_kinds.DOCUMENTS_REQUESTED,
    "documents_received": event_kinds.DOCUMENTS_RECEIVED,
    "to_commission": event_kinds.TO_COMMISSION,
    "unlist": event_kinds.UNLISTED,
    "grant": event_kinds.GRANTED,
    "refuse": event_kinds.REFUSED,
    "adjourn": event_kinds.ADJOURNED,
    "start_payment": event_kinds.PAYMENT_STARTED,
    "mark_paid": event_kinds.PAID,
    "close": event_kinds.CLOSED,
    "cancel": event_kinds.CANCELLED,
    "withdraw": event_kinds.WITHDRAWN,
}
# Applications that count against a new one of the same scheme (waiting period, duplicates).
COUNTED_STATES = (
    S.SUBMITTED, S.INSTRUCTION, S.MISSING_DOCUMENTS, S.COMMISSION, S.ADJOURNED,
    S.GRANTED, S.PAYING, S.PAID, S.CLOSED,
)  # fmt: skip
GRANTED_STATES = (S.GRANTED, S.PAYING, S.PAID, S.CLOSED)


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


def _date(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y}"


def event(
    application: AidApplication,
    kind: str,
    at: datetime.datetime,
    *,
    amount=None,
    envelope=None,
    reason: str = "",
    **data,
) -> AidEvent:
    """Append one event of `application` to the aids' log (`aids.payments` writes through it too)."""
    return AidEvent.objects.create(
        kind=kind,
        occurred_at=at,
        application=application,
        person_id=application.person_id,
        scheme=application.scheme.code,
        version=application.version.number,
        unit_id=application.unit_id,
        envelope=envelope,
        emergency=application.emergency,
        amount=amount,
        reason=reason,
        data=data,
    )  # fmt: skip


def _step(
    application: AidApplication,
    name: str,
    *,
    by,
    at,
    note: str = "",
    request=None,
    amount=None,
    envelope=None,
    reason: str = "",
    **data,
) -> None:
    """Move `application` by the transition `name` (checked), log it, write its event, audit."""
    transition = TRANSITIONS[name]
    if application.state not in transition.sources:
        raise ValidationError(
            f"Impossible de passer de « {application.get_state_display()} » à « {S(transition.target).label} »."
        )
    source = application.state
    application.state = transition.target
    application.save()
    ApplicationTransition.objects.create(
        application=application, name=name, from_state=source, to_state=transition.target, at=at,
        by=by if getattr(by, "is_authenticated", False) else None, note=note[:2000],
    )  # fmt: skip
    event(application, EVENT_OF[name], at, amount=amount, envelope=envelope, reason=reason, **data)
    if by is not None and getattr(by, "is_authenticated", False):
        audit.record_changes(by, application.person, [f"aide:{name}"], request=request)


def _locked(application: AidApplication) -> AidApplication:
    """The application re-read under a row lock (PostgreSQL), so that two agents acting on it at
    once are serialised; the caller's object is refreshed from it."""
    fresh = (
        AidApplication.objects.select_for_update().select_related("scheme", "version").get(pk=application.pk)
    )
    application.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_")})
    application.scheme, application.version = fresh.scheme, fresh.version
    return application


# -- filing ---------------------------------------------------------------------------------


def current_version(scheme, day: datetime.date) -> SchemeVersion:
    if not scheme.is_active:
        raise ValidationError(f"Le dispositif « {scheme} » n'est plus ouvert aux demandes.")
    version = scheme.version_on(day)
    if version is None:
        raise ValidationError(f"Le dispositif « {scheme} » n'a pas de version valable le {day:%d/%m/%Y}.")
    return version


def check_amount(version: SchemeVersion, amount: Decimal | None, items: int | None = None) -> None:
    """Raise when `amount` (or `items`) is above what the version allows, or not positive."""
    if items is not None and version.max_items and items > version.max_items:
        raise ValidationError(
            f"{items} {version.item_label or 'unités'} demandées : le dispositif en finance au plus {version.max_items}."
        )
    if amount is None:
        return
    if amount <= 0:
        raise ValidationError("Le montant doit être positif.")
    ceiling = version.ceiling
    if items is not None and version.amount_kind == "par_unite":
        ceiling = min(ceiling, version.amount * items)
    if amount > ceiling:
        raise ValidationError(
            f"Le montant ({euros(amount)}) dépasse le plafond du dispositif ({euros(ceiling)})."
        )


def default_amount(version: SchemeVersion, items: int | None = None) -> Decimal:
    """The amount an application asks when none is typed: the fixed amount, the per-item amount ×
    items, the monthly amount × months."""
    if version.amount_kind == "par_unite":
        return version.amount * (items or version.max_items or 1)
    return version.ceiling


def create_draft(
    person,
    scheme,
    *,
    by,
    at=None,
    emergency: bool = False,
    purpose: str = "",
    requested_amount: Decimal | None = None,
    items: int | None = None,
    tray_item=None,
    declared_resources: Decimal | None = None,
    household_size: int | None = None,
    request=None,
) -> AidApplication:
    """A draft application of `person` for `scheme`, under the version valid today."""
    at = _now(at)
    version = current_version(scheme, timezone.localtime(at).date())
    if emergency and not version.emergency_service_level_hours:
        raise ValidationError(f"Le dispositif « {scheme} » ne prévoit pas de procédure d'urgence.")
    check_amount(version, requested_amount, items)
    application = AidApplication.objects.create(
        person=person, scheme=scheme, version=version, unit=getattr(getattr(person, "commune", None), "unit", None),
        emergency=emergency, purpose=purpose, requested_amount=requested_amount, items=items,
        declared_resources=declared_resources, household_size=household_size,
        filed_by=by if getattr(by, "is_authenticated", False) else None,
        filed_by_organisation_id=getattr(by, "organisation_id", None), tray_item=tray_item, created_at=at,
    )  # fmt: skip
    ApplicationTransition.objects.create(
        application=application, name="create", from_state="", to_state=S.DRAFT, at=at,
        by=application.filed_by,
    )  # fmt: skip
    if application.filed_by is not None:
        audit.record_changes(by, person, ["aide:brouillon"], request=request, created=True)
    return application


def duplicate_of(application: AidApplication, day: datetime.date) -> AidApplication | None:
    """An application of the same person and scheme that forbids this one: one still open, or
    one granted within the waiting period before `day`."""
    others = (
        AidApplication.objects.filter(person_id=application.person_id, scheme_id=application.scheme_id)
        .exclude(pk=application.pk)
        .filter(state__in=COUNTED_STATES)
    )
    open_one = others.filter(
        state__in=(S.SUBMITTED, S.INSTRUCTION, S.MISSING_DOCUMENTS, S.COMMISSION, S.ADJOURNED)
    )
    found = open_one.order_by("-deposited_at").first()
    if found is not None:
        return found
    days = application.version.waiting_period_days
    if days:
        since = day - datetime.timedelta(days=days)
        return (
            others.filter(state__in=GRANTED_STATES, decided_at__date__gte=since)
            .order_by("-decided_at")
            .first()
        )
    return None


def deadline(version: SchemeVersion, start: datetime.datetime, emergency: bool) -> datetime.datetime | None:
    hours = version.service_level_for(emergency)
    if not hours:
        return None
    if version.clock == ClockKind.CALENDAR:
        return start + datetime.timedelta(hours=hours)
    from parcours.reception.working_hours import add_working_hours

    return add_working_hours(start, hours)


@transaction.atomic
def deposit(application: AidApplication, *, by, at=None, request=None) -> AidApplication:
    """Deposit a draft: eligibility evaluated and kept (failing rules do not stop the deposit, they
    stop a grant), the ceiling, the duplicate and waiting-period checks, the deadline."""
    at = _now(at)
    _locked(application)
    day = timezone.localtime(at).date()
    check_amount(application.version, application.requested_amount, application.items)
    other = duplicate_of(application, day)
    if other is not None:
        if other.state in GRANTED_STATES:
            until = timezone.localtime(other.decided_at).date() + datetime.timedelta(
                days=application.version.waiting_period_days
            )
            raise ValidationError(
                f"Une aide « {application.scheme} » a déjà été accordée à cette personne le "
                f"{_date(other.decided_at)} (demande {other.reference}) : le délai de carence de "
                f"{application.version.waiting_period_days} jours court jusqu'au {until:%d/%m/%Y}."
            )
        raise ValidationError(
            f"Une demande « {application.scheme} » de cette personne est déjà en cours ({other.reference}, "
            f"{other.get_state_display().lower()}) : complétez-la plutôt que d'en déposer une seconde."
        )
    application.eligibility = [
        r.as_dict()
        for r in evaluate(application.version, application.person, on=day, application=application)
    ]
    application.deposited_at = at
    application.due_at = deadline(application.version, at, application.emergency)
    _step(application, "deposit", by=by, at=at, request=request, amount=application.requested_amount)
    if application.emergency:  # the instructors are alerted (`aids.notices`)
        transaction.on_commit(lambda: notices.emergency_deposited(application))
    return application


# -- plain steps ----------------------------------------------------------------------------


@transaction.atomic
def apply(
    application: AidApplication, name: str, *, by, at=None, note: str = "", request=None
) -> AidApplication:
    """A step that is no decision: start, request_documents, documents_received, to_commission,
    start_payment, mark_paid, close, withdraw."""
    if name not in TRANSITIONS or TRANSITIONS[name].decision or name == "deposit":
        raise ValidationError(f"Transition inconnue : {name}.")
    at = _now(at)
    _locked(application)
    if name == "start" and application.instructor_id is None and getattr(by, "is_authenticated", False):
        application.instructor = by
    if name == "request_documents":
        if not note.strip():
            raise ValidationError("Précisez les pièces demandées.")
        application.paused_at = at
    paused_hours = None
    if name == "documents_received" and application.paused_at is not None:
        paused_hours = _pause_hours(application, application.paused_at, at)
        if application.due_at is not None:
            application.due_at = _shift(application, application.due_at, application.paused_at, at)
        application.paused_at = None
    if name == "to_commission" and application.commission_id is None:
        raise ValidationError("Choisissez la séance de commission (`commissions.enlist`).")
    if name == "unlist":  # off the agenda of a session not yet held (`aids.commissions.unlist`)
        if application.commission_id and application.commission.state != "prevue":
            raise ValidationError(
                "La séance est tenue : ses décisions ne se retirent plus de l'ordre du jour."
            )
        application.commission = None
    if name in ("close", "withdraw"):
        application.closed_at = at
    _step(application, name, by=by, at=at, note=note, request=request, paused_hours=paused_hours)
    return application


def _pause_hours(application, start, end) -> float:
    if application.version.clock == ClockKind.CALENDAR:
        return round((end - start).total_seconds() / 3600, 2)
    from parcours.reception.working_hours import working_hours_between

    return round(working_hours_between(start, end), 2)


def _shift(application, due: datetime.datetime, start, end) -> datetime.datetime:
    """The deadline `due` moved later by the time paused between `start` and `end`."""
    if application.version.clock == ClockKind.CALENDAR:
        return due + (end - start)
    from parcours.reception.working_hours import add_working_hours, working_hours_between

    return add_working_hours(due, working_hours_between(start, end))


# -- decisions ------------------------------------------------------------------------------


def check_authority(application: AidApplication, by, commission=None) -> None:
    """Raise unless `by` may decide `application`: the authority the version gives, or, for a
    commission's scheme, a decision recorded for the session the application is enlisted in."""
    decider = application.version.decider
    if commission is not None:
        if application.commission_id != commission.pk:
            raise ValidationError("Cette demande n'est pas inscrite à l'ordre du jour de cette séance.")
        if not by.may_instruct_aids:
            raise ValidationError("Vous n'avez pas qualité pour enregistrer les décisions de la commission.")
        return
    if decider == Decider.COMMISSION:
        raise ValidationError(
            "Cette aide est décidée par la commission : inscrivez la demande à une séance, la décision y sera "
            "enregistrée."
        )
    if not by.may_decide_aid(decider):
        raise ValidationError(
            f"Vous n'avez pas qualité pour décider de cette aide : la décision revient à "
            f"{Decider(decider).label.lower()}."
        )


def missing_documents(application: AidApplication) -> list[str]:
    """Labels of the version's required documents without a conforming document."""
    valid = set(application.documents.filter(status=DocumentStatus.VALID).values_list("code", flat=True))
    return [d.get("label", d["code"]) for d in application.version.documents if d.get("code") not in valid
            and d.get("required", True)]  # fmt: skip


@transaction.atomic
def grant(
    application: AidApplication,
    *,
    by,
    amount: Decimal | None = None,
    at=None,
    note: str = "",
    commission=None,
    request=None,
) -> AidApplication:
    """Grant: authority, eligibility (every rule passed or checked), documents, ceiling, then the
    amount committed on the envelope in the same transaction (refused when exhausted)."""
    at = _now(at)
    _locked(application)
    check_authority(application, by, commission)
    if application.state not in TRANSITIONS["grant"].sources:
        raise ValidationError(
            f"Impossible d'accorder une demande « {application.get_state_display().lower()} »."
        )
    day = timezone.localtime(at).date()
    results = evaluate(application.version, application.person, on=day, application=application)
    failed = failing(results)
    if failed:
        raise ValidationError(
            ["Accord impossible : critère non rempli."] + [f"{r.label} — {r.explanation}" for r in failed]
        )
    missing = missing_documents(application)
    if missing:
        raise ValidationError(["Accord impossible : pièce manquante ou non conforme."] + missing)
    try:
        amount = (
            Decimal(amount)
            if amount is not None
            else (application.requested_amount or default_amount(application.version, application.items))
        )
    except (InvalidOperation, TypeError) as error:
        raise ValidationError("Montant invalide.") from error
    check_amount(application.version, amount, application.items)
    envelope = envelopes.envelope_for(application.scheme, application.unit, day)
    if envelope is None:
        raise ValidationError(
            f"Aucune enveloppe budgétaire n'est ouverte pour « {application.scheme} » en {day.year} : "
            "l'aide ne peut pas être engagée."
        )
    envelopes.commit(envelope, amount)
    application.eligibility = [r.as_dict() for r in results]
    application.granted_amount = amount
    application.envelope = envelope
    application.decided_at, application.decided_by = at, by
    application.decision_reasons, application.decision_note = [], note
    _step(application, "grant", by=by, at=at, note=note, request=request, amount=amount, envelope=envelope,
          commission=commission.pk if commission else None)  # fmt: skip
    transaction.on_commit(lambda: notices.decision_taken(application))
    return application


@transaction.atomic
def refuse(
    application: AidApplication,
    *,
    by,
    reasons: list[str],
    note: str = "",
    at=None,
    commission=None,
    request=None,
) -> AidApplication:
    """Refuse, stating the reasons (codes of RefusalReason; « autre » needs the note)."""
    at = _now(at)
    _locked(application)
    check_authority(application, by, commission)
    reasons = [r for r in dict.fromkeys(reasons) if r in RefusalReason.values]
    if not reasons:
        raise ValidationError("Un refus doit être motivé : choisissez au moins un motif.")
    if RefusalReason.OTHER in reasons and not note.strip():
        raise ValidationError("Précisez le motif « autre » dans la motivation.")
    application.decided_at, application.decided_by = at, by
    application.decision_reasons, application.decision_note = reasons, note
    application.paused_at = None
    _step(application, "refuse", by=by, at=at, note=note, request=request, reason=",".join(reasons),
          commission=commission.pk if commission else None)  # fmt: skip
    transaction.on_commit(lambda: notices.decision_taken(application))
    return application


@transaction.atomic
def adjourn(
    application: AidApplication, *, by, note: str, at=None, commission=None, request=None
) -> AidApplication:
    """Adjourn (commission): the application goes back to be completed or enlisted again."""
    at = _now(at)
    _locked(application)
    check_authority(application, by, commission)
    if not note.strip():
        raise ValidationError("Précisez ce qui manque pour décider (motif de l'ajournement).")
    application.decision_note = note
    _step(application, "adjourn", by=by, at=at, note=note, request=request,
          commission=commission.pk if commission else None)  # fmt: skip
    application.commission = None
    application.save(update_fields=["commission", "updated_at"])
    transaction.on_commit(lambda: notices.decision_taken(application))
    return application


@transaction.atomic
def cancel(application: AidApplication, *, by, note: str, at=None, request=None) -> AidApplication:
    """Cancel an accorded aid: its unpaid payments are cancelled and the unpaid part of the grant
    is released from the envelope. An aid the commission granted is cancelled by the chef de
    service (the commission does not sit to withdraw an aid whose conditions have ended)."""
    at = _now(at)
    _locked(application)
    if application.version.decider == Decider.COMMISSION:
        if not by.may_decide_aid(Decider.HEAD_OF_SERVICE):
            raise ValidationError(
                "Vous n'avez pas qualité pour annuler cette aide : une aide accordée en commission est "
                "annulée par le chef de service."
            )
    else:
        check_authority(application, by)
    if not note.strip():
        raise ValidationError("Précisez le motif de l'annulation.")
    if application.state not in TRANSITIONS["cancel"].sources:
        raise ValidationError("Seule une aide accordée et non encore payée en totalité peut être annulée.")
    paid = sum((p.amount for p in application.payments.filter(state=PaymentState.PAID)), Decimal("0"))
    application.payments.exclude(state=PaymentState.PAID).update(state=PaymentState.CANCELLED)
    unpaid = (application.granted_amount or Decimal("0")) - paid
    if application.envelope_id and unpaid > 0:
        envelopes.release(application.envelope, unpaid)
        event(application, event_kinds.RELEASED, at, amount=unpaid, envelope=application.envelope)
    application.closed_at = at
    _step(application, "cancel", by=by, at=at, note=note, request=request)
    return application
