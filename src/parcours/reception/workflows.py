"""The front door's workflows: the only writer of contacts, items, their transitions and the
`FrontDoorEvent` log (but for rights — `reception.rights` — and the référent — `reception.referents`).

Every function either does its whole job in one transaction or raises `FrontDoorError` with a
French message the agent can act on (`ItemAlreadyTaken` when another agent won a race). Each item
transition:
- checks `ITEM_TRANSITIONS` (the states it applies from) and who may do it: members of the item's
  tray (administrators too); `assign` is for the tray's managers; once an item is attributed,
  start / wait / resume / close are for its assignee or a manager;
- applies a conditional UPDATE on (pk, state, tray, assigned_to) as read, so that two concurrent
  actions cannot both win: the loser gets `ItemAlreadyTaken` (someone holds it now) or
  `FrontDoorError` (it changed meanwhile);
- appends an `ItemTransition` (who, when, from which state and tray to which), the
  `FrontDoorEvent`s of `reception.event_kinds`, and an audit record when a person is concerned.

Each transition is dated now, or `at` when given (the demo replays past months; tests).

The clock: `due_at` = entry in the tray + the tray's service level for the item's urgency, in
working hours (`reception.working_hours`). The *first action* — take, start, wait or close by a
member — stops it (`first_action_at`, one `FIRST_ACTION` event per item and tray); assigning by a
manager is not an action towards the person and does not stop it. A transfer restarts the clock
in the new tray (new `due_at`, `first_action_at` and `escalated_at` cleared). Waiting pauses the
time to closure (`waiting_seconds`).

An *information préoccupante* goes to the CRIP tray at once (`reception.routing`), every member of
that tray gets an alert (no personal data in it), it cannot leave the CRIP nor be closed before a
CRIP member acknowledged it (`acknowledge_child_concern`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from parcours.core import audit
from parcours.core.models import AuditAction
from parcours.reception import event_kinds
from parcours.reception.models import (
    Callback,
    Contact,
    FrontDoorEvent,
    ItemState,
    ItemTransition,
    Need,
    Outcome,
    Tray,
    TrayItem,
    TrayMember,
    Urgency,
    WaitReason,
)
from parcours.reception.models.contacts import CallbackState
from parcours.reception.models.trays import ITEM_TRANSITIONS, TRANSITION_LABELS
from parcours.reception.rights import attach_person
from parcours.reception.routing import NoTrayError, Router, contact_unit
from parcours.reception.working_hours import add_working_hours, working_hours_between

FIRST_ACTIONS = frozenset({"take", "start", "wait", "close"})


class FrontDoorError(Exception):
    """A refused action; `message` is French and tells the agent what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ItemAlreadyTaken(FrontDoorError):
    """Another agent won the race for this item."""


@dataclass
class NeedInput:
    need: Need
    urgency: str = Urgency.ORDINARY
    is_child_concern: bool = False
    note: str = ""


# ---------------------------------------------------------------------------------------------
# Who may act


def is_member(agent, tray: Tray) -> bool:
    if agent.is_administrator:
        return True
    return TrayMember.objects.filter(tray=tray, agent=agent).exists()


def is_manager(agent, tray: Tray) -> bool:
    if agent.is_administrator:
        return True
    return TrayMember.objects.filter(tray=tray, agent=agent, is_manager=True).exists()


def _require_member(agent, tray: Tray) -> None:
    if not is_member(agent, tray):
        raise FrontDoorError(
            f"Vous n'êtes pas membre de la bannette « {tray.name} » : seuls ses membres peuvent agir "
            "sur ses demandes."
        )


def _require_holder(agent, item: TrayItem, what: str) -> None:
    """Once attributed, an item is handled by its assignee (or a manager of its tray)."""
    _require_member(agent, item.tray)
    if item.assigned_to_id and item.assigned_to_id != agent.pk and not is_manager(agent, item.tray):
        raise FrontDoorError(
            f"Cette demande est attribuée à {_name(item.assigned_to)} : seule cette personne ou un "
            f"responsable de la bannette peut {what}."
        )


