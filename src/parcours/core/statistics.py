"""Small shared pieces of the figures computed from event logs (`reception.figures`,
`aids.figures`): a period of Paris days as instants, and the quantile their independent
recomputations (DuckDB's `quantile_cont`) compute the same way."""

from __future__ import annotations

import datetime

from parcours.appointments.calendar import PARIS


def day_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The aware instants [first instant of `start`, first instant after `end`) in Paris."""
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=PARIS)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=PARIS)
    return low, high


def quantile(values: list[float], q: float) -> float | None:
    """The q-quantile by linear interpolation between closest ranks (DuckDB's `quantile_cont`)."""
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def median_p90_hours(hours: list[float]) -> dict:
    """Count, median and 90th percentile of durations in hours, rounded to 2 decimals (as the
    recomputations round)."""
    median, p90 = quantile(hours, 0.5), quantile(hours, 0.9)
    return {
        "count": len(hours),
        "median_hours": round(median, 2) if median is not None else None,
        "p90_hours": round(p90, 2) if p90 is not None else None,
    }
