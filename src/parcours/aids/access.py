"""Who sees which person through the aids (`core.access_grants`, declared on `AidsConfig`).

The département's instructors of aids (`Agent.may_instruct_aids`) see the persons who have an
application deposited (any state but « brouillon »), whatever their unit: the aids are
instructed by a département-wide service, and an application may come from a partner (a mission
locale) for a person outside the instructor's units. Drafts open nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet


def persons_with_applications_for(agent) -> QuerySet | None:
    """A subquery of the ids of the persons with a deposited application; None for agents who do
    not instruct aids (and administrators, who see everyone anyway)."""
    from parcours.aids.models import AidApplication, ApplicationState

    if agent is None or not getattr(agent, "is_authenticated", False):
        return None
    if agent.is_administrator or agent.is_employer or not agent.may_instruct_aids:
        return None
    return AidApplication.objects.exclude(state=ApplicationState.DRAFT).values("person_id")
