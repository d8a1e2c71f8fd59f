"""The front door's figures (reception.figures): their definitions on a known case, the same
figures recomputed by DuckDB from the event export on a data set made by the demo's replay of the
workflows, and the dashboard page with its export."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import Role
from parcours.core.statistics import quantile
from parcours.demo.agents import create_demo_agents
from parcours.demo.front_door import simulate_front_door
from parcours.reception import event_export, figures, recompute, workflows
from parcours.reception.models import (
    Channel,
    FrontDoorEvent,
    NeedTheme,
    Outcome,
    Tray,
    TrayService,
    WaitReason,
)
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.people.factories import PersonFactory
from tests.reception.factories import RoutingRuleFactory, TrayFactory, member, need
from tests.territory.factories import CommuneFactory, SiteFactory, UnitFactory


@pytest.fixture
def front_door(departement):
    """A small Nord (two units, three communes, a site) with the demo's front door and one month
    of contacts replayed through the workflows."""
    lille = UnitFactory(departement=departement, code="LIL", name="Lille")
    roubaix = UnitFactory(departement=departement, code="RT", name="Roubaix-Tourcoing")
    city = CommuneFactory(
        departement=departement, unit=lille, insee_code="59350", name="Lille", population=200_000
    )
    CommuneFactory(
        departement=departement, unit=roubaix, insee_code="59512", name="Roubaix", population=90_000
    )
    CommuneFactory(
        departement=departement, unit=roubaix, insee_code="59001", name="Abancourt", population=2_000
    )
    SiteFactory(departement=departement, unit=lille, commune=city, kind="utpas", code="UTPAS-LIL")
    PersonFactory.create_batch(6, commune=city)
    create_demo_agents("59")
    outcome = simulate_front_door("59", seed=3, months=1, per_day=4)
    return {"outcome": outcome, "lille": lille, "roubaix": roubaix}


@pytest.mark.django_db
def test_every_figure_equals_the_duckdb_recomputation_of_the_export(front_door, tmp_path):
    assert front_door["outcome"].created and front_door["outcome"].contacts > 20
    today = timezone.localdate()
    first = timezone.localtime(FrontDoorEvent.objects.order_by("occurred_at").first().occurred_at).date()
    path = tmp_path / "accueil.parquet"
    event_export.write(first, today, "parquet", path)
    start, end = today - datetime.timedelta(days=20), today

    computed = figures.flat(figures.compute(start, end))
    assert computed["contacts.count"] > 0
    assert any(key.startswith("closure.") for key in computed)
    assert any(key.startswith("service_level.") for key in computed)
    assert any(key.startswith("rights.") for key in computed)
    assert FrontDoorEvent.objects.filter(kind="accueil.sollicitation", person__isnull=False).exists()
    assert computed == recompute.figures(str(path), start, end)

    lille = front_door["lille"]
    by_unit = figures.flat(figures.compute(start, end, unit_ids=[lille.pk]))
    assert by_unit["contacts.count"] < computed["contacts.count"]
    assert by_unit == recompute.figures(str(path), start, end, unit_codes=[lille.code])

    tray = Tray.objects.get(code="lil-service_social")
    by_tray = figures.flat(figures.compute(start, end, tray_id=tray.pk))
    assert {key for key in by_tray if key.startswith("items.by_tray.")} <= {
        "items.by_tray.lil-service_social"
    }
    assert by_tray == recompute.figures(str(path), start, end, tray_code=tray.code)


@pytest.fixture
def routed(departement):
    """Two trays of one unit, routing housing and budget needs, with one member."""
    unit = UnitFactory(departement=departement, code="U1", name="Unité 1")
    commune = CommuneFactory(departement=departement, unit=unit)
    housing = TrayFactory(departement=departement, unit=unit, code="u1-logement", service=TrayService.HOUSING)
    budget = TrayFactory(
        departement=departement, unit=unit, code="u1-budget", service=TrayService.FINANCIAL_AID
    )
    social = TrayFactory(departement=departement, unit=unit, code="u1-social")
    RoutingRuleFactory(departement=departement, theme=NeedTheme.objects.get(code="logement"), tray=housing)
    RoutingRuleFactory(departement=departement, theme=NeedTheme.objects.get(code="budget"), tray=budget)
    agent = AgentFactory(units=[unit], role=Role.REFERENT)
    for tray in (housing, budget, social):
        member(tray, agent)
    person = PersonFactory(commune=commune)
    return {
        "unit": unit,
        "housing": housing,
        "budget": budget,
        "social": social,
        "agent": agent,
        "person": person,
    }


@pytest.mark.django_db
def test_a_call_with_two_needs_one_transferred_gives_the_expected_figures(routed):
    agent = routed["agent"]
    contact = workflows.record_contact(
        agent,
        channel=Channel.PHONE,
        person=routed["person"],
        needs=[workflows.NeedInput(need=need("logement")), workflows.NeedInput(need=need("budget"))],
    )
    housing_item, budget_item = contact.items.order_by("tray__code").reverse()
    assert housing_item.tray == routed["housing"]
    item = workflows.take(agent, housing_item)
    item = workflows.wait(agent, item, reason=WaitReason.DOCUMENT)
    item = workflows.resume(agent, item)
    workflows.close(agent, item, outcome=Outcome.ANSWERED)
    item = workflows.transfer(agent, budget_item, to_tray=routed["social"], reason="Relève du service social")
    workflows.close(agent, workflows.take(agent, item), outcome=Outcome.ORIENTED)

    today = timezone.localdate()
    result = figures.compute(today, today)

    assert result["contacts"]["count"] == 1
    assert result["contacts"]["by_channel"] == {Channel.PHONE: 1}
    assert result["contacts"]["by_unit"] == {"U1": 1}
    assert result["contacts"]["by_theme"] == {"logement": 1, "budget": 1}
    assert result["items"] == {"created": 2, "by_tray": {"u1-logement": 1, "u1-budget": 1}}
    assert result["transfers"] == {
        "count": 1,
        "items_created": 2,
        "items_transferred": 1,
        "share_transferred": 0.5,
    }
    assert result["outcomes"] == {Outcome.ANSWERED: 1, Outcome.ORIENTED: 1}
    assert set(result["first_action"]) == {"u1-logement", "u1-social"}
    assert set(result["closure"]) == {"u1-logement", "u1-social"}
    assert result["closure"]["u1-logement"]["median_hours"] < 0.1
    assert result["service_level"]["u1-logement.ordinaire"] == {
        "due": 1,
        "within": 1,
        "breaches": 0,
        "share_within": 1.0,
    }
    # The budget tray's item left before any first action: no first action counted there.
    assert "u1-budget.ordinaire" not in result["service_level"]
    assert figures.compute(today, today, tray_id=routed["social"].pk)["contacts"]["count"] == 0
    assert figures.compute(today, today, tray_id=routed["housing"].pk)["contacts"]["count"] == 1


@pytest.mark.django_db
def test_an_overdue_item_escalated_without_first_action_is_a_breach(routed):
    contact = workflows.record_contact(
        routed["agent"], channel=Channel.EMAIL, needs=[workflows.NeedInput(need=need("logement"))]
    )
    item = contact.items.get()
    workflows.escalate_overdue(at=item.due_at + datetime.timedelta(minutes=1))
    end = timezone.localtime(item.due_at).date()
    result = figures.compute(timezone.localdate(), end)
    assert result["service_level"]["u1-logement.ordinaire"] == {
        "due": 1,
        "within": 0,
        "breaches": 1,
        "share_within": 0.0,
    }


def test_quantiles_interpolate_linearly_as_duckdb_does():
    assert quantile([], 0.5) is None
    assert quantile([4.0], 0.9) == 4.0
    assert quantile([1.0, 2.0, 3.0, 10.0], 0.5) == 2.5
    assert quantile([1.0, 2.0, 3.0, 10.0], 0.9) == pytest.approx(7.9)


@pytest.mark.django_db
def test_the_dashboard_shows_the_figures_to_a_manager_and_exports_them(
    client, routed, django_assert_max_num_queries
):
    workflows.record_contact(
        routed["agent"],
        channel=Channel.WALK_IN,
        person=routed["person"],
        needs=[workflows.NeedInput(need=need("logement"))],
    )
    manager = AgentFactory(units=[routed["unit"]], role=Role.MANAGER)
    login_verified(client, manager)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("reception:figures"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sollicitations par canal" in page
    assert "Demandes et délais par bannette" in page
    assert "Accueil physique sans rendez-vous" in page
    # Walkthrough fixes: the filters are DSFR fields (label above, DSFR select), channels and
    # themes appear once (as charts with their data tables), long tables wrap.
    assert 'class="fr-select' in page and 'for="id_bannette"' in page
    assert 'id="front-door-channels"' not in page and 'id="front-door-themes"' not in page
    assert "fr-table--multiline" in page

    response = client.get(reverse("reception:figures"), {"bannette": "u1-logement"})
    assert response.status_code == 200
    export = client.get(reverse("reception:figures_export", args=["csv"]), {"bannette": "u1-logement"})
    assert export.status_code == 200
    lines = export.content.decode().splitlines()
    assert "contacts.count,1" in lines
    assert "items.by_tray.u1-logement,1" in lines
    assert client.get(reverse("reception:figures_export", args=["xlsx"])).status_code == 200
    assert client.get(reverse("reception:figures_export", args=["pdf"])).status_code == 404


@pytest.mark.django_db
def test_the_dashboard_is_refused_to_other_roles_and_other_units(client, routed, departement):
    login_verified(client, routed["agent"])
    assert client.get(reverse("reception:figures")).status_code == 403
    other = UnitFactory(departement=departement, code="U2")
    login_verified(client, AgentFactory(units=[other], role=Role.MANAGER))
    assert client.get(reverse("reception:figures"), {"unite": "U1"}).status_code == 403
