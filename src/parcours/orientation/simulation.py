"""Capacity planning: a discrete-event simulation (SimPy) of the path to the first interview.

Time is in days from a Monday at midnight (Europe/Paris wall clock). Each entrant:

1. has the rights opened at a random instant (Poisson arrivals, `entrants_per_year`);
2. is invited at 9:00 on the first working day after the daily intake (`intake_lag_days`);
3. books through the link (`p_book_before_reminder` before the reminder on day 3,
   `p_book_after_reminder` between the reminder and the expiry) the earliest free seat of
   the three nearest sites; without an answer at the expiry (day 10) is convoked to the
   earliest free individual slot of the nearest site;
4. attends (`p_honoured`), is absent (convoked again) or excused (books again).

Sites are laid on a ring (each site's neighbours are its nearest sites) and each entrant
lives near one site, drawn uniformly. Slots repeat the sites' weekly periods, public
holidays excluded. The measure is the delay from rights opening to the held interview,
for the entrants of one year after a warm-up, with a seeded generator (reproducible).
"""

from __future__ import annotations

import bisect
import datetime
import math
import random
import statistics
from dataclasses import asdict, dataclass, field

import simpy

from parcours.appointments.calendar import is_public_holiday
from parcours.appointments.defaults import (
    COLLECTIVE_MINUTES,
    COLLECTIVE_SEATS,
    DEFAULT_WEEK,
    INDIVIDUAL_MINUTES,
    Period,
)

START = datetime.date(2027, 1, 4)  # a Monday
WARMUP_DAYS = 56


@dataclass
class Behaviour:
    intake_lag_days: float = 1.0
    p_book_before_reminder: float = 0.55
    p_book_after_reminder: float = 0.20
    reminder_day: float = 3.0
    expiry_day: float = 10.0
    p_honoured: float = 0.78
    p_excused: float = 0.06  # the rest is absent
    min_lead_days: float = 1.0
    sites_offered: int = 3


@dataclass
class SiteAgenda:
    """A site's slots: sorted start times (days) and the seats left in each."""

    name: str
    times: list[float] = field(default_factory=list)
    seats: list[int] = field(default_factory=list)
    individual: list[bool] = field(default_factory=list)

    # Every slot before these indexes is full (of any kind / individual): scans start there.
    first_free: int = 0
    first_free_individual: int = 0

    def earliest(self, after: float, individual_only: bool = False) -> int | None:
        seats, individual = self.seats, self.individual
        n = len(seats)
        while self.first_free < n and seats[self.first_free] == 0:
            self.first_free += 1
        while self.first_free_individual < n and (
            seats[self.first_free_individual] == 0 or not individual[self.first_free_individual]
        ):
            self.first_free_individual += 1
        start = self.first_free_individual if individual_only else self.first_free
        i = max(bisect.bisect_left(self.times, after), start)
        while i < n:
            if seats[i] > 0 and (individual[i] or not individual_only):
                return i
            i += 1
        return None


@dataclass
class Result:
    entrants_per_year: int
    sites: int
    weekly_seats: int
    measured: int
    held: int
    mean_days: float
    median_days: float
    p90_days: float
    share_within_30_days: float
    never_held: int

    def as_dict(self) -> dict:
        return asdict(self)


def build_agenda(name: str, periods: list[Period], days: int, departement_code: str = "59") -> SiteAgenda:
    agenda = SiteAgenda(name)
    slots: list[tuple[float, int, bool]] = []
    for offset in range(days):
        day = START + datetime.timedelta(days=offset)
        if is_public_holiday(day, departement_code):
            continue
        for period in periods:
            if period.weekday != day.weekday():
                continue
            begin = period.starts_at.hour * 60 + period.starts_at.minute
            end = period.ends_at.hour * 60 + period.ends_at.minute
            collective = period.kind == "collectif"
            step = COLLECTIVE_MINUTES if collective else INDIVIDUAL_MINUTES
            minute = begin
            while minute + step <= end:
                slots.append((offset + minute / 1440, COLLECTIVE_SEATS if collective else 1, not collective))
                minute += step
    slots.sort()
    agenda.times = [s[0] for s in slots]
    agenda.seats = [s[1] for s in slots]
    agenda.individual = [s[2] for s in slots]
    return agenda


