"""The person page's "Accompagnements" panel (declared in `AccompanimentConfig.person_panels`,
composed by `core.person_panels`): the person's accompaniments with their référents, cadence
and end, their jobs, trainings and exits, and whether the agent may propose coaching now."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from parcours.accompaniment.models import Accompaniment, AccompanimentReferent, Programme
from parcours.accompaniment.workflows import start_refusal


def person_panel_context(person, agent) -> dict:
    """The context of `accompaniment/person_panel.html` (keys prefixed `accompaniment_`)."""
    today = timezone.localdate()
    accompaniments = list(
        Accompaniment.objects.filter(person=person)
        .with_cadence(today)
        .prefetch_related(
            Prefetch(
                "referents", queryset=AccompanimentReferent.objects.select_related("agent", "organisation")
            )
        )
        .order_by("-started_on", "-id")
    )
    for accompaniment in accompaniments:
        accompaniment.to_close = (
            accompaniment.is_open
            and accompaniment.programme == Programme.COACHING
            and accompaniment.planned_end_on is not None
            and accompaniment.planned_end_on < today
        )
    may_act = agent.may_accompany
    open_coaching = any(a.is_open and a.programme == Programme.COACHING for a in accompaniments)
    return {
        "accompaniment_list": accompaniments,
        "accompaniment_outcomes": list(person.outcomes.all()),
        "accompaniment_exits": list(person.exits.all()),
        "accompaniment_may_act": may_act,
        "accompaniment_open_coaching": open_coaching,
        "accompaniment_start_refusal": start_refusal(person, today) if may_act and not open_coaching else "",
    }
