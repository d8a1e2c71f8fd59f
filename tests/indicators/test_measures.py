import datetime

import numpy as np

from parcours.indicators.eventlog import day_number, paris_days
from parcours.indicators.measures import add_months, ages


def days(*isos):
    return np.array([day_number(datetime.date.fromisoformat(iso)) for iso in isos])


def test_add_months_clamps_to_the_end_of_month():
    result = add_months(days("2020-01-31", "2019-01-31", "2019-11-30"), 1)
    assert result.tolist() == days("2020-02-29", "2019-02-28", "2019-12-30").tolist()


def test_age_of_a_person_born_on_29_february():
    born = days("2000-02-29", "2000-02-29")
    assert ages(born, days("2025-02-28", "2025-03-01")).tolist() == [24, 25]


def test_paris_days_around_midnight_and_daylight_saving():
    def utc(text):
        return int(datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC).timestamp())

    seconds = np.array(
        [
            utc("2019-12-31T22:59:59"),
            utc("2019-12-31T23:00:00"),
            utc("2019-06-30T21:59:59"),
            utc("2019-06-30T22:00:00"),
        ]
    )
    assert (
        paris_days(seconds).tolist() == days("2019-12-31", "2020-01-01", "2019-06-30", "2019-07-01").tolist()
    )
