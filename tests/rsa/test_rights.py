import datetime

import pytest
from django.template.loader import render_to_string

from parcours.imports.runner import run_import
from parcours.people.models import Person
from parcours.rsa.importer import CnafFluxSource
from parcours.rsa.rights import person_rights_context
from tests.accounts.factories import AgentFactory
from tests.api.sessions import bearer
from tests.rsa.factories import dossier, person

pytestmark = pytest.mark.django_db


def test_person_rights_include(write, lille):
    path = write("flux.xml", [dossier(1, state="3", suspension=("05", datetime.date(2024, 5, 2)))])
    run_import(CnafFluxSource(path), path)
    somebody = Person.objects.get()
    html = render_to_string("rsa/person_rights.html", person_rights_context(somebody))
    assert "Droit ouvert et suspendu" in html
    assert "Soumis aux droits et devoirs" in html
    assert "02/05/2024" in html
    assert "Déclaration trimestrielle de ressources non fournie" in html
    assert "Entrée dans le RSA : ouverture du droit" in html


def test_person_without_right():
    html = render_to_string("rsa/person_rights.html", {"rsa_right": None})
    assert "Aucun droit RSA connu" in html


def test_imports_api_report(client, write, lille):
    path = write("flux.xml", [dossier(1), dossier(2, persons=[person(2)], insee_code="59999")])
    report = run_import(CnafFluxSource(path), path)
    # An import from the command line has no creator: administrators alone read its report.
    manager = AgentFactory(role="manager")
    assert client.get(f"/api/v1/imports/{report.batch_id}", headers=bearer(manager)).status_code == 404
    administrator = AgentFactory(role="administrateur")
    response = client.get(f"/api/v1/imports/{report.batch_id}", headers=bearer(administrator))
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["quarantined"]) == (1, 1)
    assert "Commune inconnue" in body["quarantined_records"][0]["reason"]
    referent = AgentFactory(role="referent")
    assert client.get("/api/v1/imports/", headers=bearer(referent)).status_code == 403


def test_rsa_api_goes_through_the_access_rule(client, write, lille):
    path = write("flux.xml", [dossier(1, opened_on=datetime.date(2024, 3, 1))])
    run_import(CnafFluxSource(path), path)
    somebody = Person.objects.get()
    inside = AgentFactory(role="referent", units=[lille.unit])
    response = client.get(f"/api/v1/rsa/personnes/{somebody.pk}/droits", headers=bearer(inside))
    assert response.status_code == 200
    body = response.json()
    assert body["droit"]["etat"] == "2"
    assert body["droit"]["date_ouverture"] == "2024-03-01"
    assert {e["nature"] for e in body["historique"]} == {"rsa.entree", "rsa.droits_devoirs"}
    outside = AgentFactory(role="referent")
    assert (
        client.get(f"/api/v1/rsa/personnes/{somebody.pk}/droits", headers=bearer(outside)).status_code == 404
    )
