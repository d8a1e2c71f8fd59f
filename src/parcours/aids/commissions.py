"""Commission sessions: the agenda, the decisions recorded for the whole agenda at once, the
minutes.

- `enlist(application, session, by=…)`: an application « en instruction » or « ajournée » goes on
  the agenda of a planned session (`AidApplication.commission`, then the `to_commission` step);
  `unlist` takes it off before the session is held (back to « en instruction »).
- `record_decisions(session, decisions, by=…)`: one `Decision` per application of the agenda
  (accorder / refuser / ajourner), all or nothing: every row is tried in the same transaction and,
  when one fails (envelope exhausted, rule not met, document missing, reasons missing…),
  `DecisionsRejected` carries each failing row's French message and nothing is recorded. The
  session is then « tenue » (decided_by/at).
- `minutes(session)`: what the minutes say — for each decision of the session, read from the
  aids' event log (the adjourned applications leave the agenda, the log keeps them), the
  reference, the scheme, a minimal identity (name and first-name initial), the decision, the
  amount and the reasons; totals per decision. `minutes_pdf(session)` renders them (WeasyPrint).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from parcours.aids import event_kinds, workflows
from parcours.aids.models import (
    AidApplication,
    AidEvent,
    ApplicationState,
    CommissionSession,
    RefusalReason,
    SessionState,
)
from parcours.aids.money import euros

GRANT, REFUSE, ADJOURN = "accorder", "refuser", "ajourner"
CHOICES = [(GRANT, "Accorder"), (REFUSE, "Refuser"), (ADJOURN, "Ajourner")]
ENLISTABLE_STATES = (ApplicationState.INSTRUCTION, ApplicationState.ADJOURNED)
DECISION_KINDS = {
    event_kinds.GRANTED: "Accordée",
    event_kinds.REFUSED: "Refusée",
    event_kinds.ADJOURNED: "Ajournée",
}


def planned(sessions: QuerySet | None = None) -> QuerySet:
    """Sessions not yet held, the soonest first."""
    sessions = CommissionSession.objects.all() if sessions is None else sessions
    return sessions.filter(state=SessionState.PLANNED).order_by("held_on", "pk")


def agenda(session: CommissionSession) -> QuerySet:
    """The applications on the session's agenda, awaiting its decision (in order of enlisting)."""
    return (
        session.applications.filter(state=ApplicationState.COMMISSION)
        .select_related("person", "scheme", "version", "envelope")
        .order_by("pk")
    )


def enlistable(session: CommissionSession, agent, *, scheme=None) -> QuerySet:
    """Applications `agent` sees that could go on the session's agenda: « en instruction » or
    « ajournée », of a scheme decided by commission, of the session's scheme when it has one."""
    from parcours.core.access import visible_persons

    applications = AidApplication.objects.filter(
        state__in=ENLISTABLE_STATES, version__decider="commission", person__in=visible_persons(agent)
    )
    scheme = session.scheme or scheme
    if scheme is not None:
        applications = applications.filter(scheme=scheme)
    return applications.select_related("person", "scheme").order_by("-emergency", "due_at", "pk")


def _require_planned(session: CommissionSession) -> None:
    if session.state != SessionState.PLANNED:
        raise ValidationError(
            f"La séance du {timezone.localtime(session.held_on):%d/%m/%Y} est tenue : son ordre du jour est clos."
        )


@transaction.atomic
def enlist(
    application: AidApplication, session: CommissionSession, *, by, at=None, request=None
) -> AidApplication:
    """Put `application` on the agenda of the planned `session` (state « en commission »)."""
    session = CommissionSession.objects.select_for_update().get(pk=session.pk)
    _require_planned(session)
    if application.state not in ENLISTABLE_STATES:
        raise ValidationError(
            f"La demande {application.reference} est « {application.get_state_display().lower()} » : seule une "
            "demande en instruction ou ajournée s'inscrit en commission."
        )
    if session.scheme_id and session.scheme_id != application.scheme_id:
        raise ValidationError(f"La séance est réservée au dispositif « {session.scheme} ».")
    application.commission = session
    application.save(update_fields=["commission", "updated_at"])
    note = f"Séance du {timezone.localtime(session.held_on):%d/%m/%Y}"
    return workflows.apply(application, "to_commission", by=by, at=at, note=note, request=request)


@transaction.atomic
def unlist(application: AidApplication, *, by, at=None, request=None) -> AidApplication:
    """Take `application` off the agenda of its planned session (back to « en instruction »)."""
    if application.state != ApplicationState.COMMISSION or application.commission_id is None:
        raise ValidationError("Cette demande n'est inscrite à l'ordre du jour d'aucune séance.")
    _require_planned(application.commission)
    return workflows.apply(
        application, "unlist", by=by, at=at, note="Retirée de l'ordre du jour", request=request
    )


@dataclass
class Decision:
    """One row of the session's decisions form."""

    application: AidApplication
    decision: str  # GRANT, REFUSE or ADJOURN
    amount: Decimal | None = None
    reasons: list[str] = field(default_factory=list)
    note: str = ""


