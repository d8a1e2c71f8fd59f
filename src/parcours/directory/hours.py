"""Opening hours in OpenStreetMap `opening_hours` syntax, read with the maintained `opening-hours-py`
parser (Rust `opening-hours` crate): validity, "open at", half-days a week and a French reading.

Times are local (Europe/Paris) naive datetimes, as the syntax has no time zone. Public holidays
(`PH`) are not resolved (no country given to the parser): a `PH off` rule never closes a day here.
"""

from __future__ import annotations

import datetime
import re

import opening_hours

# A half-day is a morning (before 13:00) or an afternoon (from 13:00): a service counts a half-day
# when it is open at least HALF_DAY_MIN_MINUTES within it.
NOON = datetime.time(13, 0)
HALF_DAY_MIN_MINUTES = 60
# The reference week of `half_days_per_week` and `weekly_schedule`: a week without public holidays.
REFERENCE_MONDAY = datetime.datetime(2025, 3, 3)

DAY_NAMES = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


class InvalidHours(ValueError):
    """Raised with the parser's message when an opening-hours string is not valid."""


EXAMPLE = "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00"


def parse(text: str) -> opening_hours.OpeningHours:
    """The parsed expression, or InvalidHours with a French message naming where the parser stopped
    (the parser's own English diagnostic is not shown to agents)."""
    try:
        return opening_hours.OpeningHours(text)
    except (opening_hours.ParserError, ValueError) as error:
        where = ""
        found = re.search(r"-->\s*\d+:(\d+)", str(error))
        if found:
            column = int(found.group(1))
            where = f", à partir du caractère {column} (« {text[column - 1 : column + 11]} »)"
        raise InvalidHours(
            f"horaires « {text} » illisibles (syntaxe OpenStreetMap attendue){where} : écrivez par exemple "
            f"« {EXAMPLE} » (Mo lundi, Tu mardi, We mercredi, Th jeudi, Fr vendredi, Sa samedi, Su dimanche)"
        ) from error


def validate(text: str) -> str:
    """The stripped string if empty or valid, else InvalidHours."""
    text = (text or "").strip()
    if text:
        parse(text)
    return text


def weekly_schedule(text: str) -> list[list[tuple[datetime.time, datetime.time]]]:
    """For each day Monday..Sunday of the reference week, the open intervals [(start, end)]."""
    days: list[list[tuple[datetime.time, datetime.time]]] = [[] for _ in range(7)]
    if not (text or "").strip():
        return days
    hours = parse(text)
    end_of_week = REFERENCE_MONDAY + datetime.timedelta(days=7)
    for start, end, state, _comment in hours.intervals(REFERENCE_MONDAY, end_of_week):
        if state != opening_hours.State.OPEN:
            continue
        end = min(end, end_of_week)
        cursor = start
        while cursor < end:  # split intervals running over midnight
            day_end = datetime.datetime.combine(cursor.date() + datetime.timedelta(days=1), datetime.time())
            stop = min(end, day_end)
            days[cursor.weekday()].append(
                (cursor.time(), stop.time() if stop < day_end else datetime.time(23, 59))
            )
            cursor = stop
    return days


def half_days_per_week(text: str) -> int:
    """How many half-days (morning before 13:00, afternoon after) the service is open at least one
    hour in the reference week (0..14). Empty or invalid hours: 0."""
    try:
        days = weekly_schedule(text)
    except InvalidHours:
        return 0
    count = 0
    for intervals in days:
        morning = afternoon = 0.0
        for start, end in intervals:
            s, e = _minutes(start), _minutes(end)
            noon = _minutes(NOON)
            morning += max(0, min(e, noon) - s)
            afternoon += max(0, e - max(s, noon))
        count += (morning >= HALF_DAY_MIN_MINUTES) + (afternoon >= HALF_DAY_MIN_MINUTES)
    return count


def is_open_at(text: str, moment: datetime.datetime) -> bool:
    """Whether the hours say open at local `moment` (naive or aware; aware is made naive local)."""
    if not (text or "").strip():
        return False
    if moment.tzinfo is not None:
        from django.utils import timezone

        moment = timezone.localtime(moment).replace(tzinfo=None)
    try:
        return parse(text).is_open(moment)
    except InvalidHours:
        return False


def is_open_on(text: str, weekday: int) -> bool:
    """Whether the service opens at some time on `weekday` (0 = Monday) of the reference week."""
    try:
        return bool(weekly_schedule(text)[weekday])
    except InvalidHours:
        return False


def open_weekdays(text: str) -> set[int]:
    """The weekdays (0 = Monday) the service opens in the reference week."""
    try:
        return {day for day, intervals in enumerate(weekly_schedule(text)) if intervals}
    except InvalidHours:
        return set()


def describe(text: str) -> list[tuple[str, str]]:
    """[(day name, "9 h 00 – 12 h 00, 13 h 30 – 17 h 00" or "fermé")] for Monday..Sunday."""
    try:
        days = weekly_schedule(text)
    except InvalidHours:
        return []
    return [
        (DAY_NAMES[day], ", ".join(f"{_fr(s)} – {_fr(e)}" for s, e in intervals) if intervals else "fermé")
        for day, intervals in enumerate(days)
    ]


def _fr(moment: datetime.time) -> str:
    return f"{moment.hour} h {moment.minute:02d}"


def _minutes(moment: datetime.time) -> int:
    return moment.hour * 60 + moment.minute + (1 if moment == datetime.time(23, 59) else 0)


SHORT_DAY_NAMES = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."]


def summary(text: str) -> str:
    """The week in one short French line, consecutive days with the same hours grouped:
    "lun.–ven. 9 h 00 – 12 h 00 ; sam. 9 h 00 – 12 h 00" (the spaces of "9 h 00" non-breaking).
    Empty hours: ""; invalid hours: the
    string as entered (an import may have kept it before validation existed)."""
    if not (text or "").strip():
        return ""
    try:
        days = weekly_schedule(text)
    except InvalidHours:
        return text
    parts: list[str] = []
    day = 0
    while day < 7:
        if not days[day]:
            day += 1
            continue
        last = day
        while last + 1 < 7 and days[last + 1] == days[day]:
            last += 1
        names = SHORT_DAY_NAMES[day] if last == day else f"{SHORT_DAY_NAMES[day]}–{SHORT_DAY_NAMES[last]}"
        # No line break inside a time ("9 h 00") in a narrow table column: non-breaking spaces.
        times = ", ".join(f"{_fr(s)} – {_fr(e)}".replace(" h ", "\u00a0h\u00a0") for s, e in days[day])
        parts.append(f"{names} {times}")
        day = last + 1
    return " ; ".join(parts) or "fermé toute la semaine"
