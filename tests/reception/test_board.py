"""The live board: contacts today by channel and theme, backlog and oldest item per tray, breaches,
informations préoccupantes not acknowledged."""

import datetime

import pytest
from django.utils import timezone

from parcours.reception.board import live_board
from parcours.reception.models import TrayItem, TrayService
from parcours.reception.workflows import NeedInput, acknowledge_child_concern, record_contact
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.reception.factories import TrayFactory, TrayItemFactory, member, need

BOARD = "/premier-accueil/tableau/"


@pytest.fixture
def world(departement, two_units):
    front_desk = TrayFactory(
        departement=departement, service=TrayService.FRONT_DESK, unit=None, name="Accueil"
    )
    crip = TrayFactory(departement=departement, crip=True, name="CRIP")
    operator = AgentFactory(role="accueil", units=[two_units["unit_a"]])
    for channel in ("telephone", "telephone", "accueil_physique"):
        record_contact(operator, channel=channel, needs=[NeedInput(need=need("logement"))])
    concern = record_contact(
        operator, channel="telephone", needs=[NeedInput(need=need("enfance"), is_child_concern=True)]
    ).items.get()
    twenty_days_ago = timezone.now() - datetime.timedelta(days=20)
    old = TrayItemFactory(tray=front_desk, created_at=twenty_days_ago, contact__received_at=twenty_days_ago)
    TrayItem.objects.filter(pk=old.pk).update(due_at=timezone.now() - datetime.timedelta(days=1))
    return {"front_desk": front_desk, "crip": crip, "concern": concern, "old": old}


def test_the_board_counts_today(world):
    board = live_board(AgentFactory(role="manager"))
    by_channel = dict(board.contacts_by_channel)
    assert by_channel["Téléphone"] == 3 and by_channel["Accueil physique sans rendez-vous"] == 1
    assert by_channel["Courrier"] == 0
    assert board.contacts_today == 4
    themes = dict(board.contacts_by_theme)
    assert sum(themes.values()) == 4  # the old item is from 20 days ago
    trays = {tray.pk: tray for tray in board.trays}
    assert trays[world["front_desk"].pk].backlog == 4 and trays[world["front_desk"].pk].overdue == 1
    assert trays[world["front_desk"].pk].oldest_at == world["old"].created_at
    assert trays[world["crip"].pk].concerns == 1
    assert [item.pk for item in board.unacknowledged] == [world["concern"].pk]


def test_an_acknowledged_concern_leaves_the_red_list(world):
    crip_agent = member(world["crip"])
    acknowledge_child_concern(crip_agent, world["concern"])
    assert live_board(AgentFactory(role="manager")).unacknowledged == []


def test_the_page_refreshes_itself_with_few_queries(client, world, django_assert_max_num_queries):
    login_verified(client, AgentFactory(role="manager"))
    with django_assert_max_num_queries(12):
        response = client.get(BOARD)
    page = response.content.decode()
    assert 'hx-trigger="every 30s"' in page
    assert 'id="board-concerns"' in page and f"Demande n° {world['concern'].pk}" in page
    with django_assert_max_num_queries(10):
        partial = client.get(BOARD, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "board-trays" in partial.content.decode()


def test_a_tray_manager_sees_their_trays_only(client, world, two_units):
    manager = member(world["crip"], manager=True, role="accueil", units=[two_units["unit_a"]])
    login_verified(client, manager)
    page = client.get(BOARD).content.decode()
    assert "CRIP" in page and "<td>Accueil</td>" not in page


def test_other_agents_are_refused(client, world, two_units):
    login_verified(client, AgentFactory(role="accueil", units=[two_units["unit_a"]]))
    assert client.get(BOARD).status_code == 403


def test_trays_without_items_in_progress_are_listed_apart(client, world, departement):
    # The board listed all 60 trays of the demo, most of them empty, in one long table.
    idle = TrayFactory(departement=departement, name="Bannette sans demande")
    board = live_board(AgentFactory(role="manager"))
    assert idle not in board.busy_trays and idle in board.idle_trays
    assert world["front_desk"] in board.busy_trays
    login_verified(client, AgentFactory(role="manager"))
    page = client.get(BOARD).content.decode()
    table = page.split('id="board-trays"')[1].split("</table>")[0]
    assert "Bannette sans demande" not in table
    assert "Bannette sans demande" in page.split('id="board-idle-trays"')[1]


# ---------------------------------------------------------------------------------------------
# Pages of the trays as their agents saw them (walkthrough of the demo)


def test_the_trays_administration_lists_a_departmental_tray_without_organisation(client, world):
    # « Département » trays (no unit, no organisation: the CRIP) made the page fail (500).
    login_verified(client, AgentFactory(role="administrateur"))
    response = client.get("/premier-accueil/administration/bannettes/")
    assert response.status_code == 200
    assert "CRIP" in response.content.decode()


def test_the_member_and_rule_forms_name_their_empty_choices(client, world):
    login_verified(client, AgentFactory(role="administrateur"))
    page = client.get(f"/premier-accueil/administration/bannettes/{world['front_desk'].pk}/").content.decode()
    assert "— Choisir un agent —" in page and "---------" not in page
    page = client.get("/premier-accueil/administration/regles/").content.decode()
    assert "Toute thématique" in page and "---------" not in page


def test_the_tray_filters_are_labelled_and_plurals_are_french(client, world):
    agent = member(world["front_desk"])
    login_verified(client, agent)
    page = client.get(f"/premier-accueil/bannettes/{world['front_desk'].pk}/?state=cloturee").content.decode()
    for name in ("state", "urgency", "mine", "overdue"):
        assert f'for="id_{name}"' in page, name
    assert "Attribuées à moi" in page and "En retard seulement" in page
    assert "0 demande" in page and "0 demandes" not in page
