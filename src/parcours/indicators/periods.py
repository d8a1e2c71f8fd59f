"""The period a dashboard opens on: the latest calendar year that holds data, so that a
département whose flux stops before today (or the demo) does not open on an empty year."""

from __future__ import annotations

import datetime

from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format

from parcours.indicators import events as ev
from parcours.people.models import PersonEvent


def latest_year_with_data(today: datetime.date | None = None) -> int:
    """The year of the latest RSA entry (any event when there is none) up to `today`; `today`'s
    year when the log is empty. One indexed query (kind, occurred_at)."""
    today = today or timezone.localdate()
    until = timezone.make_aware(datetime.datetime.combine(today, datetime.time.max))
    past = PersonEvent.objects.filter(occurred_at__lte=until)
    latest = past.filter(kind=ev.RSA_ENTRY).aggregate(at=Max("occurred_at"))["at"]
    if latest is None:
        latest = past.aggregate(at=Max("occurred_at"))["at"]
    return timezone.localdate(latest).year if latest else today.year


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """1 January to 31 December of the latest year with data, ending at `today` at the latest."""
    today = today or timezone.localdate()
    year = latest_year_with_data(today)
    return datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today)


def month_label(key: str) -> str:
    """ "2026-11" as "novembre 2026" (the keys of the monthly breakdown)."""
    try:
        year, month = (int(part) for part in key.split("-"))
        return date_format(datetime.date(year, month, 1), "F Y")
    except ValueError:
        return key
