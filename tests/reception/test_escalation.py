"""Service levels: overdue items are flagged, then escalated to the tray's managers once."""

import datetime

import pytest
from django.utils import timezone

from parcours.appointments.calendar import PARIS
from parcours.appointments.models import Message, MessageKind
from parcours.core.schedules import PERIODIC_TASKS
from parcours.reception import event_kinds, tasks, workflows
from parcours.reception.models import FrontDoorEvent, TrayItem, Urgency
from tests.reception.factories import ServiceLevelFactory, TrayFactory, TrayItemFactory, member


@pytest.fixture
def tray(departement, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return TrayFactory(departement=departement, name="Social Lille")


def test_the_service_level_of_the_tray_and_urgency_gives_the_due_date(tray):
    ServiceLevelFactory(tray=tray, urgency=Urgency.IMMEDIATE, first_action_hours=1)
    monday_9 = datetime.datetime(2026, 3, 16, 9, 0, tzinfo=PARIS)
    item = TrayItemFactory(tray=tray, urgency=Urgency.IMMEDIATE, created_at=monday_9)
    assert item.due_at == monday_9 + datetime.timedelta(hours=1)
    ordinary = TrayItemFactory(tray=tray, urgency=Urgency.ORDINARY, created_at=monday_9)  # default 35 h
    assert timezone.localtime(ordinary.due_at).date() == datetime.date(2026, 3, 20)


def test_overdue_items_are_escalated_once_to_the_managers(tray):
    manager = member(tray, manager=True)
    plain = member(tray)
    now = timezone.now()
    late = TrayItemFactory(tray=tray, due_at=now - datetime.timedelta(minutes=1))
    on_time = TrayItemFactory(tray=tray, due_at=now + datetime.timedelta(hours=1))
    acted = TrayItemFactory(tray=tray, due_at=now + datetime.timedelta(hours=1))
    workflows.take(plain, acted)
    TrayItem.objects.filter(pk=acted.pk).update(due_at=now - datetime.timedelta(hours=1))
    assert set(TrayItem.objects.overdue()) == {late}
    assert late.is_overdue and not on_time.is_overdue

    assert tasks.escalate_overdue() == 1
    late.refresh_from_db()
    assert late.escalated_at is not None
    alerts = Message.objects.filter(kind=MessageKind.FRONT_DOOR_ALERT)
    assert [m.agent for m in alerts] == [manager]
    assert alerts.get().context["path"] == f"/premier-accueil/demandes/{late.pk}/"
    assert FrontDoorEvent.objects.filter(kind=event_kinds.ESCALATION, item=late).count() == 1
    assert late.transitions.filter(name="escalate").count() == 1

    assert workflows.escalate_overdue() == 0  # once per item
    assert Message.objects.filter(kind=MessageKind.FRONT_DOOR_ALERT).count() == 1


def test_a_transfer_restarts_the_clock_and_the_escalation_in_the_new_tray(tray, departement):
    other = TrayFactory(departement=departement, name="Logement Lille")
    other_manager = member(other, manager=True)
    agent = member(tray, manager=True)
    item = TrayItemFactory(tray=tray, due_at=timezone.now() - datetime.timedelta(minutes=1))
    workflows.escalate_overdue()
    item.refresh_from_db()
    item = workflows.transfer(agent, item, to_tray=other, reason="Dette de loyer")
    assert item.escalated_at is None and item.due_at > timezone.now()
    TrayItem.objects.filter(pk=item.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    assert workflows.escalate_overdue() == 1
    assert Message.objects.filter(agent=other_manager).count() == 1


def test_escalation_runs_every_fifteen_minutes(settings):
    task = next(t for t in PERIODIC_TASKS if t.func == "parcours.reception.tasks.escalate_overdue")
    assert getattr(settings, task.minutes_setting) == 15
