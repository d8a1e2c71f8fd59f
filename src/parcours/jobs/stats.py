"""Counts of the employment platform: offers, proposals and placements per month, per sector
group and per territorial unit. Offers count by creation date and the offer's commune's unit;
proposals by the date the person was proposed to the employer, placements by their start date;
both by the person's unit. Derived from the stored events, never typed."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import TruncMonth

from parcours.jobs.models import Application, JobOffer, Placement

NONE_LABEL = "(aucun)"


def _month(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.replace(day=1)


def monthly(since: datetime.date) -> list[dict]:
    """One row per month since `since` (first day of a month), oldest first."""
    rows: dict[datetime.date, dict] = defaultdict(lambda: {"offers": 0, "proposals": 0, "placements": 0})
    for item in (
        JobOffer.objects.filter(created_at__date__gte=since)
        .annotate(m=TruncMonth("created_at"))
        .values("m")
        .annotate(n=Count("id"))
    ):
        rows[_month(item["m"])]["offers"] += item["n"]
    for item in (
        Application.objects.filter(proposed_at__date__gte=since)
        .annotate(m=TruncMonth("proposed_at"))
        .values("m")
        .annotate(n=Count("id"))
    ):
        rows[_month(item["m"])]["proposals"] += item["n"]
    for item in (
        Placement.objects.filter(start_date__gte=since)
        .annotate(m=TruncMonth("start_date"))
        .values("m")
        .annotate(n=Count("id"))
    ):
        rows[_month(item["m"])]["placements"] += item["n"]
    return [{"month": month, **counts} for month, counts in sorted(rows.items())]


def _breakdown(offer_key: str, application_key: str, placement_key: str, since: datetime.date) -> list[dict]:
    rows: dict[str, dict] = defaultdict(lambda: {"offers": 0, "proposals": 0, "placements": 0})
    for item in (
        JobOffer.objects.filter(created_at__date__gte=since).values(offer_key).annotate(n=Count("id"))
    ):
        rows[item[offer_key] or NONE_LABEL]["offers"] += item["n"]
    for item in (
        Application.objects.filter(proposed_at__date__gte=since)
        .values(application_key)
        .annotate(n=Count("id"))
    ):
        rows[item[application_key] or NONE_LABEL]["proposals"] += item["n"]
    for item in Placement.objects.filter(start_date__gte=since).values(placement_key).annotate(n=Count("id")):
        rows[item[placement_key] or NONE_LABEL]["placements"] += item["n"]
    return [{"label": label, **counts} for label, counts in sorted(rows.items())]


def by_sector_group(since: datetime.date) -> list[dict]:
    return _breakdown(
        "employer__sector_group__name",
        "offer__employer__sector_group__name",
        "application__offer__employer__sector_group__name",
        since,
    )


def by_unit(since: datetime.date) -> list[dict]:
    return _breakdown(
        "commune__unit__name",
        "person__commune__unit__name",
        "application__person__commune__unit__name",
        since,
    )
