"""The aids' models: the scheme catalogue (versioned), applications and their documents,
budget envelopes, commission sessions, payments and recoveries, and the event log."""

from parcours.aids.models.applications import (
    TRANSITIONS,
    AidApplication,
    ApplicationDocument,
    ApplicationState,
    ApplicationTransition,
    DocumentStatus,
    PayeeKind,
    RefusalReason,
    SubsidiarityStatus,
    Transition,
)
from parcours.aids.models.commissions import CommissionSession, SessionState
from parcours.aids.models.envelopes import Envelope
from parcours.aids.models.events import AidEvent
from parcours.aids.models.facts import ChildProtectionPlacement
from parcours.aids.models.payments import (
    BatchState,
    Payment,
    PaymentBatch,
    PaymentState,
    Recovery,
    RecoveryState,
)
from parcours.aids.models.schemes import AmountKind, ClockKind, Decider, Scheme, SchemeFamily, SchemeVersion

__all__ = [
    "TRANSITIONS",
    "AidApplication",
    "AidEvent",
    "AmountKind",
    "ApplicationDocument",
    "ApplicationState",
    "ApplicationTransition",
    "BatchState",
    "ChildProtectionPlacement",
    "ClockKind",
    "CommissionSession",
    "Decider",
    "DocumentStatus",
    "Envelope",
    "PayeeKind",
    "Payment",
    "PaymentBatch",
    "PaymentState",
    "Recovery",
    "RecoveryState",
    "RefusalReason",
    "Scheme",
    "SchemeFamily",
    "SchemeVersion",
    "SessionState",
    "SubsidiarityStatus",
    "Transition",
]
