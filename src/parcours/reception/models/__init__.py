"""The front door's models: the needs referential, contacts, routing trays and their items, the
référent de parcours, the access-to-rights checks and the front door's event log."""

from parcours.reception.models.contacts import Callback, CallerRelation, Channel, Contact, Station
from parcours.reception.models.events import FrontDoorEvent
from parcours.reception.models.needs import Need, NeedSituation, NeedTheme, ReferentialEntry
from parcours.reception.models.referents import CharterSignature, ParcoursReferent
from parcours.reception.models.rights import Benefit, RightsCheck, RightState, RightStatus
from parcours.reception.models.telephony import ScreenPop
from parcours.reception.models.trays import (
    ItemState,
    ItemTransition,
    Outcome,
    RoutingRule,
    ServiceLevel,
    Tray,
    TrayItem,
    TrayMember,
    TrayService,
    Urgency,
    WaitReason,
)

__all__ = [
    "Benefit",
    "Callback",
    "CallerRelation",
    "Channel",
    "CharterSignature",
    "Contact",
    "FrontDoorEvent",
    "ItemState",
    "ItemTransition",
    "Need",
    "NeedSituation",
    "NeedTheme",
    "Outcome",
    "ParcoursReferent",
    "ReferentialEntry",
    "RightState",
    "RightStatus",
    "RightsCheck",
    "RoutingRule",
    "ScreenPop",
    "ServiceLevel",
    "Station",
    "Tray",
    "TrayItem",
    "TrayMember",
    "TrayService",
    "Urgency",
    "WaitReason",
]
