import pytest
from django.urls import reverse

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
    labels = [item["label"] for item in client.get(reverse("core:home")).context["main_menu"]]
    assert "Personnes" in labels and "Journal d'audit" in labels
    assert "Espace employeur" not in labels


@pytest.mark.django_db
def test_only_the_entry_of_the_current_page_is_marked_current(client):
    """« Mes actions » lives under « Accompagnements »' address: only the closer entry is current."""
    login_verified(client, AgentFactory(role="referent"))
    menu = client.get(reverse("accompaniment:global_my_actions")).context["main_menu"]
    assert [item["label"] for item in menu if item["active"]] == ["Mes actions"]
    menu = client.get(reverse("accompaniment:caseload")).context["main_menu"]
    assert [item["label"] for item in menu if item["active"]] == ["Accompagnements"]
