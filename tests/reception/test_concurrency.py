"""Two agents taking the same item at the same moment: one wins, the other is told who (PostgreSQL,
two real connections; the conditional UPDATE on (pk, state, assigned_to) decides)."""

import threading

import pytest
from django.db import connection

from parcours.reception import workflows
from parcours.reception.models import ItemTransition, TrayItem
from parcours.reception.workflows import ItemAlreadyTaken
from tests.reception.factories import TrayFactory, TrayItemFactory, member


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_agents_taking_the_same_item_at_once(round_):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency test for PostgreSQL")
    tray = TrayFactory()
    agents = [
        member(tray, first_name="Alice", last_name=f"Un{round_}"),
        member(tray, first_name="Bruno", last_name=f"Deux{round_}"),
    ]
    item = TrayItemFactory(tray=tray)
    barrier = threading.Barrier(2)
    outcomes = {}

    def attempt(agent):
        try:
            stale = TrayItem.objects.select_related("tray").get(pk=item.pk)  # both read « nouvelle »
            barrier.wait()
            workflows.take(agent, stale)
            outcomes[agent.pk] = "won"
        except ItemAlreadyTaken as error:
            outcomes[agent.pk] = error.message
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()).count("won") == 1
    winner = next(a for a in agents if outcomes[a.pk] == "won")
    loser_message = next(m for m in outcomes.values() if m != "won")
    assert f"vient d'être prise par {winner.get_full_name()}" in loser_message
    item.refresh_from_db()
    assert item.assigned_to == winner
    assert ItemTransition.objects.filter(item=item, name="take").count() == 1
