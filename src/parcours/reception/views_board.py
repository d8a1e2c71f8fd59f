"""The front door's live board (`/premier-accueil/tableau/`): refreshed by htmx every 30 seconds,
the table only."""

from __future__ import annotations

from django.shortcuts import render

from parcours.accounts.permissions import agent_may
from parcours.reception.board import live_board

REFRESH_SECONDS = 30


@agent_may("may_view_front_door_board", "Le tableau du premier accueil est réservé aux responsables.")
def board(request):
    context = {
        "title": "Tableau du premier accueil",
        "board": live_board(request.user),
        "refresh": REFRESH_SECONDS,
    }
    if request.htmx:
        return render(request, "reception/board_content.html", context)
    return render(request, "reception/board.html", context)
