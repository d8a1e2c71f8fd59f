"""Who sees which person through the trays (`core.access_grants`, declared on `ReceptionConfig`).

A tray's members see the persons of the items in that tray: while the item is open, and for
`CLOSED_VISIBLE_DAYS` (90) days after it was closed, so that they can answer a question about
what they did. This is how a partner's agent (a CCAS, an association, the CAF's counter: role
`accueil` or `referent`, no territorial unit) reaches the persons the front door routed to them,
and only those. An item transferred away leaves its former tray's members without access (only
the item's current tray counts). Items whose person is not identified yet open nothing.

Administrators see everyone anyway, employers no one, and an agent in no tray gets nothing from
this grant (`Agent.may_use_trays`: one query on the agent's memberships, cached).
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

CLOSED_VISIBLE_DAYS = 90


def persons_in_trays_of(agent) -> QuerySet | None:
    """A subquery of the ids of the persons of the items in `agent`'s trays, open or closed less than
    90 days ago; None for administrators, employers and agents who belong to no tray."""
    from parcours.reception.models import ItemState, TrayItem

    if agent is None or not getattr(agent, "is_authenticated", False):
        return None
    # `may_use_trays` (professionals in a tray) asks one query per request's agent, cached on the
    # agent itself (not on `request.user`'s lazy wrapper), and the menu asks it too.
    if agent.is_administrator or agent.is_employer or not agent.may_use_trays:
        return None
    since = timezone.now() - datetime.timedelta(days=CLOSED_VISIBLE_DAYS)
    return (
        TrayItem.objects.filter(tray__members__agent=agent, person__isnull=False)
        .filter(~Q(state=ItemState.CLOSED) | Q(closed_at__gte=since))
        .values("person_id")
    )
