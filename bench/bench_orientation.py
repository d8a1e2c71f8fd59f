"""Orientation benchmarks.

1. `parcours simulate-orientation --entrants-per-year 30000 --sites 7 --json` with the demo's
   default agendas: delay from rights opening to held interview, and the minimum weekly
   capacity reaching the goal (95 % within 30 days, median ≤ 14 days).
2. Planning the invitations of one month's 3,000 entrants (`plan_invitations`, delivery
   excluded) on PostgreSQL (SQLite when no benchmark server): goal < 5 s.
"""

import json
import os
import sys
import time

from bench.common import PARCOURS, figure, migrate, parcours_env, postgres_url, run_measured, sqlite_url

ENTRANTS_PER_MONTH = 3000


def _simulation() -> list[dict]:
    measure = run_measured(
        [PARCOURS, "simulate-orientation", "--entrants-per-year", "30000", "--sites", "7", "--json"],
        env=parcours_env(sqlite_url("orientation-sim")),
    )
    report = json.loads(measure.stdout)
    configured, goal = report["configured"], report["at_minimum_goal"]
    return [
        figure("orientation_sim_default_weekly_seats", configured["weekly_seats"], "seats/week"),
        figure("orientation_sim_default_share_within_30_days", configured["share_within_30_days"], "share", 0.95, "goal"),
        figure("orientation_sim_default_median_days", configured["median_days"], "days", 14, "goal"),
        figure("orientation_sim_default_mean_days", configured["mean_days"], "days"),
        figure("orientation_sim_default_p90_days", configured["p90_days"], "days"),
        figure("orientation_sim_min_weekly_slots_95pct_30d", report["minimum_weekly_slots_95_within_30_days"], "slots/week"),
        figure(
            "orientation_sim_min_weekly_slots_goal", report["minimum_weekly_slots_goal"], "slots/week",
            configured["weekly_seats"], "default agendas",
        ),
        figure("orientation_sim_goal_share_within_30_days", goal["share_within_30_days"], "share", 0.95, "goal"),
        figure("orientation_sim_goal_median_days", goal["median_days"], "days", 14, "goal"),
        figure("orientation_simulate_command_seconds", measure.seconds, "s"),
    ]  # fmt: skip


def _plan_main() -> None:
    """Run inside a Django process: build one month of entrants, time the planning, print JSON."""
    import datetime

    import django

    django.setup()
    from django.utils import timezone

    from parcours.appointments.agendas import generate_slots
    from parcours.appointments.defaults import install_default_agendas
    from parcours.appointments.invitations import plan_invitations
    from parcours.orientation.models import FollowUp, OrientationSettings
    from parcours.people.models import Person
    from parcours.territory.models import Commune, Departement, Site, TerritorialUnit

    dep = Departement.objects.create(code="59", name="Nord")
    OrientationSettings.objects.create(departement=dep, booking_window_days=42)
    unit = TerritorialUnit.objects.create(departement=dep, code="U1", name="Unité")
    communes = Commune.objects.bulk_create(
        Commune(
            insee_code=f"59{i:03d}", departement=dep, name=f"Commune {i}", postal_codes=f"59{i:03d}",
            latitude=50.0 + (i % 10) / 20, longitude=2.5 + (i // 10) / 10, unit=unit,
        )
        for i in range(100)
    )  # fmt: skip
    for k in range(7):
        commune = communes[k * 14]
        site = Site.objects.create(
            departement=dep, kind="mdie", code=f"MDIE{k}", name=f"MDIE {k}", address="1 rue", commune=commune,
            unit=unit, latitude=commune.latitude, longitude=commune.longitude,
        )  # fmt: skip
        install_default_agendas(site)
    today = timezone.localdate()
    generate_slots(today, today + datetime.timedelta(days=45))
    persons = Person.objects.bulk_create(
        Person(
            last_name=f"Nom{i}", first_names="Prénom", birth_date=datetime.date(1980 + i % 30, 1 + i % 12, 1),
            email=f"p{i}@example.test", phone="0600000000", address=f"{i} rue", postal_code="59000",
            commune=communes[i % len(communes)],
        )
        for i in range(ENTRANTS_PER_MONTH)
    )  # fmt: skip
    FollowUp.objects.bulk_create(
        FollowUp(
            person=p, departement=dep, rights_opened_on=today - datetime.timedelta(days=i % 30),
            due_on=today - datetime.timedelta(days=i % 30) + datetime.timedelta(days=30),
        )
        for i, p in enumerate(persons)
    )  # fmt: skip
    started = time.perf_counter()
    result = plan_invitations()
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = plan_invitations()
    rerun = time.perf_counter() - started
    print(
        json.dumps(
            {"seconds": seconds, "invited": len(result.invited), "alerted": len(result.alerted),
             "rerun_seconds": rerun, "rerun_invited": len(again.invited)}
        )
    )  # fmt: skip


def _planning() -> list[dict]:
    url = postgres_url("orientation") or sqlite_url("orientation")
    migrate(url)
    env = parcours_env(url, DJANGO_SETTINGS_MODULE="parcours.settings", PYTHONPATH=os.getcwd())
    measure = run_measured(
        [sys.executable, "-c", "import bench.bench_orientation as b; b._plan_main()"], env=env
    )
    data = json.loads(measure.stdout.strip().splitlines()[-1])
    engine = "postgresql" if url.startswith("postgres") else "sqlite"
    return [
        figure(f"orientation_plan_3000_invitations_seconds_{engine}", data["seconds"], "s", 5.0, "goal"),
        figure(
            "orientation_plan_3000_invited", data["invited"], "invitations", ENTRANTS_PER_MONTH, "entrants"
        ),
        figure("orientation_plan_3000_alerts_no_free_slot", data["alerted"], "follow-ups"),
        figure(f"orientation_plan_rerun_seconds_{engine}", data["rerun_seconds"], "s"),
        figure("orientation_plan_rerun_invited", data["rerun_invited"], "invitations"),
    ]


def run() -> list[dict]:
    return _simulation() + _planning()
