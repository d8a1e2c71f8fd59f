"""The front door's periodic job (`core.schedules.PERIODIC_TASKS`, every
`PARCOURS_FRONT_DOOR_ESCALATION_MINUTES`, 15 by default): overdue items are flagged and their
tray's managers told, once per item and tray (`reception.workflows.escalate_overdue`)."""

from __future__ import annotations

from parcours.reception import workflows


def escalate_overdue() -> int:
    """Escalate the items whose first action is late; returns how many were escalated."""
    return workflows.escalate_overdue()