class DecisionsRejected(ValidationError):
    """At least one row failed: nothing was recorded. `errors` maps application ids to messages."""

    def __init__(self, errors: dict[int, list[str]]):
        self.errors = errors
        count = len(errors)
        super().__init__(
            f"{count} décision{'s' if count > 1 else ''} ne peu{'vent' if count > 1 else 't'} pas être "
            "enregistrée(s) : rien n'a été enregistré. Corrigez les lignes signalées puis validez de nouveau."
        )


def _messages(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _record_one(row: Decision, session, by, at, request) -> None:
    kwargs = {"by": by, "at": at, "commission": session, "request": request}
    if row.decision == GRANT:
        workflows.grant(row.application, amount=row.amount, note=row.note, **kwargs)
    elif row.decision == REFUSE:
        workflows.refuse(row.application, reasons=row.reasons, note=row.note, **kwargs)
    elif row.decision == ADJOURN:
        workflows.adjourn(row.application, note=row.note, **kwargs)
    else:
        raise ValidationError("Choisissez une décision : accorder, refuser ou ajourner.")


@transaction.atomic
def record_decisions(
    session: CommissionSession, decisions: list[Decision], *, by, at=None, request=None
) -> CommissionSession:
    """Record the decisions of the whole agenda (every application on it needs one), or none.

    Each row runs in its own savepoint of one transaction, so that every failing row is reported
    (and the rows before it count: the envelope is committed by the grants in order); if any row
    failed, `DecisionsRejected` is raised and the whole transaction is rolled back (no decision,
    no commitment, no message)."""
    at = at or timezone.now()
    session = CommissionSession.objects.select_for_update().get(pk=session.pk)
    _require_planned(session)
    if not by.may_instruct_aids:
        raise ValidationError("Vous n'avez pas qualité pour enregistrer les décisions de la commission.")
    expected = set(agenda(session).values_list("pk", flat=True))
    given = {row.application.pk for row in decisions}
    if not expected:
        raise ValidationError(
            "L'ordre du jour est vide : inscrivez des demandes avant d'enregistrer les décisions."
        )
    errors: dict[int, list[str]] = {}
    for missing in expected - given:
        errors[missing] = ["Choisissez une décision : accorder, refuser ou ajourner."]
    for row in decisions:
        if row.application.pk not in expected:
            errors[row.application.pk] = ["Cette demande n'est pas à l'ordre du jour de la séance."]
            continue
        try:
            with transaction.atomic():
                _record_one(row, session, by, at, request)
        except ValidationError as error:
            errors[row.application.pk] = _messages(error)
    if errors:
        raise DecisionsRejected(errors)
    session.state, session.decided_by, session.decided_at = SessionState.HELD, by, at
    session.save(update_fields=["state", "decided_by", "decided_at"])
    return session


# -- minutes --------------------------------------------------------------------------------


def minimal_identity(person) -> str:
    """The identity the minutes show: the name and the first name's initial (« DUPONT M. »)."""
    initial = (person.first_names or "").strip()[:1].upper()
    return f"{person.last_name.upper()} {initial}.".strip() if initial else person.last_name.upper()


def decision_events(session: CommissionSession) -> QuerySet:
    """The decisions taken in `session`, read from the aids' event log."""
    return (
        AidEvent.objects.filter(kind__in=list(DECISION_KINDS), data__commission=session.pk)
        .select_related("application__person", "application__scheme")
        .order_by("occurred_at", "pk")
    )


def minutes(session: CommissionSession) -> dict:
    """The content of the minutes: rows (one per decision) and totals per decision."""
    reasons = dict(RefusalReason.choices)
    rows, totals = (
        [],
        {label: {"label": label, "count": 0, "amount": Decimal("0")} for label in DECISION_KINDS.values()},
    )
    for event in decision_events(session):
        application = event.application
        label = DECISION_KINDS[event.kind]
        codes = [c for c in (event.reason or "").split(",") if c]
        rows.append(
            {
                "application_id": application.pk,
                "reference": application.reference,
                "scheme": application.scheme.name,
                "identity": minimal_identity(application.person),
                "person_id": application.person_id,
                "emergency": application.emergency,
                "decision": label,
                "amount": euros(event.amount) if event.kind == event_kinds.GRANTED else "",
                "reasons": [reasons.get(c, c) for c in codes],
                "note": application.decision_note if event.kind != event_kinds.GRANTED else "",
            }
        )
        totals[label]["count"] += 1
        if event.kind == event_kinds.GRANTED and event.amount is not None:
            totals[label]["amount"] += event.amount
    for total in totals.values():
        total["amount_text"] = euros(total["amount"]) if total["label"] == "Accordée" else ""
    return {"rows": rows, "totals": list(totals.values())}


def minutes_pdf(session: CommissionSession, context: dict) -> bytes:
    """The minutes as a PDF (`context`: `minutes(session)`, computed once by the caller, who
    audits the persons in it)."""
    from weasyprint import HTML

    html = render_to_string(
        "aids/letters/minutes.html",
        {"session": session, **context, "today": timezone.localdate(), "controller": controller()},
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def controller() -> str:
    """The name of the département, as the letters and minutes sign (« Département du Nord »)."""
    from parcours.privacy.access_export import controller as departement_name

    return departement_name()


def default_held_on() -> datetime.datetime:
    """The next working day at 14:00 (the creation form's default)."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(14, 0)))
