"""Calendar-month arithmetic, the one definition every app uses.

"N months later" is the same day N calendar months later, or the last day of that month when it
has no such day: 31 January + 1 month = 28 (29) February, 29 February + 12 months = 28 February.
`add_months` works on `datetime.date`; `add_months_to_days` is the same rule vectorised over numpy
arrays of day numbers (days since 1970-01-01), for the indicators. "Within N months of a start"
means on or before `add_months(start, N)` (docs/indicators.md).
"""

from __future__ import annotations

import calendar
import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later (earlier when negative), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def one_year_after(day: datetime.date) -> datetime.date:
    """The same day a year later (28 February after a 29 February)."""
    return add_months(day, 12)


def add_months_to_days(days: np.ndarray, months: int) -> np.ndarray:
    """`add_months` over an array of day numbers (days since 1970-01-01); returns day numbers."""
    import numpy as np

    dates = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    start_month = dates.astype("datetime64[M]")
    offset = dates - start_month.astype("datetime64[D]")
    target = start_month + months
    last = (target + 1).astype("datetime64[D]") - 1
    return np.minimum(target.astype("datetime64[D]") + offset, last).astype(np.int64)


def months_between_buckets(starts: np.ndarray, ends: np.ndarray, bounds: tuple[int, ...]) -> np.ndarray:
    """For each pair, the index of the first bound N (in months, increasing) such that `end` falls
    on or before `add_months(start, N)`; `len(bounds)` when beyond the last bound.

    With bounds (1, 2, 3, 6): 0 = within 1 month, 1 = within 2 months, …, 4 = more than 6 months."""
    import numpy as np

    starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    bucket = np.full(len(starts), len(bounds), dtype=np.int64)
    for position in range(len(bounds) - 1, -1, -1):
        bucket = np.where(ends <= add_months_to_days(starts, bounds[position]), position, bucket)
    return bucket
