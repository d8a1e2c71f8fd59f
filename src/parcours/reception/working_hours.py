"""Working hours of the front door's service levels.

The documented working week: Monday to Friday, 9:00–12:30 and 13:30–17:00 Europe/Paris (7 hours a
day), French public holidays of the département excluded (`parcours.appointments.calendar`,
Alsace-Moselle aware). A service level « première action sous N heures ouvrées » gives the due
instant `add_working_hours(entered_at, N)`; the time an item actually took, in working hours, is
`working_hours_between(a, b)`.
"""

from __future__ import annotations

import datetime

from django.conf import settings

from parcours.appointments.calendar import PARIS, is_public_holiday, local_datetime

# The opening periods of a working day, local wall-clock times.
PERIODS = (
    (datetime.time(9, 0), datetime.time(12, 30)),
    (datetime.time(13, 30), datetime.time(17, 0)),
)
HOURS_PER_DAY = 7


def _departement(departement_code: str | None) -> str:
    return departement_code or settings.PARCOURS_DEPARTEMENT


def is_working_day(day: datetime.date, departement_code: str | None = None) -> bool:
    return day.weekday() < 5 and not is_public_holiday(day, _departement(departement_code))


def _periods_from(moment: datetime.datetime, departement_code: str):
    """The working periods (aware start, aware end) from `moment` on, the first one clipped."""
    day = moment.astimezone(PARIS).date()
    while True:
        if is_working_day(day, departement_code):
            for start, end in PERIODS:
                start_at, end_at = local_datetime(day, start), local_datetime(day, end)
                if end_at <= moment:
                    continue
                yield max(start_at, moment), end_at
        day += datetime.timedelta(days=1)


def add_working_hours(
    start: datetime.datetime, hours: float, *, departement_code: str | None = None
) -> datetime.datetime:
    """The instant `hours` working hours after `start` (aware). A start outside the working hours
    counts from the next opening: Friday 16:00 + 2 h is Monday 10:00 (if Monday is worked)."""
    departement_code = _departement(departement_code)
    remaining = datetime.timedelta(hours=hours)
    for period_start, period_end in _periods_from(start, departement_code):
        length = period_end - period_start
        if remaining <= length:
            if remaining <= datetime.timedelta(0):
                return period_start
            return period_start + remaining
        remaining -= length
    raise AssertionError("unreachable")  # pragma: no cover - the generator is endless


def working_hours_between(
    a: datetime.datetime, b: datetime.datetime, *, departement_code: str | None = None
) -> float:
    """Working hours between `a` and `b` (0 if `b` is not after `a`), as a float."""
    if b <= a:
        return 0.0
    departement_code = _departement(departement_code)
    total = datetime.timedelta(0)
    for period_start, period_end in _periods_from(a, departement_code):
        if period_start >= b:
            break
        total += min(period_end, b) - period_start
    return total.total_seconds() / 3600
