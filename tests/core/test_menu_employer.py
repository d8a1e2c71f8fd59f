import pytest
from django.urls import reverse

from parcours.core.menu import FLAT_LIMIT, flat
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified


@pytest.mark.django_db
def test_employers_menu_holds_only_their_portal_and_home_leads_there(client):
    login_verified(client, AgentFactory(role="employeur"))
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"] == reverse("jobs:portal")
    menu = client.get(reverse("jobs:portal")).context["main_menu"]
    assert [item["label"] for item in menu] == ["Espace employeur"]


@pytest.mark.django_db
def test_administrators_menu_leaves_out_the_employers_portal(client):
    login_verified(client, AgentFactory(role="administrateur"))
    labels = [item["label"] for item in flat(client.get(reverse("core:home")).context["main_menu"])]
    assert "Personnes" in labels and "Journal d'audit" in labels
    assert "Espace employeur" not in labels


@pytest.mark.django_db
def test_only_the_entry_of_the_current_page_is_marked_current(client):
    """« Mes actions » lives under « Accompagnements »' address: only the closer entry is current."""
    login_verified(client, AgentFactory(role="referent"))
    menu = flat(client.get(reverse("accompaniment:global_my_actions")).context["main_menu"])
    assert [item["label"] for item in menu if item["active"]] == ["Mes actions"]
    menu = flat(client.get(reverse("accompaniment:caseload")).context["main_menu"])
    assert [item["label"] for item in menu if item["active"]] == ["Accompagnements"]


@pytest.mark.django_db
def test_a_long_menu_is_gathered_in_groups_and_a_short_one_stays_flat(client):
    """An administrator's thirty entries fit on one line as DSFR sub-menus; the current page's group
    is marked current; an agent with few entries keeps them side by side."""
    login_verified(client, AgentFactory(role="administrateur"))
    response = client.get(reverse("accompaniment:caseload"))
    menu = response.context["main_menu"]
    assert len(flat(menu)) > FLAT_LIMIT and len(menu) <= FLAT_LIMIT
    groups = {item["label"]: item for item in menu if item["children"]}
    assert {"Personnes", "Premier accueil", "Administration"} <= groups.keys()
    assert groups["Personnes"]["active"] and not groups["Administration"]["active"]
    html = response.content.decode()
    assert 'class="fr-nav__btn"' in html and 'aria-controls="menu-groupe-' in html

    login_verified(client, AgentFactory(role="employeur"))
    menu = client.get(reverse("jobs:portal")).context["main_menu"]
    assert all(not item["children"] for item in menu)
