"""The demo's default agendas: slot types and weekly opening hours of a site.

`DEFAULT_WEEK` is also what `parcours simulate-orientation --sites K` gives each generated
site, so the simulation and the demo describe the same capacity.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from parcours.accounts.models import Agent, Role
from parcours.appointments.models import OpeningHours, SlotKind, SlotType


@dataclass(frozen=True)
class Period:
    agent: int  # index of the site's agent (0, 1…)
    weekday: int
    starts_at: datetime.time
    ends_at: datetime.time
    kind: str


T = datetime.time
# Three chargés d'orientation per site: 45-minute interviews, and three collective sessions a
# week — 116 seats a week per site, sized so that 7 sites receive Nord's ~30,000 entrants a year
# at 95 % within 30 days (see `parcours simulate-orientation` and docs/orientation.md).
DEFAULT_WEEK: list[Period] = [
    *(Period(0, day, T(9), T(12), SlotKind.INDIVIDUAL) for day in range(5)),
    *(Period(0, day, T(13, 30), T(16, 30), SlotKind.INDIVIDUAL) for day in range(4)),
    *(Period(1, day, T(9), T(12), SlotKind.INDIVIDUAL) for day in (0, 2, 4)),
    *(Period(1, day, T(13, 30), T(16, 30), SlotKind.INDIVIDUAL) for day in (0, 2)),
    *(Period(2, day, T(9), T(12), SlotKind.INDIVIDUAL) for day in (1, 3, 4)),
    *(Period(2, day, T(13, 30), T(16, 30), SlotKind.INDIVIDUAL) for day in (1, 3, 4)),
    Period(1, 1, T(9, 30), T(11, 30), SlotKind.COLLECTIVE),
    Period(1, 3, T(9, 30), T(11, 30), SlotKind.COLLECTIVE),
    Period(0, 4, T(13, 30), T(15, 30), SlotKind.COLLECTIVE),
]
INDIVIDUAL_MINUTES = 45
COLLECTIVE_MINUTES = 120
COLLECTIVE_SEATS = 12


def default_slot_types(departement) -> dict[str, SlotType]:
    individual, _ = SlotType.objects.get_or_create(
        departement=departement,
        kind=SlotKind.INDIVIDUAL,
        defaults={
            "name": "Entretien individuel d'orientation",
            "duration_minutes": INDIVIDUAL_MINUTES,
            "seats": 1,
        },
    )
    collective, _ = SlotType.objects.get_or_create(
        departement=departement,
        kind=SlotKind.COLLECTIVE,
        defaults={
            "name": "Information collective",
            "duration_minutes": COLLECTIVE_MINUTES,
            "seats": COLLECTIVE_SEATS,
        },
    )
    return {SlotKind.INDIVIDUAL: individual, SlotKind.COLLECTIVE: collective}


def install_default_agendas(site, agents: list[Agent] | None = None) -> int:
    """Give a site the default week, with its agents (created when not given). Returns periods created."""
    if OpeningHours.objects.filter(site=site).exists():
        return 0
    types = default_slot_types(site.departement)
    needed = 1 + max(p.agent for p in DEFAULT_WEEK)
    if agents is None:
        agents = []
        for index in range(needed):
            agent, _ = Agent.objects.get_or_create(
                username=f"orientation-{site.departement.code}-{site.code}-{index + 1}".lower(),
                defaults={
                    "role": Role.CHARGE_ORIENTATION,
                    "first_name": "Chargé",
                    "last_name": f"d'orientation {index + 1} — {site.name}"[:150],
                    "is_active": True,
                },
            )
            if site.unit_id:
                agent.units.add(site.unit_id)
            agents.append(agent)
    OpeningHours.objects.bulk_create(
        OpeningHours(
            agent=agents[p.agent % len(agents)], site=site, slot_type=types[p.kind], weekday=p.weekday,
            starts_at=p.starts_at, ends_at=p.ends_at,
        )
        for p in DEFAULT_WEEK
    )  # fmt: skip
    return len(DEFAULT_WEEK)


def weekly_seats(periods: list[Period]) -> int:
    """Seats offered by a week of periods."""
    seats = 0
    for period in periods:
        minutes = (period.ends_at.hour * 60 + period.ends_at.minute) - (
            period.starts_at.hour * 60 + period.starts_at.minute
        )
        if period.kind == SlotKind.COLLECTIVE:
            seats += (minutes // COLLECTIVE_MINUTES) * COLLECTIVE_SEATS
        else:
            seats += minutes // INDIVIDUAL_MINUTES
    return seats
