import json

import pytest
from django.core.management import CommandError, call_command

from parcours.appointments.models import OpeningHours, Slot
from parcours.orientation.models import PreOrientationRule
from parcours.orientation.simulation import (
    default_site_weeks,
    minimum_weekly_slots,
    simulate,
    uniform_week,
)
from tests.territory.factories import SiteFactory


def test_simulation_is_reproducible_and_capacity_matters():
    ample = simulate(1500, default_site_weeks(2), seed=3)
    assert ample == simulate(1500, default_site_weeks(2), seed=3)
    assert ample.share_within_30_days > 0.95
    assert ample.median_days <= ample.p90_days
    scarce = simulate(1500, [uniform_week(10)], seed=3)
    assert scarce.weekly_seats == 10
    assert scarce.share_within_30_days < 0.5
    assert scarce.median_days > ample.median_days


def test_minimum_weekly_slots_reaches_the_goal_and_one_less_does_not():
    slots, result = minimum_weekly_slots(1500, 2, seed=2)
    assert result.share_within_30_days >= 0.95
    per_site = [(slots - 1) // 2 + (1 if i < (slots - 1) % 2 else 0) for i in range(2)]
    below = simulate(1500, [uniform_week(n) for n in per_site], seed=2)
    assert below.share_within_30_days < 0.95


def test_command_json_with_generated_sites(capsys):
    call_command("simulate_orientation", "--entrants-per-year", "800", "--sites", "2", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["configured"]["sites"] == 2
    assert report["at_minimum_95"]["share_within_30_days"] >= 0.95
    assert report["minimum_weekly_slots_goal"] >= report["minimum_weekly_slots_95_within_30_days"]


@pytest.mark.django_db
def test_command_without_sites_needs_configured_agendas():
    with pytest.raises(CommandError, match="--sites"):
        call_command("simulate_orientation", "--entrants-per-year", "800")


@pytest.mark.django_db
def test_demo_agendas_then_simulation_on_them(departement, capsys):
    SiteFactory(departement=departement, kind="mdie")
    call_command("create_demo_agendas", "--departement", "59", "--weeks", "1")
    assert OpeningHours.objects.count() == 23
    assert Slot.objects.exists()
    assert PreOrientationRule.objects.filter(departement=departement).count() == 5
    capsys.readouterr()
    call_command("simulate_orientation", "--entrants-per-year", "600", "--json")
    assert json.loads(capsys.readouterr().out)["configured"]["weekly_seats"] == 116