def _name(agent) -> str:
    if agent is None:
        return "un autre agent"
    return agent.get_full_name() or agent.get_username()


# ---------------------------------------------------------------------------------------------
# Writing


def _event(kind: str, at: datetime.datetime, **fields) -> FrontDoorEvent:
    return FrontDoorEvent.objects.create(kind=kind, occurred_at=at, **fields)


def _audit(agent, person, *, request=None, **detail) -> None:
    if person is not None:
        audit.record(agent, AuditAction.UPDATE, person=person, request=request, **detail)


def due_at_for(tray: Tray, urgency: str, entered_at: datetime.datetime) -> datetime.datetime:
    """When the first action is due for an item of `urgency` entering `tray` at `entered_at`."""
    return add_working_hours(
        entered_at, tray.service_level_hours(urgency), departement_code=tray.departement.code
    )


def _taken(current: TrayItem) -> ItemAlreadyTaken:
    """« Cette demande vient d'être prise par X à HH:MM » for an item `current` held by X."""
    taken = (
        ItemTransition.objects.filter(item=current, name__in=["take", "assign"])
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    when = f" à {timezone.localtime(taken):%H:%M}" if taken else ""
    return ItemAlreadyTaken(
        f"Cette demande vient d'être prise par {_name(current.assigned_to)}{when}. Rechargez la page."
    )


def _lost_race(item: TrayItem) -> FrontDoorError:
    """The error for an agent whose conditional UPDATE matched nothing."""
    current = TrayItem.objects.select_related("assigned_to", "tray").get(pk=item.pk)
    if current.assigned_to_id and current.assigned_to_id != item.assigned_to_id:
        return _taken(current)
    return FrontDoorError(
        f"Cette demande vient de changer (elle est maintenant « {current.get_state_display()} », "
        f"bannette « {current.tray.name} ») : rechargez la page."
    )


def _record_step(item: TrayItem, name: str, kind: str, *, agent, at: datetime.datetime, **fields) -> None:
    """Record a step that leaves the item's state and tray as they are (the CRIP's acknowledgement,
    an escalation): its transition row and its event of `kind`."""
    ItemTransition.objects.create(
        item=item,
        name=name,
        from_state=item.state,
        to_state=item.state,
        from_tray=item.tray,
        to_tray=item.tray,
        agent=agent,
        at=at,
    )
    _event(kind, at, person=item.person, item=item, tray=item.tray, unit=item.tray.unit, **fields)


def _apply(
    agent,
    item: TrayItem,
    name: str,
    *,
    at: datetime.datetime,
    updates: dict | None = None,
    reason: str = "",
    request=None,
) -> TrayItem:
    """Apply transition `name` to `item` (the state read by the caller) with a conditional UPDATE.
    Writes the transition row, the FIRST_ACTION event when due, and the audit record."""
    sources, target = ITEM_TRANSITIONS[name]
    if item.state not in sources:
        raise FrontDoorError(
            f"Impossible : « {TRANSITION_LABELS[name]} » ne s'applique pas à une demande "
            f"« {item.get_state_display()} »."
        )
    updates = dict(updates or {})
    first_action = name in FIRST_ACTIONS and item.first_action_at is None and "first_action_at" not in updates
    if first_action:
        updates["first_action_at"] = at
    from_state, from_tray = item.state, item.tray
    with transaction.atomic():
        changed = TrayItem.objects.filter(
            pk=item.pk, state=item.state, tray_id=item.tray_id, assigned_to_id=item.assigned_to_id
        ).update(state=target, **updates)
        if not changed:
            raise _lost_race(item)
        item.refresh_from_db()
        ItemTransition.objects.create(
            item=item,
            name=name,
            from_state=from_state,
            to_state=target,
            from_tray=from_tray,
            to_tray=item.tray,
            agent=agent,
            at=at,
            reason=reason[:500],
        )
        if first_action:
            _event(
                event_kinds.FIRST_ACTION,
                at,
                person=item.person,
                item=item,
                tray=from_tray,
                unit=from_tray.unit,
                urgency=item.urgency,
                data={
                    "due_at": item.due_at.isoformat(),
                    "within_sla": at <= item.due_at,
                    "working_hours": round(
                        working_hours_between(
                            item.tray_entered_at, at, departement_code=from_tray.departement.code
                        ),
                        2,
                    ),
                },
            )
        _audit(agent, item.person, request=request, item=item.pk, transition=name)
    return item


def _waited_seconds(item: TrayItem, at: datetime.datetime) -> int:
    if item.waiting_since is None:
        return 0
    return max(0, int((at - item.waiting_since).total_seconds()))


# ---------------------------------------------------------------------------------------------
# Contacts


def _alert_crip(item: TrayItem) -> None:
    """Queue an alert to every member of the CRIP tray (no personal data) and deliver it after
    the commit."""
    from parcours.appointments import notifications
    from parcours.appointments.models import Channel, Message, MessageKind

    path = reverse("reception:item", args=[item.pk])
    text = (
        f"Une information préoccupante vient d'arriver dans la bannette « {item.tray.name} » "
        f"(demande n° {item.pk}). Elle doit être accusée par la CRIP."
    )
    ids = []
    members = TrayMember.objects.filter(tray=item.tray, agent__is_active=True).select_related("agent")
    for member in members:
        for message in notifications.queue(
            MessageKind.FRONT_DOOR_ALERT,
            [Channel.EMAIL],
            agent=member.agent,
            context={"text": text, "path": path},
        ):
            ids.append(message.pk)
    if ids:
        transaction.on_commit(
            lambda: notifications.deliver(Message.objects.filter(pk__in=ids).order_by("id"))
        )


def _create_items(
    agent, contact: Contact, needs: list[NeedInput], at: datetime.datetime, *, contact_event: FrontDoorEvent
) -> list[TrayItem]:
    """Route every need (`routing.Router`: rules and trays read once) and write, in bulk, the
    items, their `route` transitions and their NEED events — after the contact's own CONTACT event
    (`contact_event`, unsaved), so that the log keeps its order. Alerts the CRIP per child concern."""
    router = Router(contact)
    routed = []
    for need_input in needs:
        try:
            routed.append((need_input, *router.route(need_input)))
        except NoTrayError as error:
            raise FrontDoorError(str(error)) from error
    items = TrayItem.objects.bulk_create(
        TrayItem(
            contact=contact,
            person=contact.person,
            need=need_input.need,
            urgency=need_input.urgency,
            is_child_concern=need_input.is_child_concern,
            note=need_input.note[:1000],
            tray=tray,
            routing_rule=rule,
            routing_explanation=explanation[:300],
            state=ItemState.NEW,
            created_at=at,
            tray_entered_at=at,
            due_at=due_at_for(tray, need_input.urgency, at),
        )
        for need_input, tray, rule, explanation in routed
    )
    ItemTransition.objects.bulk_create(
        ItemTransition(
            item=item,
            name="route",
            from_state="",
            to_state=ItemState.NEW,
            from_tray=None,
            to_tray=item.tray,
            agent=agent,
            at=at,
            reason=explanation[:500],
        )
        for item, (_, _, _, explanation) in zip(items, routed, strict=True)
    )
    FrontDoorEvent.objects.bulk_create(
        [contact_event]
        + [
            FrontDoorEvent(
                kind=event_kinds.NEED,
                occurred_at=at,
                person=contact.person,
                contact=contact,
                item=item,
                tray=item.tray,
                unit=item.tray.unit,
                theme=need_input.need.situation.theme.code,
                urgency=need_input.urgency,
                channel=contact.channel,
                data={"rule": rule.pk if rule else None, "child_concern": need_input.is_child_concern},
            )
            for item, (need_input, _, rule, _) in zip(items, routed, strict=True)
        ]
    )
    for item in items:
        if item.is_child_concern:
            _alert_crip(item)
    return items


def record_contact(
    agent,
    *,
    channel: str,
    needs: list[NeedInput],
    person=None,
    received_at: datetime.datetime | None = None,
    duration_seconds: int | None = None,
    site=None,
    station=None,
    provisional: dict | None = None,
    caller: dict | None = None,
    summary: str = "",
    callback_at: datetime.datetime | None = None,
    callback_phone: str = "",
    request=None,
) -> Contact:
    """Record a contact taken by `agent` and route each need to a tray (one item per need).

    `provisional` (first_name, last_name, commune, phone) describes a person not yet identified;
    `caller` (relation, name, phone, organisation) the caller when it is not the person. A
    callback is queued when `callback_at` is given (to `callback_phone`, else the caller's or the
    provisional phone). Raises FrontDoorError without writing anything when a need cannot be
    routed or the callback has no number."""
    if not needs:
        raise FrontDoorError("Indiquez au moins un besoin exprimé.")
    at = received_at or timezone.now()
    provisional = provisional or {}
    caller = caller or {}
    if site is None and station is not None:
        site = station.site
    phone = callback_phone or caller.get("phone", "") or provisional.get("phone", "")
    if person is None:
        phone = phone or ""
    elif not phone:
        phone = getattr(person, "phone", "") or ""
    if callback_at is not None and not phone:
        raise FrontDoorError("Indiquez le numéro à rappeler.")
    with transaction.atomic():
        contact = Contact.objects.create(
            channel=channel,
            received_at=at,
            duration_seconds=duration_seconds,
            taken_by=agent,
            site=site,
            station=station,
            person=person,
            identified_at=at if person is not None else None,
            identified_by=agent if person is not None else None,
            provisional_first_name=provisional.get("first_name", "") or "",
            provisional_last_name=provisional.get("last_name", "") or "",
            provisional_commune=provisional.get("commune"),
            provisional_phone=provisional.get("phone", "") or "",
            caller_relation=caller.get("relation", "") or "",
            caller_name=caller.get("name", "") or "",
            caller_phone=caller.get("phone", "") or "",
            caller_organisation=caller.get("organisation", "") or "",
            summary=summary,
        )
        contact_event = FrontDoorEvent(
            kind=event_kinds.CONTACT,
            occurred_at=at,
            person=person,
            contact=contact,
            unit=contact_unit(contact),
            channel=channel,
            data={
                "caller": contact.caller_relation,
                "duration_seconds": duration_seconds,
                "station": station.code if station is not None else "",
            },
        )
        _create_items(agent, contact, needs, at, contact_event=contact_event)
        if callback_at is not None:
            Callback.objects.create(
                contact=contact, due_at=callback_at, phone=phone, created_by=agent, created_at=at
            )
        if person is not None:
            audit.record(
                agent,
                AuditAction.CREATE,
                person=person,
                request=request,
                contact=contact.pk,
                needs=len(needs),
            )
    return contact


def identify(
    agent, contact: Contact, person, *, request=None, at: datetime.datetime | None = None
) -> Contact:
    """Set `person` on a contact recorded without it, on its items and on the rights checks made
    during it (`rights.attach_person`); the provisional data and the whole history stay.
    Identifying it again as the same person does nothing."""
    if contact.person_id == person.pk:
        return contact
    if contact.person_id is not None:
        raise FrontDoorError("Cette sollicitation est déjà rattachée à une autre personne.")
    at = at or timezone.now()
    with transaction.atomic():
        changed = Contact.objects.filter(pk=contact.pk, person__isnull=True).update(
            person=person, identified_at=at, identified_by=agent
        )
        if not changed:
            raise FrontDoorError(
                "Cette sollicitation vient d'être rattachée à une personne : rechargez la page."
            )
        contact.refresh_from_db()
        items = list(TrayItem.objects.filter(contact=contact))
        TrayItem.objects.filter(contact=contact).update(person=person)
        ItemTransition.objects.bulk_create(
            ItemTransition(
                item=item,
                name="identify",
                from_state=item.state,
                to_state=item.state,
                from_tray_id=item.tray_id,
                to_tray_id=item.tray_id,
                agent=agent,
                at=at,
            )
            for item in items
        )
        FrontDoorEvent.objects.filter(contact=contact, person__isnull=True).update(person=person)
        FrontDoorEvent.objects.filter(item__in=items, person__isnull=True).update(person=person)
        attach_person(contact, person)  # the rights checks made during the contact
        _event(event_kinds.IDENTIFIED, at, person=person, contact=contact, channel=contact.channel)
        audit.record(
            agent, AuditAction.UPDATE, person=person, request=request, contact=contact.pk, identified=True
        )
    return contact


# ---------------------------------------------------------------------------------------------
# Items


def take(agent, item: TrayItem, *, request=None, at: datetime.datetime | None = None) -> TrayItem:
    """The agent takes a new (or just transferred) item of one of their trays."""
    _require_member(agent, item.tray)
    if item.assigned_to_id and item.state not in ITEM_TRANSITIONS["take"][0]:
        if item.assigned_to_id == agent.pk:
            raise FrontDoorError("Vous avez déjà pris cette demande.")
        raise _taken(item)
    at = at or timezone.now()
    return _apply(agent, item, "take", at=at, updates={"assigned_to": agent}, request=request)


def assign(agent, item: TrayItem, to_agent, *, request=None, at: datetime.datetime | None = None) -> TrayItem:
    """A manager of the item's tray attributes it to a member of that tray."""
    if not is_manager(agent, item.tray):
        raise FrontDoorError(
            f"Seuls les responsables de la bannette « {item.tray.name} » peuvent attribuer ses demandes."
        )
    if not TrayMember.objects.filter(tray=item.tray, agent=to_agent).exists():
        raise FrontDoorError(f"{_name(to_agent)} n'est pas membre de la bannette « {item.tray.name} ».")
    at = at or timezone.now()
    updates: dict = {"assigned_to": to_agent}
    return _apply(
        agent,
        item,
        "assign",
        at=at,
        updates=updates,
        reason=f"Attribuée à {_name(to_agent)}",
        request=request,
    )


def start(agent, item: TrayItem, *, request=None, at: datetime.datetime | None = None) -> TrayItem:
    _require_holder(agent, item, "commencer son traitement")
    return _apply(agent, item, "start", at=at or timezone.now(), request=request)


def wait(
    agent, item: TrayItem, *, reason: str, request=None, at: datetime.datetime | None = None
) -> TrayItem:
    """Pause the item (waiting for the person, a document, a partner): the clock pauses."""
    if reason not in WaitReason.values:
        raise FrontDoorError(
            "Choisissez ce que la demande attend : la personne, un document ou un partenaire."
        )
    _require_holder(agent, item, "la mettre en attente")
    at = at or timezone.now()
    item = _apply(
        agent,
        item,
        "wait",
        at=at,
        updates={"waiting_since": at, "waiting_reason": reason},
        reason=WaitReason(reason).label,
        request=request,
    )
    _event(event_kinds.WAITING, at, person=item.person, item=item, tray=item.tray, data={"reason": reason})
    return item


def resume(agent, item: TrayItem, *, request=None, at: datetime.datetime | None = None) -> TrayItem:
    _require_holder(agent, item, "la reprendre")
    at = at or timezone.now()
    waited = _waited_seconds(item, at)
    item = _apply(
        agent,
        item,
        "resume",
        at=at,
        updates={
            "waiting_since": None,
            "waiting_reason": "",
            "waiting_seconds": F("waiting_seconds") + waited,
        },
        request=request,
    )
    _event(
        event_kinds.RESUMED,
        at,
        person=item.person,
        item=item,
        tray=item.tray,
        data={"waited_seconds": waited},
    )
    return item


def transfer(
    agent, item: TrayItem, *, to_tray: Tray, reason: str, request=None, at: datetime.datetime | None = None
) -> TrayItem:
    """Pass the item to another open tray, with a reason; its clock restarts there."""
    reason = (reason or "").strip()
    if not reason:
        raise FrontDoorError("Indiquez le motif de la transmission.")
    if to_tray.pk == item.tray_id:
        raise FrontDoorError("La demande est déjà dans cette bannette : choisissez-en une autre.")
    if not to_tray.active:
        raise FrontDoorError(f"La bannette « {to_tray.name} » est fermée : choisissez une bannette ouverte.")
    if item.is_child_concern and item.crip_acknowledged_at is None:
        raise FrontDoorError(
            "Une information préoccupante reste à la CRIP tant que celle-ci ne l'a pas accusée."
        )
    _require_member(agent, item.tray)
    at = at or timezone.now()
    waited = _waited_seconds(item, at)
    from_tray_id = item.tray_id
    item = _apply(
        agent,
        item,
        "transfer",
        at=at,
        updates={
            "tray": to_tray,
            "assigned_to": None,
            "tray_entered_at": at,
            "due_at": due_at_for(to_tray, item.urgency, at),
            "first_action_at": None,
            "escalated_at": None,
            "waiting_since": None,
            "waiting_reason": "",
            "waiting_seconds": F("waiting_seconds") + waited,
            "transfers": F("transfers") + 1,
        },
        reason=reason,
        request=request,
    )
    _event(
        event_kinds.TRANSFER,
        at,
        person=item.person,
        item=item,
        tray=to_tray,
        unit=to_tray.unit,
        data={"from_tray": from_tray_id, "reason_given": True},
    )
    return item


def close(
    agent,
    item: TrayItem,
    *,
    outcome: str,
    decision: str = "",
    request=None,
    at: datetime.datetime | None = None,
) -> TrayItem:
    """Close the item with an outcome (required); an information préoccupante only once the CRIP
    acknowledged it."""
    if outcome not in Outcome.values:
        raise FrontDoorError(
            "Choisissez l'issue de la demande (réponse apportée, orientée vers un partenaire, sans suite, "
            "injoignable) avant de la clôturer."
        )
    if item.is_child_concern and item.crip_acknowledged_at is None:
        raise FrontDoorError(
            "Information préoccupante : elle ne peut être clôturée qu'après avoir été accusée par la CRIP."
        )
    _require_holder(agent, item, "la clôturer")
    at = at or timezone.now()
    waited = _waited_seconds(item, at)
    item = _apply(
        agent,
        item,
        "close",
        at=at,
        updates={
            "closed_at": at,
            "outcome": outcome,
            "decision": decision[:1000],
            "waiting_since": None,
            "waiting_reason": "",
            "waiting_seconds": F("waiting_seconds") + waited,
        },
        reason=Outcome(outcome).label,
        request=request,
    )
    _event(
        event_kinds.CLOSURE,
        at,
        person=item.person,
        item=item,
        tray=item.tray,
        unit=item.tray.unit,
        theme=item.need.situation.theme.code,
        urgency=item.urgency,
        outcome=outcome,
        data={
            "waiting_seconds": item.waiting_seconds,
            "open_seconds": int((at - item.created_at).total_seconds()),
        },
    )
    return item


def acknowledge_child_concern(
    agent, item: TrayItem, *, request=None, at: datetime.datetime | None = None
) -> TrayItem:
    """A member of the CRIP tray acknowledges an information préoccupante (once)."""
    if not item.is_child_concern:
        raise FrontDoorError("Cette demande n'est pas une information préoccupante.")
    if item.crip_acknowledged_at is not None:
        raise FrontDoorError("Cette information préoccupante a déjà été accusée par la CRIP.")
    if not item.tray.is_crip:
        raise FrontDoorError("Seule la CRIP accuse réception d'une information préoccupante.")
    _require_member(agent, item.tray)
    at = at or timezone.now()
    with transaction.atomic():
        changed = TrayItem.objects.filter(pk=item.pk, crip_acknowledged_at__isnull=True).update(
            crip_acknowledged_at=at, crip_acknowledged_by=agent
        )
        if not changed:
            raise FrontDoorError("Cette information préoccupante vient d'être accusée par un autre agent.")
        item.refresh_from_db()
        _record_step(item, "acknowledge", event_kinds.CHILD_CONCERN_ACK, agent=agent, at=at)
        _audit(agent, item.person, request=request, item=item.pk, transition="acknowledge")
    return item


def escalate_overdue(at: datetime.datetime | None = None) -> int:
    """Flag the open items whose first action is late and tell their tray's managers, once per
    item (and per tray: a transfer clears the flag). Returns the number of items escalated."""
    from parcours.appointments import notifications
    from parcours.appointments.models import Channel, Message, MessageKind

    at = at or timezone.now()
    candidates = list(
        TrayItem.objects.overdue(at)
        .filter(escalated_at__isnull=True)
        .select_related("tray__unit")
        .order_by("pk")
    )
    managers: dict[int, list] = {}
    escalated = 0
    ids = []
    for item in candidates:
        with transaction.atomic():
            changed = TrayItem.objects.filter(
                pk=item.pk, escalated_at__isnull=True, tray_id=item.tray_id, first_action_at__isnull=True
            ).update(escalated_at=at)
            if not changed:
                continue
            escalated += 1
            _record_step(item, "escalate", event_kinds.ESCALATION, agent=None, at=at, urgency=item.urgency)
            if item.tray_id not in managers:
                managers[item.tray_id] = [
                    member.agent
                    for member in TrayMember.objects.filter(
                        tray_id=item.tray_id, is_manager=True, agent__is_active=True
                    ).select_related("agent")
                ]
            text = (
                f"La demande n° {item.pk} de la bannette « {item.tray.name} » n'a pas eu de première action "
                "dans le délai prévu."
            )
            path = reverse("reception:item", args=[item.pk])
            for manager in managers[item.tray_id]:
                for message in notifications.queue(
                    MessageKind.FRONT_DOOR_ALERT,
                    [Channel.EMAIL],
                    agent=manager,
                    context={"text": text, "path": path},
                ):
                    ids.append(message.pk)
    if ids:
        notifications.deliver(Message.objects.filter(pk__in=ids).select_related("agent").order_by("id"))
    return escalated


def complete_callback(
    agent,
    callback: Callback,
    *,
    done: bool,
    note: str = "",
    request=None,
    at: datetime.datetime | None = None,
) -> Callback:
    """Mark a pending callback done (`done=True`) or cancelled; once."""
    at = at or timezone.now()
    state = CallbackState.DONE if done else CallbackState.CANCELLED
    updates = {"state": state, "done_at": at, "done_by": agent, "attempts": F("attempts") + 1}
    if note:
        updates["reason"] = note[:300]
    with transaction.atomic():
        changed = Callback.objects.filter(pk=callback.pk, state=CallbackState.PENDING).update(**updates)
        if not changed:
            raise FrontDoorError("Ce rappel a déjà été traité : rechargez la page.")
        callback.refresh_from_db()
        contact = callback.contact
        _event(
            event_kinds.CALLBACK_DONE,
            at,
            person=contact.person,
            contact=contact,
            channel=contact.channel,
            data={"outcome": state},
        )
        if contact.person_id:
            _audit(agent, contact.person, request=request, contact=contact.pk, callback=callback.pk)
    return callback
