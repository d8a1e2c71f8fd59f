"""The caseload: the open accompaniments an agent works on, ordered by what needs doing this week.

Whose: a coach or a référent sees the accompaniments they follow (active référent,
`followed_by`); a manager or an administrator sees every open accompaniment of the persons
they may see (their units, `visible_to`), since they supervise the team's caseloads.

The order (`ACTION_ORDER`, computed in SQL so the list paginates and exports in that order):

1. no contact yet this week first (`contacted_this_week` false);
2. then the longest silence: the oldest last contact, or the start when there was none
   (`silent_since`), i.e. the most weeks in a row without contact;
3. then the planned end soonest (none last).

The weeks with and without contact of each row come from `cadence.cadence` (the holiday weeks
excused), fed by the contacts prefetched for the page in one query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, F, Prefetch, Q, Value, When
from django.db.models.functions import Coalesce

from parcours.accompaniment.cadence import cadence, monday_of
from parcours.accompaniment.models import Accompaniment, Contact, Programme

ACTION_ORDER = ("contacted_this_week", "silent_since", "planned_end_sort")
NO_PLANNED_END = datetime.date(9999, 12, 31)


def supervises(agent) -> bool:
    """Whether `agent` sees the caseloads of their units rather than their own."""
    return agent.is_manager or agent.is_administrator


def caseload(agent, today: datetime.date):
    """The open accompaniments on `agent`'s caseload (see the module docstring), annotated with
    `last_contact_on`, `contact_overdue` (`with_cadence`), `contacted_this_week`,
    `silent_since`, `planned_end_sort` and `to_close` (a coaching past its planned end), the
    person and their commune joined, the contacts' dates prefetched."""
    accompaniments = Accompaniment.objects.open().visible_to(agent)
    if not supervises(agent):
        accompaniments = accompaniments.followed_by(agent)
    return (
        accompaniments.with_cadence(today)
        .annotate(
            contacted_this_week=Case(
                When(last_contact_on__gte=monday_of(today), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
            silent_since=Coalesce(F("last_contact_on"), F("started_on")),
            planned_end_sort=Coalesce(F("planned_end_on"), Value(NO_PLANNED_END)),
            to_close=Case(
                When(Q(programme=Programme.COACHING) & Q(planned_end_on__lt=today), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
        )
        .select_related("person__commune")
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.only("id", "accompaniment_id", "on")))
    )


@dataclass(frozen=True)
class WeeksSummary:
    """How many weeks of an accompaniment had a contact, and how many were missed (neither
    excused nor the current week)."""

    with_contact: int
    missed: int


def weeks_summary(accompaniment, today: datetime.date) -> WeeksSummary:
    """The `WeeksSummary` of `accompaniment` (its contacts prefetched: no query), cached on it."""
    cached = getattr(accompaniment, "_weeks_summary", None)
    if cached is None:
        weeks = cadence(accompaniment, today, contact_days=[c.on for c in accompaniment.contacts.all()])
        cached = WeeksSummary(
            with_contact=sum(week.with_contact for week in weeks), missed=sum(week.missed for week in weeks)
        )
        accompaniment._weeks_summary = cached
    return cached
