"""The front door's workflows: contacts, items and their transitions, and the invariants of the
issue (every open item has exactly one tray, every transfer is recorded, a closed item has an
outcome, an information préoccupante goes to the CRIP and waits for its acknowledgement)."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from parcours.appointments.models import Message, MessageKind
from parcours.core.models import AuditAction, AuditEvent
from parcours.reception import event_kinds, workflows
from parcours.reception.models import (
    Callback,
    Channel,
    FrontDoorEvent,
    ItemState,
    ItemTransition,
    Outcome,
    TrayItem,
    TrayService,
    Urgency,
    WaitReason,
)
from parcours.reception.workflows import FrontDoorError, ItemAlreadyTaken, NeedInput
from tests.accounts.factories import AgentFactory
from tests.people.factories import PersonFactory
from tests.reception.factories import (
    RoutingRuleFactory,
    TrayFactory,
    TrayItemFactory,
    member,
    need,
)
from tests.territory.factories import CommuneFactory, UnitFactory


@pytest.fixture
def front(departement):
    """A unit with its social and housing trays, the département's front desk and CRIP, a rule
    sending housing needs to the unit's housing tray, a member per tray."""
    unit = UnitFactory(departement=departement, name="Lille")
    commune = CommuneFactory(departement=departement, unit=unit)
    social = TrayFactory(departement=departement, unit=unit, service=TrayService.SOCIAL, name="Social Lille")
    housing = TrayFactory(
        departement=departement, unit=unit, service=TrayService.HOUSING, name="Logement Lille"
    )
    desk = TrayFactory(departement=departement, unit=None, service=TrayService.FRONT_DESK, name="Accueil 59")
    crip = TrayFactory(departement=departement, crip=True, name="CRIP du Nord")
    RoutingRuleFactory(
        departement=departement,
        position=10,
        label="Logement vers le FSL de l'unité",
        theme=need("logement").situation.theme,
        tray=None,
        service=TrayService.HOUSING,
    )
    RoutingRuleFactory(
        departement=departement,
        position=20,
        label="Budget vers le service social",
        theme=need("budget").situation.theme,
        tray=social,
    )
    return {
        "unit": unit,
        "commune": commune,
        "social": social,
        "housing": housing,
        "desk": desk,
        "crip": crip,
        "operator": AgentFactory(role="accueil"),
        "social_agent": member(social, manager=True),
        "housing_agent": member(housing),
        "crip_agent": member(crip),
    }


def _call(front, *needs, person=None, provisional=None, **kwargs):
    if person is None and provisional is None:
        provisional = {"commune": front["commune"]}
    return workflows.record_contact(
        front["operator"],
        channel=Channel.PHONE,
        needs=list(needs),
        person=person,
        provisional=provisional,
        **kwargs,
    )


def test_a_contact_with_two_needs_becomes_two_items_in_two_trays(front):
    person = PersonFactory(commune=front["commune"])
    contact = _call(
        front,
        NeedInput(need("logement")),
        NeedInput(need("budget"), urgency=Urgency.WITHIN_48H),
        person=person,
    )
    items = {item.tray_id: item for item in contact.items.all()}
    assert set(items) == {front["housing"].pk, front["social"].pk}
    housing = items[front["housing"].pk]
    assert housing.routing_rule.label == "Logement vers le FSL de l'unité"
    assert "première règle applicable" in housing.routing_explanation
    assert housing.person == person and housing.state == ItemState.NEW
    assert housing.due_at > housing.created_at
    kinds = list(FrontDoorEvent.objects.filter(contact=contact).values_list("kind", flat=True))
    assert kinds.count(event_kinds.CONTACT) == 1 and kinds.count(event_kinds.NEED) == 2
    assert ItemTransition.objects.filter(item__contact=contact, name="route").count() == 2
    assert AuditEvent.objects.filter(person=person, action=AuditAction.CREATE).exists()


def test_a_contact_needs_at_least_one_need(front):
    with pytest.raises(FrontDoorError, match="au moins un besoin"):
        _call(front)


def test_no_rule_matches_goes_to_the_front_desk_with_the_explanation(front):
    contact = _call(front, NeedInput(need("sante")))
    item = contact.items.get()
    assert item.tray == front["desk"] and item.routing_rule is None
    assert item.routing_explanation == "Aucune règle ne s'applique : bannette d'accueil du Département"
    unit_desk = TrayFactory(departement=front["unit"].departement, unit=front["unit"], front_desk=True)
    item = _call(front, NeedInput(need("sante"))).items.get()
    assert item.tray == unit_desk
    assert "de l'unité « Lille »" in item.routing_explanation


