"""Working hours: Monday–Friday 9:00–12:30 and 13:30–17:00 Europe/Paris, public holidays excluded."""

import datetime

import pytest

from parcours.appointments.calendar import PARIS
from parcours.reception.working_hours import add_working_hours, is_working_day, working_hours_between


def at(day: str, hh_mm: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{hh_mm}").replace(tzinfo=PARIS)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (at("2026-03-10", "09:00"), 2, at("2026-03-10", "11:00")),  # a Tuesday morning
        (at("2026-03-10", "11:30"), 2, at("2026-03-10", "14:30")),  # over the lunch break
        (at("2026-03-10", "12:45"), 1, at("2026-03-10", "14:30")),  # starts at the break
        (at("2026-03-10", "07:00"), 7, at("2026-03-10", "17:00")),  # a whole day
        (at("2026-03-10", "18:00"), 1, at("2026-03-11", "10:00")),  # after closing time
        (at("2026-03-13", "16:00"), 2, at("2026-03-16", "10:00")),  # Friday → Monday
        (at("2026-03-14", "10:00"), 1, at("2026-03-16", "10:00")),  # a Saturday
        (at("2026-03-10", "09:00"), 35, at("2026-03-16", "17:00")),  # five working days... Tue→Mon
    ],
)
def test_add_working_hours(start, hours, expected):
    assert add_working_hours(start, hours, departement_code="59") == expected


def test_public_holidays_are_skipped_and_alsace_moselle_has_its_own():
    # 1 May 2026 is a Friday; Good Friday 3 April 2026 is a holiday in Moselle only.
    assert add_working_hours(at("2026-04-30", "16:00"), 2, departement_code="59") == at("2026-05-04", "10:00")
    assert add_working_hours(at("2026-04-02", "16:00"), 2, departement_code="59") == at("2026-04-03", "10:00")
    # Good Friday then Easter Monday (6 April): Moselle resumes on Tuesday.
    assert add_working_hours(at("2026-04-02", "16:00"), 2, departement_code="57") == at("2026-04-07", "10:00")
    assert not is_working_day(datetime.date(2026, 7, 14), "59")
    assert is_working_day(datetime.date(2026, 7, 15), "59")


def test_working_hours_between_counts_only_opening_hours():
    assert (
        working_hours_between(at("2026-03-10", "09:00"), at("2026-03-10", "17:00"), departement_code="59")
        == 7
    )
    # Friday 16:00 → Monday 10:00: one hour on Friday, one on Monday.
    assert (
        working_hours_between(at("2026-03-13", "16:00"), at("2026-03-16", "10:00"), departement_code="59")
        == 2
    )
    assert working_hours_between(at("2026-03-16", "10:00"), at("2026-03-13", "16:00")) == 0
    # Across 1 May (a Friday) and the weekend.
    assert (
        working_hours_between(at("2026-04-30", "09:00"), at("2026-05-04", "09:00"), departement_code="59")
        == 7
    )


def test_the_two_functions_agree_across_a_daylight_saving_change():
    start = at("2026-03-27", "15:00")  # Friday before the spring change (29 March)
    due = add_working_hours(start, 10, departement_code="59")
    assert due == at("2026-03-31", "10:00")
    assert working_hours_between(start, due, departement_code="59") == pytest.approx(10)
