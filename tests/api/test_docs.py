import pytest
from django.contrib.staticfiles import finders

from tests.api.sessions import bearer
from tests.conftest import login_verified


@pytest.mark.django_db
def test_docs_require_a_logged_in_agent(client, agent_a):
    response = client.get("/api/v1/docs")
    assert response.status_code == 302 and response["Location"].startswith("/comptes/connexion/")
    client.force_login(agent_a)
    response = client.get("/api/v1/docs")
    assert response.status_code == 302 and response["Location"].startswith("/comptes/second-facteur/")


@pytest.mark.django_db
def test_docs_load_swagger_ui_from_our_static_files(client, agent_a):
    login_verified(client, agent_a)
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "https://" not in html and "http://" not in html
    for asset in ("ninja/swagger-ui.css", "ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js"):
        assert f"/static/{asset}" in html
        assert finders.find(asset), f"{asset} is not found by the static files finders"


@pytest.mark.django_db
def test_openapi_schema_needs_a_token_or_a_session(client, agent_a):
    assert client.get("/api/v1/openapi.json").status_code == 401
    response = client.get("/api/v1/openapi.json", headers=bearer(agent_a))
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert {"/api/v1/personnes/", "/api/v1/personnes/{person_id}", "/api/v1/foyers/{household_id}"} <= set(
        paths
    )
    assert paths["/api/v1/personnes/recherche"]["post"]["summary"] == "Rechercher des personnes"
    assert paths["/api/v1/personnes/"]["get"]["summary"] == "Lister les personnes"
    assert not {"q", "date_naissance"} & {p["name"] for p in paths["/api/v1/personnes/"]["get"]["parameters"]}
    assert paths["/api/v1/personnes/"]["post"]["summary"] == "Créer une personne"
    assert login_verified(client, agent_a).get("/api/v1/openapi.json").status_code == 200
