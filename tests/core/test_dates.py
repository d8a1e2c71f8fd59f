"""Calendar-month arithmetic (core.dates) and the names kept importable elsewhere."""

import datetime

import numpy as np
import pytest

from parcours.core import dates
from parcours.core.dates import add_months, add_months_to_days, months_between_buckets, one_year_after

D = datetime.date


def day_numbers(*days: datetime.date) -> np.ndarray:
    return np.array([(day - D(1970, 1, 1)).days for day in days], dtype=np.int64)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2019, 1, 31), 1, D(2019, 2, 28)),
        (D(2020, 1, 31), 1, D(2020, 2, 29)),
        (D(2019, 11, 30), 3, D(2020, 2, 29)),
        (D(2019, 11, 30), 1, D(2019, 12, 30)),
        (D(2019, 12, 31), 2, D(2020, 2, 29)),
        (D(2019, 3, 31), -1, D(2019, 2, 28)),
        (D(2019, 1, 15), -13, D(2017, 12, 15)),
        (D(2019, 8, 31), 0, D(2019, 8, 31)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_one_year_after_a_29_february_is_28_february():
    assert one_year_after(D(2020, 2, 29)) == D(2021, 2, 28)
    assert one_year_after(D(2021, 3, 1)) == D(2022, 3, 1)


def test_the_vectorised_variant_agrees_with_the_date_one():
    starts = [D(2019, 1, 1) + datetime.timedelta(days=n) for n in range(0, 800, 7)]
    for months in (-14, -1, 1, 3, 6, 12, 25):
        expected = day_numbers(*(add_months(day, months) for day in starts))
        assert add_months_to_days(day_numbers(*starts), months).tolist() == expected.tolist()


def test_buckets_in_calendar_months():
    starts = day_numbers(D(2019, 1, 31), D(2019, 1, 31), D(2019, 11, 30), D(2019, 11, 30), D(2019, 1, 1))
    ends = day_numbers(D(2019, 2, 28), D(2019, 3, 1), D(2020, 2, 29), D(2020, 3, 1), D(2019, 12, 1))
    assert months_between_buckets(starts, ends, (1, 2, 3, 6)).tolist() == [0, 1, 2, 3, 4]


def test_the_old_names_stay_importable():
    from parcours.accounts.models import one_year_after as accounts_one_year_after
    from parcours.indicators.measures import add_months as measures_add_months
    from parcours.jobs.models.applications import add_months as jobs_add_months

    assert jobs_add_months is dates.add_months
    assert accounts_one_year_after is dates.one_year_after
    assert measures_add_months is dates.add_months_to_days
