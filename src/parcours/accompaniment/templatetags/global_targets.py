"""`{% programme_target_card end %}`: the card of the accompagnement global's yearly target and
the persons counted against it (`accompaniment.targets.progress`), for the year of `end` (a
date; this year when empty). Two queries; the count is département-wide."""

from __future__ import annotations

import datetime

from django import template

from parcours.accompaniment import targets
from parcours.accompaniment.models import Programme

register = template.Library()


@register.inclusion_tag("accompaniment/_global_target_card.html")
def programme_target_card(end: datetime.date | None = None, programme: str = Programme.GLOBAL) -> dict:
    year = end.year if isinstance(end, datetime.date) else None
    return {"progress": targets.progress(programme, year)}
