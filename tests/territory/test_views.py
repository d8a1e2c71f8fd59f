import pytest
from django.urls import reverse

from parcours.territory.loader import load_territory

pytestmark = pytest.mark.django_db


def test_overview_requires_login(client):
    response = client.get(reverse("territory:overview"))
    assert response.status_code == 302


def test_overview_lists_units_sites_and_filters(agent_client, settings):
    settings.PARCOURS_DEPARTEMENT = "76"
    load_territory("76")
    response = agent_client.get(reverse("territory:overview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Seine-Maritime (76)" in html
    assert "MDIE Seine-Maritime" in html and "CCAS du Havre" in html
    assert "707" in html  # communes of the single unit
    response = agent_client.get(reverse("territory:overview"), {"type": "mdie"})
    assert "MDIE Seine-Maritime" in response.content.decode()
    assert "CCAS du Havre" not in response.content.decode()


def test_overview_when_the_territory_is_not_loaded(agent_client, settings):
    settings.PARCOURS_DEPARTEMENT = "76"
    response = agent_client.get(reverse("territory:overview"))
    assert 'id="territory-not-loaded"' in response.content.decode()


def test_commune_search_partial(agent_client, settings):
    settings.PARCOURS_DEPARTEMENT = "76"
    load_territory("76")
    url = reverse("territory:commune_search")
    response = agent_client.get(url, {"q": "76600"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Le Havre" in html and "<html" not in html
    response = agent_client.get(url, {"q": "Zzzz"}, headers={"HX-Request": "true"})
    assert 'id="no-commune"' in response.content.decode()
    # Without htmx, the whole page with the results.
    response = agent_client.get(url, {"q": "Rouen"})
    assert "<html" in response.content.decode() and "76540" in response.content.decode()


def test_overview_runs_a_fixed_number_of_queries(agent_client, settings, django_assert_max_num_queries):
    settings.PARCOURS_DEPARTEMENT = "59"
    load_territory("59")
    # 7: the page's own, plus the agent's facts read once for the menu (`Agent._facts`).
    with django_assert_max_num_queries(7):
        response = agent_client.get(reverse("territory:overview"), {"q": "Lille"})
    html = response.content.decode()
    assert "Roubaix-Tourcoing" in html and "UTPAS de Roubaix" in html and "59350" in html