def test_information_preoccupante_goes_to_the_crip_and_alerts_its_members(front, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    other_crip_member = member(front["crip"])
    contact = _call(front, NeedInput(need("logement"), is_child_concern=True), summary="Voisin inquiet")
    item = contact.items.get()
    assert item.tray == front["crip"] and item.routing_rule is None
    assert item.routing_explanation == "Information préoccupante : transmise à la CRIP"
    alerts = Message.objects.filter(kind=MessageKind.FRONT_DOOR_ALERT)
    assert {m.agent_id for m in alerts} == {front["crip_agent"].pk, other_crip_member.pk}
    assert all("Voisin" not in m.context["text"] for m in alerts)
    assert alerts.first().context["path"] == f"/premier-accueil/demandes/{item.pk}/"
    workflows.take(front["crip_agent"], item)
    with pytest.raises(FrontDoorError, match="accusée par la CRIP"):
        workflows.close(front["crip_agent"], item, outcome=Outcome.ANSWERED)
    with pytest.raises(FrontDoorError, match="reste à la CRIP"):
        workflows.transfer(front["crip_agent"], item, to_tray=front["social"], reason="Suivi")
    with pytest.raises(FrontDoorError, match="Seule la CRIP|membre"):
        workflows.acknowledge_child_concern(front["social_agent"], item)
    workflows.acknowledge_child_concern(front["crip_agent"], item)
    assert FrontDoorEvent.objects.filter(kind=event_kinds.CHILD_CONCERN_ACK, item=item).count() == 1
    with pytest.raises(FrontDoorError, match="déjà été accusée"):
        workflows.acknowledge_child_concern(front["crip_agent"], item)
    item = workflows.close(front["crip_agent"], item, outcome=Outcome.ANSWERED)
    assert item.state == ItemState.CLOSED


def test_a_child_concern_cannot_be_closed_unacknowledged_even_in_the_database(front):
    item = TrayItemFactory(tray=front["crip"], is_child_concern=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrayItem.objects.filter(pk=item.pk).update(
            state=ItemState.CLOSED, outcome=Outcome.ANSWERED, closed_at=timezone.now()
        )


def test_closing_needs_an_outcome_in_the_workflow_and_in_the_database(front):
    item = TrayItemFactory(tray=front["social"])
    with pytest.raises(FrontDoorError, match="Choisissez l'issue"):
        workflows.close(front["social_agent"], item, outcome="")
    with pytest.raises(IntegrityError), transaction.atomic():
        TrayItem.objects.filter(pk=item.pk).update(state=ItemState.CLOSED, closed_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        TrayItem.objects.filter(pk=item.pk).update(outcome=Outcome.ANSWERED)  # open with an outcome
    item = workflows.close(front["social_agent"], item, outcome=Outcome.NO_FOLLOW_UP, decision="Rien à faire")
    assert item.outcome == Outcome.NO_FOLLOW_UP and item.closed_at and item.first_action_at
    closure = FrontDoorEvent.objects.get(kind=event_kinds.CLOSURE, item=item)
    assert closure.outcome == Outcome.NO_FOLLOW_UP and closure.tray == front["social"]


def test_every_transfer_is_recorded_and_restarts_the_clock(front):
    item = TrayItemFactory(tray=front["social"])
    workflows.take(front["social_agent"], item)
    item = workflows.transfer(front["social_agent"], item, to_tray=front["housing"], reason="Dette de loyer")
    assert item.tray == front["housing"] and item.state == ItemState.TRANSFERRED
    assert item.assigned_to is None and item.first_action_at is None and item.transfers == 1
    step = item.transitions.get(name="transfer")
    assert (step.from_tray, step.to_tray, step.reason) == (
        front["social"],
        front["housing"],
        "Dette de loyer",
    )
    event = FrontDoorEvent.objects.get(kind=event_kinds.TRANSFER, item=item)
    assert event.tray == front["housing"] and event.data["from_tray"] == front["social"].pk
    # Two first actions: one per tray.
    workflows.take(front["housing_agent"], item)
    assert FrontDoorEvent.objects.filter(kind=event_kinds.FIRST_ACTION, item=item).count() == 2


def test_a_transfer_needs_a_reason_an_open_tray_and_another_tray(front):
    item = TrayItemFactory(tray=front["social"])
    agent = front["social_agent"]
    with pytest.raises(FrontDoorError, match="motif"):
        workflows.transfer(agent, item, to_tray=front["housing"], reason=" ")
    with pytest.raises(FrontDoorError, match="déjà dans cette bannette"):
        workflows.transfer(agent, item, to_tray=front["social"], reason="x")
    front["housing"].active = False
    front["housing"].save()
    with pytest.raises(FrontDoorError, match="La bannette « Logement Lille » est fermée"):
        workflows.transfer(agent, item, to_tray=front["housing"], reason="x")
    item.refresh_from_db()
    assert item.tray == front["social"] and not item.transitions.filter(name="transfer").exists()


def test_only_members_act_and_only_managers_assign(front):
    item = TrayItemFactory(tray=front["social"])
    with pytest.raises(FrontDoorError, match="pas membre"):
        workflows.take(front["housing_agent"], item)
    plain = member(front["social"])
    with pytest.raises(FrontDoorError, match="responsables"):
        workflows.assign(plain, item, plain)
    with pytest.raises(FrontDoorError, match="n'est pas membre"):
        workflows.assign(front["social_agent"], item, front["housing_agent"])
    item = workflows.assign(front["social_agent"], item, plain)
    assert item.assigned_to == plain and item.state == ItemState.ASSIGNED
    assert item.first_action_at is None  # assigning is not an action towards the person
    other = member(front["social"])
    with pytest.raises(FrontDoorError, match="attribuée à"):
        workflows.start(other, item)
    item = workflows.start(plain, item)
    assert item.state == ItemState.IN_PROGRESS and item.first_action_at is not None


def test_taking_an_item_someone_else_just_took_says_who(front):
    item = TrayItemFactory(tray=front["social"])
    stale = TrayItem.objects.get(pk=item.pk)
    workflows.take(front["social_agent"], item)
    rival = member(front["social"])
    with pytest.raises(ItemAlreadyTaken, match="vient d'être prise par") as raised:
        workflows.take(rival, stale)
    assert str(front["social_agent"].get_full_name()) in raised.value.message
    assert ItemTransition.objects.filter(item=item, name="take").count() == 1


def test_a_transition_from_the_wrong_state_is_refused(front):
    item = TrayItemFactory(tray=front["social"])
    with pytest.raises(FrontDoorError, match="ne s'applique pas"):
        workflows.resume(front["social_agent"], item)


def test_waiting_pauses_the_clock(front, monkeypatch):
    item = TrayItemFactory(tray=front["social"])
    agent = front["social_agent"]
    item = workflows.take(agent, item)
    with pytest.raises(FrontDoorError, match="attend"):
        workflows.wait(agent, item, reason="n'importe")
    start = timezone.now()
    item = workflows.wait(agent, item, reason=WaitReason.DOCUMENT)
    assert item.state == ItemState.WAITING and item.waiting_reason == WaitReason.DOCUMENT
    monkeypatch.setattr(timezone, "now", lambda: start + datetime.timedelta(hours=3))
    item = workflows.resume(agent, item)
    assert item.state == ItemState.IN_PROGRESS and item.waiting_since is None
    assert 3 * 3600 - 5 <= item.waiting_seconds <= 3 * 3600 + 5
    resumed = FrontDoorEvent.objects.get(kind=event_kinds.RESUMED, item=item)
    assert resumed.data["waited_seconds"] == item.waiting_seconds


def test_every_open_item_has_exactly_one_tray(front):
    person = PersonFactory(commune=front["commune"])
    contact = _call(front, NeedInput(need("logement")), NeedInput(need("budget")), person=person)
    first, second = contact.items.order_by("pk")
    workflows.transfer(front["housing_agent"], first, to_tray=front["social"], reason="Mieux placé")
    workflows.take(front["social_agent"], second)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrayItem.objects.filter(pk=second.pk).update(tray=None)
    for item in TrayItem.objects.open():
        assert item.tray_id is not None
        # The last transition's target tray is the item's tray.
        assert item.transitions.order_by("-at", "-pk").first().to_tray_id == item.tray_id


def test_identifying_a_contact_later_keeps_its_history(front):
    contact = _call(
        front,
        NeedInput(need("logement")),
        provisional={"first_name": "Awa", "commune": front["commune"], "phone": "06 11 22 33 44"},
    )
    item = contact.items.get()
    workflows.take(front["housing_agent"], item)
    person = PersonFactory(commune=front["commune"])
    workflows.identify(front["operator"], contact, person)
    item.refresh_from_db()
    contact.refresh_from_db()
    assert contact.person == person and contact.provisional_first_name == "Awa"
    assert item.person == person and item.transitions.count() == 3  # route, take, identify
    assert FrontDoorEvent.objects.filter(contact=contact, kind=event_kinds.NEED).get().person == person
    assert FrontDoorEvent.objects.filter(kind=event_kinds.IDENTIFIED, contact=contact).exists()
    with pytest.raises(FrontDoorError, match="autre personne"):
        workflows.identify(front["operator"], contact, PersonFactory())


def test_a_callback_is_queued_and_completed_once(front):
    due = timezone.now() + datetime.timedelta(hours=1)
    with pytest.raises(FrontDoorError, match="numéro à rappeler"):
        _call(front, NeedInput(need("logement")), callback_at=due)
    contact = _call(
        front,
        NeedInput(need("logement")),
        callback_at=due,
        caller={"relation": "voisin", "phone": "0320000000"},
    )
    callback = Callback.objects.get(contact=contact)
    assert callback.phone == "0320000000" and callback.state == Callback.State.PENDING
    workflows.complete_callback(front["operator"], callback, done=True)
    assert FrontDoorEvent.objects.get(kind=event_kinds.CALLBACK_DONE).data == {"outcome": "fait"}
    with pytest.raises(FrontDoorError, match="déjà été traité"):
        workflows.complete_callback(front["operator"], callback, done=False)


def test_routing_fails_with_a_message_when_no_tray_can_receive(departement):
    operator = AgentFactory(role="accueil")
    with pytest.raises(FrontDoorError, match="aucune bannette d'accueil"):
        workflows.record_contact(operator, channel=Channel.PHONE, needs=[NeedInput(need("logement"))])
    with pytest.raises(FrontDoorError, match="Aucune bannette CRIP"):
        workflows.record_contact(
            operator, channel=Channel.PHONE, needs=[NeedInput(need("enfance"), is_child_concern=True)]
        )


def test_the_first_action_says_whether_it_was_within_the_service_level(front):
    on_time = TrayItemFactory(tray=front["social"])
    late = TrayItemFactory(tray=front["social"])
    workflows.take(front["social_agent"], on_time)
    workflows.take(front["social_agent"], late, at=late.due_at + datetime.timedelta(hours=1))
    events = {e.item_id: e for e in FrontDoorEvent.objects.filter(kind=event_kinds.FIRST_ACTION)}
    assert events[on_time.pk].data["within_sla"] is True
    assert events[late.pk].data["within_sla"] is False
    assert events[late.pk].occurred_at == late.due_at + datetime.timedelta(hours=1)
    assert events[late.pk].data["working_hours"] > events[on_time.pk].data["working_hours"]


def test_identifying_a_contact_attaches_the_rights_checks_made_during_it(front):
    from parcours.reception.models import RightsCheck, RightStatus

    contact = _call(front, NeedInput(need("logement")))
    check = RightsCheck.objects.create(contact=contact, made_by=front["operator"])
    right = RightStatus.objects.create(check_run=check, benefit="rsa", monthly_amount=500)
    person = PersonFactory(commune=front["commune"])
    workflows.identify(front["operator"], contact, person)
    check.refresh_from_db()
    right.refresh_from_db()
    assert check.person == person and right.person == person


def test_a_callback_and_an_escalation_are_dated_when_asked(front):
    at = timezone.now() - datetime.timedelta(days=3)
    contact = _call(front, NeedInput(need("logement")), callback_at=at, callback_phone="0320000000")
    callback = workflows.complete_callback(
        front["operator"], Callback.objects.get(contact=contact), done=True, at=at
    )
    assert callback.done_at == at
    assert FrontDoorEvent.objects.get(kind=event_kinds.CALLBACK_DONE).occurred_at == at
    item = TrayItemFactory(tray=front["social"])
    later = item.due_at + datetime.timedelta(hours=1)
    assert workflows.escalate_overdue(at=later) == 2  # this item and the contact's, both late
    item.refresh_from_db()
    assert item.escalated_at == later
    assert FrontDoorEvent.objects.get(kind=event_kinds.ESCALATION, item=item).occurred_at == later


@pytest.mark.parametrize("count", [2, 6])
def test_a_contact_is_routed_and_written_in_constant_queries(front, django_assert_num_queries, count):
    """The rules and trays are read once per contact, the items, transitions and events written in
    bulk: the same queries for 2 needs as for 6."""
    person = PersonFactory(commune=front["commune"])
    needs = [NeedInput(need("logement" if k % 2 else "budget")) for k in range(count)]
    for needed in needs:  # as the form gives them: with their situation and theme
        needed.need.situation.theme  # noqa: B018
    with django_assert_num_queries(ROUTE_AND_WRITE_QUERIES):
        contact = _call(front, *needs, person=person)
    items = list(contact.items.select_related("tray"))
    assert len(items) == count
    assert {item.tray for item in items} == {front["housing"], front["social"]}
    assert ItemTransition.objects.filter(item__in=items, name="route").count() == count
    kinds = list(FrontDoorEvent.objects.filter(contact=contact).order_by("pk").values_list("kind", flat=True))
    assert kinds == [event_kinds.CONTACT] + [event_kinds.NEED] * count


# SAVEPOINT, contact, rules, trays, service levels, items, transitions, events, audit, RELEASE.
ROUTE_AND_WRITE_QUERIES = 10
