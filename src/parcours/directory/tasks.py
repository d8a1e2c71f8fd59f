"""The directory's daily jobs (`core.schedules.DAILY_TASKS`)."""

from __future__ import annotations


def remind_stale_services() -> str:
    """Remind the owners of services not updated for six months (at most once a month each)."""
    from parcours.directory.staleness import remind_owners

    counts = remind_owners()
    return f"{counts['services']} service(s) à mettre à jour, {counts['agents']} agent(s) prévenu(s)"
