"""Public holidays and local times of the agendas (Europe/Paris, Alsace-Moselle aware)."""

from __future__ import annotations

import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

PARIS = ZoneInfo("Europe/Paris")

# `holidays` names Moselle "57" and Bas-Rhin/Haut-Rhin "6AE" (Collectivité européenne d'Alsace);
# both add Good Friday and 26 December to the national days.
_SUBDIVISIONS = {"57": "57", "67": "6AE", "68": "6AE"}


@lru_cache(maxsize=64)
def _calendar(departement_code: str, year: int) -> frozenset[datetime.date]:
    subdiv = _SUBDIVISIONS.get(departement_code)
    return frozenset(holidays.France(subdiv=subdiv, years=year))


def is_public_holiday(day: datetime.date, departement_code: str) -> bool:
    """Whether `day` is a public holiday in the département (local days of Alsace-Moselle included)."""
    return day in _calendar(departement_code, day.year)


def local_datetime(day: datetime.date, at: datetime.time) -> datetime.datetime:
    """The aware Europe/Paris instant of a wall-clock time.

    A time that does not exist (skipped by the spring change, e.g. 02:30) moves forward to
    the real instant the clocks show after the change (03:30); an ambiguous autumn time
    takes its first occurrence (summer time).
    """
    naive = datetime.datetime.combine(day, at)
    aware = naive.replace(tzinfo=PARIS, fold=0)
    # Round-trip through UTC: non-existent wall times come back shifted by the gap.
    return aware.astimezone(datetime.UTC).astimezone(PARIS)
