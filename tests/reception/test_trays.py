"""The trays' screens: « Mes bannettes », a tray's queue, an item and its actions, and the
administration of trays, service levels and routing rules."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from parcours.core.models import AuditAction, AuditEvent
from parcours.reception import workflows
from parcours.reception.models import (
    ItemState,
    Outcome,
    RoutingRule,
    ServiceLevel,
    Tray,
    TrayItem,
    TrayMember,
    TrayService,
    Urgency,
)
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.people.factories import PersonFactory
from tests.reception.factories import (
    ContactFactory,
    RoutingRuleFactory,
    TrayFactory,
    TrayItemFactory,
    member,
    need,
)
from tests.territory.factories import CommuneFactory, UnitFactory


@pytest.fixture
def world(departement):
    unit = UnitFactory(departement=departement, name="Lille")
    commune = CommuneFactory(departement=departement, unit=unit)
    tray = TrayFactory(departement=departement, unit=unit, name="Social Lille")
    other = TrayFactory(
        departement=departement, unit=unit, service=TrayService.HOUSING, name="Logement Lille"
    )
    # A partner-like member: no unit, sees persons only through the trays.
    agent = member(tray, manager=True, role="accueil", units=[])
    return {"unit": unit, "commune": commune, "tray": tray, "other": other, "agent": agent}


def _items(world, count, **kwargs):
    for _ in range(count):
        person = PersonFactory(commune=world["commune"])
        TrayItemFactory(tray=world["tray"], contact=ContactFactory(person=person), **kwargs)


def test_my_trays_lists_counts_and_the_oldest_item(client, world):
    now = timezone.now()
    TrayItemFactory(tray=world["tray"], due_at=now - datetime.timedelta(hours=1))
    TrayItemFactory(tray=world["tray"])
    TrayItemFactory(tray=world["other"])  # not a member
    login_verified(client, world["agent"])
    response = client.get(reverse("reception:trays"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Social Lille" in page and "Logement Lille" not in page
    tray = response.context["trays"][0]
    assert (tray.open_count, tray.overdue_count) == (2, 1)
    assert "1 en retard" in page


def test_an_agent_in_no_tray_is_refused(client, world):
    login_verified(client, AgentFactory(role="accueil"))
    assert client.get(reverse("reception:trays")).status_code == 403


def test_the_tray_page_sorts_overdue_first_filters_and_exports(client, world):
    now = timezone.now()
    later = TrayItemFactory(tray=world["tray"], due_at=now + datetime.timedelta(hours=5))
    overdue = TrayItemFactory(tray=world["tray"], due_at=now - datetime.timedelta(hours=1))
    acted = TrayItemFactory(tray=world["tray"], due_at=now + datetime.timedelta(hours=1))
    workflows.take(world["agent"], acted)
    TrayItem.objects.filter(pk=acted.pk).update(due_at=now - datetime.timedelta(hours=3))  # acted: not late
    closed = TrayItemFactory(tray=world["tray"])
    workflows.close(world["agent"], closed, outcome=Outcome.ANSWERED)
    child = TrayItemFactory(
        tray=world["tray"], is_child_concern=True, due_at=now + datetime.timedelta(hours=9)
    )
    login_verified(client, world["agent"])
    url = reverse("reception:tray", args=[world["tray"].pk])
    response = client.get(url)
    rows = [item.pk for item in response.context["rows"]]
    assert rows == [overdue.pk, acted.pk, later.pk, child.pk]
    page = response.content.decode()
    assert "En retard" in page and "Information préoccupante" in page and "ouvrées" in page
    assert [i.pk for i in client.get(url, {"overdue": "on"}).context["rows"]] == [overdue.pk]
    assert [i.pk for i in client.get(url, {"mine": "on"}).context["rows"]] == [acted.pk]
    assert [i.pk for i in client.get(url, {"state": ItemState.CLOSED}).context["rows"]] == [closed.pk]
    htmx = client.get(url, {"urgency": Urgency.ORDINARY}, HTTP_HX_REQUEST="true")
    assert b"<html" not in htmx.content and b"tray-items" in htmx.content
    export = client.get(url, {"export": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    assert export.content.decode("utf-8-sig").count("\n") == 5  # header + 4 open items
    assert AuditEvent.objects.filter(agent=world["agent"], action=AuditAction.EXPORT).exists()


def test_the_tray_page_is_for_its_members(client, world):
    login_verified(client, world["agent"])
    assert client.get(reverse("reception:tray", args=[world["other"].pk])).status_code == 403


# Session, agent, second factor, the agent's predicates, the tray with the agent's membership, the
# count and the page of items, whom the agent may see among the page's persons, the audit of the
# persons shown. 12 before (and an EXISTS over every open item's person); 10 on SQLite now.
TRAY_PAGE_QUERIES = 10


@pytest.mark.parametrize("count", [5, 50])
def test_the_tray_page_query_count_does_not_grow_with_rows(
    client, world, django_assert_max_num_queries, count
):
    _items(world, count)
    login_verified(client, world["agent"])
    url = reverse("reception:tray", args=[world["tray"].pk])
    with django_assert_max_num_queries(TRAY_PAGE_QUERIES):
        response = client.get(url)
    assert len(response.context["rows"]) == count
    # Every person shown is audited.
    assert AuditEvent.objects.filter(agent=world["agent"], action=AuditAction.VIEW).count() == count


def test_the_item_page_shows_the_need_the_rule_the_person_and_the_history(
    client, world, django_assert_max_num_queries
):
    person = PersonFactory(
        commune=CommuneFactory(departement=world["unit"].departement)
    )  # outside any unit of the agent
    rule = RoutingRuleFactory(
        departement=world["unit"].departement, label="Budget au social", tray=world["tray"]
    )
    item = TrayItemFactory(
        tray=world["tray"],
        contact=ContactFactory(person=person, summary="Appel pour une facture"),
        routing_rule=rule,
        routing_explanation="Règle n° 10 « Budget au social » (toute demande) : première règle applicable",
    )
    login_verified(client, world["agent"])
    with django_assert_max_num_queries(16):
        response = client.get(reverse("reception:item", args=[item.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Budget au social" in page and escape(item.need.label) in page
    assert person.last_name.upper() in page and reverse("people:detail", args=[person.pk]) in page
    assert "Orientée vers la bannette" in page  # the history
    assert AuditEvent.objects.filter(agent=world["agent"], person=person, action=AuditAction.VIEW).exists()


def test_an_item_of_another_tray_is_404_and_audited(client, world):
    item = TrayItemFactory(
        tray=world["other"], contact=ContactFactory(person=PersonFactory(last_name="Cachée"))
    )
    login_verified(client, world["agent"])
    response = client.get(reverse("reception:item", args=[item.pk]))
    assert response.status_code == 404 and b"Cach" not in response.content
    assert AuditEvent.objects.filter(agent=world["agent"], action=AuditAction.DENIED).exists()
    response = client.post(reverse("reception:item_action", args=[item.pk, "prendre"]))
    assert response.status_code == 404
    assert TrayItem.objects.get(pk=item.pk).state == ItemState.NEW


def test_take_start_and_close_with_a_confirmation(client, world):
    item = TrayItemFactory(tray=world["tray"])
    login_verified(client, world["agent"])
    action = lambda name: reverse("reception:item_action", args=[item.pk, name])  # noqa: E731
    assert client.post(action("prendre")).status_code == 302
    assert client.post(action("commencer")).status_code == 302
    # Closing without an outcome: the workflow's message, nothing closed.
    response = client.post(action("cloturer"), {"cloture-outcome": ""})
    assert (
        "Choisissez l&#x27;issue" in response.content.decode()
        or "Choisissez l'issue" in response.content.decode()
    )
    # With an outcome: a confirmation first.
    response = client.post(
        action("cloturer"), {"cloture-outcome": Outcome.ANSWERED, "cloture-decision": "Aide FSL demandée"}
    )
    assert b"confirm-close" in response.content
    assert TrayItem.objects.get(pk=item.pk).state == ItemState.IN_PROGRESS
    response = client.post(
        action("cloturer"),
        {
            "cloture-outcome": Outcome.ANSWERED,
            "cloture-decision": "Aide FSL demandée",
            "cloture-confirm": "on",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.outcome, item.decision) == (
        ItemState.CLOSED,
        Outcome.ANSWERED,
        "Aide FSL demandée",
    )


def test_transfer_with_a_confirmation_and_to_a_closed_tray(client, world):
    item = TrayItemFactory(tray=world["tray"])
    closed = TrayFactory(departement=world["unit"].departement, name="Ancienne bannette", active=False)
    login_verified(client, world["agent"])
    url = reverse("reception:item_action", args=[item.pk, "transmettre"])
    response = client.post(url, {"transmission-to_tray": closed.pk, "transmission-reason": "Compétence"})
    assert "La bannette « Ancienne bannette » est fermée" in response.content.decode()
    response = client.post(
        url, {"transmission-to_tray": world["other"].pk, "transmission-reason": "Dette de loyer"}
    )
    assert b"confirm-transfer" in response.content
    response = client.post(
        url,
        {
            "transmission-to_tray": world["other"].pk,
            "transmission-reason": "Dette de loyer",
            "transmission-confirm": "on",
        },
    )
    # No longer a member of the item's tray: back to the tray.
    assert response.status_code == 302 and response["Location"] == reverse(
        "reception:tray", args=[world["tray"].pk]
    )
    item.refresh_from_db()
    assert item.tray == world["other"] and item.transitions.filter(name="transfer").count() == 1


def test_the_loser_of_a_race_is_told_who_took_the_item(client, world):
    item = TrayItemFactory(tray=world["tray"])
    rival = member(world["tray"], first_name="Nadia", last_name="Benali")
    login_verified(client, world["agent"])
    page = client.get(reverse("reception:item", args=[item.pk]))
    assert b'data-action="prendre"' in page.content
    workflows.take(rival, item)  # the rival clicks first
    response = client.post(
        reverse("reception:item_action", args=[item.pk, "prendre"]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and b"<html" not in response.content
    assert "Cette demande vient d&#x27;être prise par Nadia Benali" in response.content.decode()


def test_a_manager_assigns_and_the_crip_acknowledges(client, world, departement):
    item = TrayItemFactory(tray=world["tray"])
    colleague = member(world["tray"])
    login_verified(client, world["agent"])
    client.post(
        reverse("reception:item_action", args=[item.pk, "attribuer"]), {"attribution-to_agent": colleague.pk}
    )
    item.refresh_from_db()
    assert item.assigned_to == colleague
    crip = TrayFactory(departement=departement, crip=True)
    concern = TrayItemFactory(tray=crip, is_child_concern=True)
    member(crip, world["agent"])
    page = client.get(reverse("reception:item", args=[concern.pk])).content.decode()
    assert "Accuser réception (CRIP)" in page
    client.post(reverse("reception:item_action", args=[concern.pk, "accuser"]))
    assert TrayItem.objects.get(pk=concern.pk).crip_acknowledged_at is not None
    tray_page = client.get(reverse("reception:tray", args=[crip.pk]))
    assert not tray_page.context["crip_waiting"]


# Administration -------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, departement):
    return login_verified(client, AgentFactory(role="administrateur"))


def test_administrators_create_close_and_staff_a_tray(admin_client, world):
    response = admin_client.post(
        reverse("reception:admin_trays"),
        {"name": "PMI Lille", "code": "pmi-lille", "service": TrayService.PMI, "unit": world["unit"].pk},
    )
    tray = Tray.objects.get(code="pmi-lille")
    assert response["Location"] == reverse("reception:admin_tray", args=[tray.pk])
    url = reverse("reception:admin_tray", args=[tray.pk])
    nurse = AgentFactory(role="referent")
    admin_client.post(url, {"form": "member", "agent": nurse.pk, "is_manager": "on"})
    assert TrayMember.objects.get(tray=tray, agent=nurse).is_manager
    admin_client.post(url, {"form": "levels", "immediate": 1, "48h": 7, "ordinaire": 21})
    assert tray.service_level_hours(Urgency.WITHIN_48H) == 7
    assert ServiceLevel.objects.filter(tray=tray).count() == 3
    close_url = reverse("reception:admin_tray_close", args=[tray.pk])
    assert b"confirm-form" in admin_client.get(close_url).content
    assert Tray.objects.get(pk=tray.pk).active  # asking is not closing
    admin_client.post(close_url)
    assert not Tray.objects.get(pk=tray.pk).active
    admin_client.post(url, {"form": "reopen"})
    assert Tray.objects.get(pk=tray.pk).active


def test_administrators_order_routing_rules(admin_client, world, departement):
    url = reverse("reception:admin_rules")
    admin_client.post(
        url,
        {
            "label": "Logement",
            "theme": need("logement").situation.theme_id,
            "tray": world["other"].pk,
            "active": "on",
        },
    )
    admin_client.post(url, {"label": "Social de l'unité", "service": TrayService.SOCIAL, "active": "on"})
    response = admin_client.post(url, {"label": "Sans cible", "active": "on"})
    assert "Choisissez la bannette cible ou le service cible" in response.content.decode()
    assert list(RoutingRule.objects.values_list("label", flat=True)) == ["Logement", "Social de l'unité"]
    second = RoutingRule.objects.get(label="Social de l'unité")
    admin_client.post(reverse("reception:admin_rule_move", args=[second.pk]), {"direction": "monter"})
    assert list(RoutingRule.objects.values_list("label", flat=True)) == ["Social de l'unité", "Logement"]
    admin_client.post(
        reverse("reception:admin_rule", args=[second.pk]),
        {"label": "Social de l'unité", "service": TrayService.SOCIAL},
    )
    assert not RoutingRule.objects.get(pk=second.pk).active  # unchecked: deactivated


def test_tray_administration_is_for_administrators(client, world):
    login_verified(client, world["agent"])
    assert client.get(reverse("reception:admin_trays")).status_code == 403
    assert client.get(reverse("reception:admin_rules")).status_code == 403


def test_a_closed_items_person_is_hidden_after_90_days(client, world):
    person = PersonFactory(
        last_name="Ancienne", commune=CommuneFactory(departement=world["unit"].departement)
    )
    item = TrayItemFactory(tray=world["tray"], contact=ContactFactory(person=person))
    workflows.close(world["agent"], item, outcome=Outcome.ANSWERED)
    login_verified(client, world["agent"])
    url = reverse("reception:tray", args=[world["tray"].pk])
    assert b"ANCIENNE" in client.get(url, {"state": ItemState.CLOSED}).content
    TrayItem.objects.filter(pk=item.pk).update(closed_at=timezone.now() - datetime.timedelta(days=100))
    response = client.get(url, {"state": ItemState.CLOSED})
    assert b"ANCIENNE" not in response.content and "hors de votre périmètre" in response.content.decode()
    export = client.get(url, {"state": ItemState.CLOSED, "export": "csv"})
    assert b"ANCIENNE" not in export.content
    page = client.get(reverse("reception:item", args=[item.pk]))
    assert page.status_code == 200 and b"ANCIENNE" not in page.content
