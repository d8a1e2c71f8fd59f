"""The front door's live board: what is happening today, computed live from the contacts and the
items (the published figures, `reception.figures`, read the event log instead).

    board = live_board(agent)   # five queries, whatever the volume
    board.contacts_by_channel   # [(label, count)] today, every channel listed
    board.contacts_by_theme     # [(theme label, count)] of the needs expressed today
    board.trays                 # trays with backlog, oldest_at, overdue, concerns
    board.busy_trays / idle_trays  # the same, split: with items in progress / without
    board.unacknowledged        # informations préoccupantes the CRIP has not acknowledged yet

No person is named on the board (counts, trays, request numbers): nothing to audit. Managers and
administrators see every tray; a tray's manager sees the trays they manage.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.utils import timezone

from parcours.reception.models import Channel, Contact, Tray, TrayItem
from parcours.reception.models.trays import ItemState


@dataclass
class Board:
    at: datetime.datetime
    contacts_by_channel: list[tuple[str, int]]
    contacts_today: int
    contacts_by_theme: list[tuple[str, int]]
    trays: list[Tray]
    unacknowledged: list[TrayItem]

    @property
    def backlog(self) -> int:
        return sum(tray.backlog for tray in self.trays)

    @property
    def overdue(self) -> int:
        return sum(tray.overdue for tray in self.trays)

    @property
    def busy_trays(self) -> list[Tray]:
        """The trays with items in progress (the table of the board)."""
        return [tray for tray in self.trays if tray.backlog]

    @property
    def idle_trays(self) -> list[Tray]:
        """The trays without any item in progress (listed apart, by name, not in the table)."""
        return [tray for tray in self.trays if not tray.backlog]


def start_of_day(at: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(at)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def trays_shown(agent):
    trays = Tray.objects.active()
    if agent.is_administrator or agent.is_manager:
        return trays
    return trays.filter(pk__in=Tray.objects.managed_by(agent).values("pk"))


def live_board(agent, *, at: datetime.datetime | None = None) -> Board:
    at = at or timezone.now()
    today = start_of_day(at)
    counts = dict(
        Contact.objects.filter(received_at__gte=today, received_at__lte=at)
        .values_list("channel")
        .annotate(count=Count("pk"))
        .order_by()
    )
    by_channel = [(label, counts.get(value, 0)) for value, label in Channel.choices]
    themes = list(
        TrayItem.objects.filter(created_at__gte=today, created_at__lte=at)
        .values_list("need__situation__theme__label")
        .annotate(count=Count("pk"))
        .order_by("-count", "need__situation__theme__label")
    )
    is_open = ~Q(items__state=ItemState.CLOSED)
    trays = list(
        trays_shown(agent)
        .select_related("unit")
        .annotate(
            backlog=Count("items", filter=is_open),
            oldest_at=Min("items__created_at", filter=is_open),
            overdue=Count(
                "items", filter=is_open & Q(items__first_action_at__isnull=True, items__due_at__lt=at)
            ),
            concerns=Count("items", filter=is_open & Q(items__is_child_concern=True)),
        )
        .order_by("-overdue", "-backlog", "name")
    )
    unacknowledged = list(
        TrayItem.objects.filter(is_child_concern=True, crip_acknowledged_at__isnull=True)
        .filter(tray__in=trays_shown(agent).values("pk"))
        .exclude(state=ItemState.CLOSED)
        .select_related("tray")
        .order_by("created_at", "pk")[:50]
    )
    return Board(
        at=at,
        contacts_by_channel=by_channel,
        contacts_today=sum(counts.values()),
        contacts_by_theme=themes,
        trays=trays,
        unacknowledged=unacknowledged,
    )
