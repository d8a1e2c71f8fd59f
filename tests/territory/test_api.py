import pytest

from parcours.accounts.models import ApiToken
from parcours.territory.loader import load_territory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/territoire"


@pytest.fixture
def api(client, agent_a):
    _, raw = ApiToken.issue(agent_a, "t")

    def get(path, **params):
        return client.get(f"{BASE}{path}", params, headers={"Authorization": f"Bearer {raw}"})

    return get


@pytest.fixture
def nord(settings):
    settings.PARCOURS_DEPARTEMENT = "59"
    load_territory("59")


def test_a_token_is_required(client):
    assert client.get(f"{BASE}/communes", {"q": "Lille"}).status_code == 401


def test_search_communes(api, nord):
    response = api("/communes", q="Roubaix")
    assert response.status_code == 200
    (roubaix,) = response.json()
    assert roubaix["code_insee"] == "59512"
    assert roubaix["unite"] == {"code": "ROUBAIX_TOURCOING", "nom": "Roubaix-Tourcoing"}
    assert roubaix["departement"] == "59"
    assert "59100" in roubaix["codes_postaux"]
    assert api("/communes", q="59000").json()[0]["nom"] == "Lille"
    assert api("/communes").status_code == 422


def test_commune_by_insee_code(api, nord):
    body = api("/communes/59183").json()
    assert body["nom"] == "Dunkerque"
    assert body["origine_point"] == "mairie"
    assert body["adresse_mairie"].endswith("59140 Dunkerque")
    assert api("/communes/59355").json()["code_insee"] == "59350"  # Lomme, merged into Lille
    response = api("/communes/00000")
    assert response.status_code == 404
    assert "00000" in response.json()["detail"]


def test_sites_filtered_by_kind_and_unit(api, nord):
    everything = api("/sites").json()
    mdie = api("/sites", type="mdie").json()
    assert len(mdie) == 8 and len(everything) > len(mdie)
    lille = api("/sites", type="utpas", unite="LILLE").json()
    assert lille and {s["unite"]["code"] for s in lille} == {"LILLE"}
    assert {s["type"] for s in lille} == {"utpas"}
    assert api("/sites", type="inconnu").status_code == 422


def test_nearest_sites_to_a_commune(api, nord):
    body = api("/communes/59350/sites-proches", type="mdie", limit=3).json()
    assert [s["nom"] for s in body][:1] == ["MDIE Lille"]
    assert body[0]["distance_km"] == 0
    distances = [s["distance_km"] for s in body]
    assert distances == sorted(distances) and len(body) == 3
    dunkerque = next(
        s
        for s in api("/communes/59350/sites-proches", type="mdie", limit=8).json()
        if s["code"] == "MDIE-FLANDRE_MARITIME"
    )
    assert dunkerque["distance_km"] == pytest.approx(66.45, abs=0.1)
    assert api("/communes/00000/sites-proches").status_code == 404