def uniform_week(weekly_individual_slots: int, per_period: int = 8) -> list[Period]:
    """A week of `weekly_individual_slots` 45-minute interviews spread Monday–Friday, in
    parallel periods of at most `per_period` slots from 9:00 (one agent each)."""
    periods = []
    for weekday in range(5):
        count = weekly_individual_slots // 5 + (1 if weekday < weekly_individual_slots % 5 else 0)
        agent = 0
        while count > 0:
            n = min(count, per_period)
            minutes = 9 * 60 + n * INDIVIDUAL_MINUTES
            periods.append(
                Period(
                    agent, weekday, datetime.time(9), datetime.time(minutes // 60, minutes % 60), "individuel"
                )
            )
            count -= n
            agent += 1
    return periods


def weekly_capacity(periods: list[Period]) -> int:
    from parcours.appointments.defaults import weekly_seats

    return weekly_seats(periods)


def _next_working_morning(t: float, holidays_code: str) -> float:
    day = math.floor(t)
    if t - day > 9 / 24:
        day += 1
    while True:
        date = START + datetime.timedelta(days=day)
        if date.weekday() < 5 and not is_public_holiday(date, holidays_code):
            return day + 9 / 24
        day += 1


def simulate(
    entrants_per_year: int,
    site_weeks: list[list[Period]],
    *,
    seed: int = 1,
    behaviour: Behaviour | None = None,
    departement_code: str = "59",
) -> Result:
    """Run the simulation over the given sites' weekly periods; see the module docstring."""
    behaviour = behaviour or Behaviour()
    rng = random.Random(seed)
    env = simpy.Environment()
    horizon = WARMUP_DAYS + 365
    agendas = [
        build_agenda(f"site {i}", week, horizon + 120, departement_code) for i, week in enumerate(site_weeks)
    ]
    n_sites = len(agendas)
    delays: list[float] = []
    measured = [0]

    def nearest(home: int) -> list[int]:
        order = [home]
        step = 1
        while len(order) < min(behaviour.sites_offered, n_sites):
            for candidate in ((home + step) % n_sites, (home - step) % n_sites):
                if candidate not in order and len(order) < behaviour.sites_offered:
                    order.append(candidate)
            step += 1
        return order

    def take(sites: list[int], after: float, individual_only: bool) -> float | None:
        best = None
        for site in sites:
            index = agendas[site].earliest(after, individual_only)
            if index is not None and (best is None or agendas[site].times[index] < best[0]):
                best = (agendas[site].times[index], site, index)
        if best is None:
            return None
        agendas[best[1]].seats[best[2]] -= 1
        return best[0]

    def entrant(opened: float, counted: bool):
        home = rng.randrange(n_sites)
        yield env.timeout(
            _next_working_morning(opened + behaviour.intake_lag_days, departement_code) - env.now
        )
        invited = env.now
        draw = rng.random()
        if draw < behaviour.p_book_before_reminder:
            yield env.timeout(rng.uniform(0, behaviour.reminder_day))
            sites, individual_only = nearest(home), False
        elif draw < behaviour.p_book_before_reminder + behaviour.p_book_after_reminder:
            yield env.timeout(rng.uniform(behaviour.reminder_day, behaviour.expiry_day))
            sites, individual_only = nearest(home), False
        else:
            yield env.timeout(invited + behaviour.expiry_day - env.now)
            sites, individual_only = [home], True
        while True:
            slot = take(sites, env.now + behaviour.min_lead_days, individual_only)
            if slot is None:
                return  # beyond the simulated agendas: never held
            yield env.timeout(slot - env.now)
            outcome = rng.random()
            if outcome < behaviour.p_honoured:
                if counted:
                    delays.append(env.now - opened)
                return
            if outcome < behaviour.p_honoured + behaviour.p_excused:
                yield env.timeout(rng.uniform(0.5, 3))  # books again through the link
                sites, individual_only = nearest(home), False
            else:
                yield env.timeout(1)  # the chargé d'orientation convokes again
                sites, individual_only = [home], True

    def arrivals():
        rate = entrants_per_year / 365
        while env.now < horizon:
            yield env.timeout(rng.expovariate(rate))
            counted = WARMUP_DAYS <= env.now < horizon
            measured[0] += counted
            env.process(entrant(env.now, counted))

    env.process(arrivals())
    env.run(until=horizon + 120)
    delays.sort()
    held = len(delays)
    within = sum(1 for d in delays if d <= 30)
    total = measured[0] or 1
    return Result(
        entrants_per_year=entrants_per_year,
        sites=n_sites,
        weekly_seats=sum(weekly_capacity(week) for week in site_weeks),
        measured=measured[0],
        held=held,
        mean_days=round(statistics.fmean(delays), 2) if delays else math.inf,
        median_days=round(statistics.median(delays), 2) if delays else math.inf,
        p90_days=round(delays[int(0.9 * (held - 1))], 2) if delays else math.inf,
        # Share of all measured entrants (an interview never held counts as late).
        share_within_30_days=round(within / total, 4),
        never_held=measured[0] - held,
    )


def minimum_weekly_slots(
    entrants_per_year: int,
    n_sites: int,
    *,
    seed: int = 1,
    share: float = 0.95,
    median_days: float | None = None,
    behaviour: Behaviour | None = None,
) -> tuple[int, Result]:
    """The fewest weekly individual slots (all sites together, spread evenly) that reach `share`
    of interviews held within 30 days (and, if given, a median delay ≤ `median_days`)."""

    def ok(result: Result) -> bool:
        return result.share_within_30_days >= share and (
            median_days is None or result.median_days <= median_days
        )

    def run(total: int) -> Result:
        per_site = [total // n_sites + (1 if i < total % n_sites else 0) for i in range(n_sites)]
        return simulate(
            entrants_per_year, [uniform_week(n) for n in per_site], seed=seed, behaviour=behaviour
        )

    low, high = max(1, entrants_per_year // 52 // 2), max(2, entrants_per_year // 52 * 3)
    best = run(high)
    while not ok(best):  # pragma: no cover - only for extreme behaviours
        high *= 2
        best = run(high)
    while high - low > max(1, high // 100):
        middle = (low + high) // 2
        result = run(middle)
        if ok(result):
            high, best = middle, result
        else:
            low = middle
    return high, best


def default_site_weeks(n_sites: int) -> list[list[Period]]:
    return [list(DEFAULT_WEEK) for _ in range(n_sites)]
