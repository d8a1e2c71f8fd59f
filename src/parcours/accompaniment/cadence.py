"""The contact cadence of an accompaniment: one contact a week, public-holiday weeks excused.

The rule (docs/accompaniment.md):

- weeks are ISO weeks (Monday to Sunday); a week is *with contact* when at least one contact
  of the accompaniment is dated in it;
- the *working days* of a week are Monday to Friday minus the public holidays of the
  département (`appointments.calendar.is_public_holiday`, Alsace-Moselle aware);
- a week is *excused* when the accompaniment covers 3 working days of it or fewer: a public
  holiday week (`holiday_week`: two weekday holidays, e.g. 8 May and Ascension in 2024), or
  the week it starts late or ends early in;
- the current week is *in progress* (never missed while it runs);
- any other week without contact is *missed*.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings

from parcours.appointments.calendar import is_public_holiday

# A week with this many working days or fewer (within the accompaniment) is excused.
EXCUSED_AT_MOST_WORKING_DAYS = 3
ONE_DAY = datetime.timedelta(days=1)
ONE_WEEK = datetime.timedelta(days=7)


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def working_days(monday: datetime.date, departement_code: str | None = None) -> list[datetime.date]:
    """Monday to Friday of the week of `monday`, public holidays of the département left out."""
    code = departement_code or settings.PARCOURS_DEPARTEMENT
    days = (monday + datetime.timedelta(days=offset) for offset in range(5))
    return [day for day in days if not is_public_holiday(day, code)]


def is_holiday_week(monday: datetime.date, departement_code: str | None = None) -> bool:
    """Whether public holidays leave 3 working days or fewer in the week of `monday`."""
    return len(working_days(monday, departement_code)) <= EXCUSED_AT_MOST_WORKING_DAYS


@dataclass(frozen=True)
class Week:
    """One ISO week of an accompaniment and its contacts."""

    monday: datetime.date
    contacts: int
    holiday_week: bool  # public holidays leave 3 working days or fewer
    excused: bool  # the accompaniment covers 3 working days of it or fewer (holidays included)
    in_progress: bool  # the current week of an open accompaniment

    @property
    def iso(self) -> tuple[int, int]:
        year, week, _ = self.monday.isocalendar()
        return year, week

    @property
    def with_contact(self) -> bool:
        return self.contacts >= 1

    @property
    def missed(self) -> bool:
        return not self.with_contact and not self.excused and not self.in_progress


def cadence(accompaniment, today: datetime.date, contact_days=None) -> list[Week]:
    """The weeks of `accompaniment` from its start to min(today, its end), oldest first, with
    their contact counts (one query; none when `contact_days`, the dates of its contacts, are
    given, e.g. prefetched for a list). See the module docstring for the rule."""
    from parcours.accompaniment.models import Contact

    last_day = min(today, accompaniment.ended_on) if accompaniment.ended_on else today
    if last_day < accompaniment.started_on:
        return []
    first_day = monday_of(accompaniment.started_on)
    if contact_days is None:
        contact_days = Contact.objects.filter(
            accompaniment=accompaniment, on__gte=first_day, on__lte=last_day
        ).values_list("on", flat=True)
    per_week: dict[datetime.date, int] = {}
    for on in contact_days:
        if first_day <= on <= last_day:
            per_week[monday_of(on)] = per_week.get(monday_of(on), 0) + 1
    weeks = []
    monday = monday_of(accompaniment.started_on)
    while monday <= last_day:
        days = working_days(monday)
        covered = [
            day
            for day in days
            if day >= accompaniment.started_on
            and (accompaniment.ended_on is None or day <= accompaniment.ended_on)
        ]
        weeks.append(
            Week(
                monday=monday,
                contacts=per_week.get(monday, 0),
                holiday_week=len(days) <= EXCUSED_AT_MOST_WORKING_DAYS,
                excused=len(covered) <= EXCUSED_AT_MOST_WORKING_DAYS,
                in_progress=accompaniment.ended_on is None and monday <= today < monday + ONE_WEEK,
            )
        )
        monday += ONE_WEEK
    return weeks


@dataclass(frozen=True)
class DueWeek:
    """The last complete week a contact was due in, as SQL-ready constants: an accompaniment
    missed it when it started on or before `latest_start`, was not ended before
    `earliest_end`, and had no contact on or after `monday`."""

    monday: datetime.date
    latest_start: datetime.date
    earliest_end: datetime.date


def last_due_week(today: datetime.date) -> DueWeek:
    """The most recent complete week before the current one that is not a holiday week."""
    monday = monday_of(today) - ONE_WEEK
    for _ in range(8):  # never more than one holiday week in a row; bounded all the same
        days = working_days(monday)
        if len(days) > EXCUSED_AT_MOST_WORKING_DAYS:
            needed = EXCUSED_AT_MOST_WORKING_DAYS + 1
            return DueWeek(monday=monday, latest_start=days[-needed], earliest_end=days[needed - 1])
        monday -= ONE_WEEK
    raise AssertionError("no working week in two months")
