"""`parcours demo-front-door`: the demo's front door, replayed through the workflows."""

import pytest
from django.core.management import CommandError, call_command

from parcours.accounts.models import Agent, OrganisationKind
from parcours.demo.agents import DEMO_PASSWORD, create_demo_agents
from parcours.reception.models import (
    CharterSignature,
    Contact,
    FrontDoorEvent,
    ItemState,
    ItemTransition,
    RightStatus,
    RoutingRule,
    Tray,
    TrayItem,
    TrayService,
)


@pytest.mark.django_db
def test_demo_front_door_replays_contacts_through_the_workflows(territory, capsys):
    create_demo_agents("59")
    call_command("demo_front_door", "--departement", "59", "--seed", "1", "--months", "1", "--per-day", "3")
    assert "sollicitation" in capsys.readouterr().out

    operator, manager, ccas = (
        Agent.objects.get(username=name) for name in ("demo.operateur", "demo.bannette", "demo.ccas")
    )
    assert operator.check_password(DEMO_PASSWORD) and manager.check_password(DEMO_PASSWORD)
    assert ccas.organisation.kind == OrganisationKind.CCAS and not ccas.units.exists()
    assert ccas.tray_memberships.get().tray.service == TrayService.PARTNER
    assert manager.tray_memberships.filter(is_manager=True).count() == 7
    # 2 units × 7 services, the CRIP and two partner CCAS, which signed the charter.
    assert Tray.objects.count() == 2 * 7 + 1 + 2
    assert CharterSignature.objects.filter(organisation__kind=OrganisationKind.CCAS).count() == 2
    assert RoutingRule.objects.filter(active=True).count() >= 8

    contacts = Contact.objects.all()
    assert contacts.count() > 20
    assert set(contacts.values_list("taken_by__username", flat=True)) == {"demo.operateur"}
    assert len(set(contacts.values_list("channel", flat=True))) >= 3
    items = TrayItem.objects.all()
    assert items.filter(state=ItemState.CLOSED).exists() and items.open().exists()
    assert not items.filter(state=ItemState.CLOSED, outcome="").exists()
    child_concern = items.get(is_child_concern=True)
    assert child_concern.tray.service == TrayService.CRIP and child_concern.crip_acknowledged_at is not None
    # Every item has its route transition and its need event: written by the workflows.
    assert ItemTransition.objects.filter(name="route").count() == items.count()
    assert FrontDoorEvent.objects.filter(kind="accueil.besoin").count() == items.count()
    assert (
        FrontDoorEvent.objects.filter(kind="accueil.cloture").count()
        == items.filter(state=ItemState.CLOSED).count()
    )
    assert RightStatus.objects.exists()
    # The partner CCAS agent finds work in their tray: the last days' needs routed there by the rules.
    assert items.open().filter(tray=ccas.tray_memberships.get().tray).exists()
    # Dated in the past month, not all now.
    assert (
        contacts.order_by("received_at").first().received_at.date()
        < contacts.order_by("received_at").last().received_at.date()
    )

    count = contacts.count()
    call_command("demo_front_door", "--departement", "59", "--months", "1")
    assert "rien à faire" in capsys.readouterr().out
    assert Contact.objects.count() == count


@pytest.mark.django_db
def test_demo_front_door_asks_for_the_demo_accounts_first(territory):
    with pytest.raises(CommandError, match="create-demo-agents"):
        call_command("demo_front_door", "--departement", "59")
