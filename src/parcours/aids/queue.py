"""The instructor's queue: undecided applications, emergencies first, then by deadline (the
partial index `aids_queue_idx` serves this order), each with its remaining time."""

from __future__ import annotations

from django.db.models import QuerySet

from parcours.aids.models import AidApplication


def queue(agent, *, scheme=None, state: str = "", unit=None, emergency: bool | None = None) -> QuerySet:
    """The applications waiting for a decision, visible to `agent` (the access rule on their
    persons), filtered, in queue order."""
    from parcours.core.access import visible_rows

    # The access rule as a condition on each row (`core.access.visible_rows`): the database reads
    # the queue along its index and checks only the rows of the page.
    applications = visible_rows(AidApplication.objects.in_queue(), agent)
    if scheme is not None:
        applications = applications.filter(scheme=scheme)
    if state:
        applications = applications.filter(state=state)
    if unit is not None:
        applications = applications.filter(unit=unit)
    if emergency is not None:
        applications = applications.filter(emergency=emergency)
    return applications.select_related("person", "scheme", "version", "instructor").order_by(
        "-emergency", "due_at", "id"
    )
