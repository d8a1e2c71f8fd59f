"""Defects an agent saw while walking the directory's screens (W-DIR review): each test failed
before its fix."""

import datetime
import json
import random

import pydantic
import pytest
from django.urls import reverse

from parcours.demo.directory import KINDS, _structure
from parcours.directory import hours
from parcours.directory.importer import import_file
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.directory.factories import ServiceFactory, StructureFactory
from tests.directory.test_edit import form_data
from tests.territory.factories import CommuneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lille(departement, settings):
    settings.PARCOURS_DEPARTEMENT = "59"
    return CommuneFactory(
        departement=departement, insee_code="59350", name="Lille", latitude=50.63089, longitude=3.07086
    )


def test_invalid_hours_are_explained_in_french_without_the_parsers_english():
    with pytest.raises(hours.InvalidHours) as error:
        hours.parse("Mo-Fr 09:00-12:00; Sa 9h-12h")
    message = str(error.value)
    assert "illisibles (syntaxe OpenStreetMap attendue)" in message
    assert "à partir du caractère 23 (« 9h-12h »)" in message
    assert "écrivez par exemple « Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00 »" in message
    for english in ("Failed to parse", "expected", "EOI", "-->"):
        assert english not in message


def summary(text: str) -> str:
    """`hours.summary` with its non-breaking spaces shown as spaces."""
    return hours.summary(text).replace("\u00a0", " ")


def test_hours_summary_groups_days_in_french():
    assert "9\u00a0h\u00a000" in hours.summary("Sa 09:00-12:00")  # no line break inside a time
    assert summary("Mo-Fr 09:00-12:00; Sa 09:00-12:00") == "lun.–sam. 9 h 00 – 12 h 00"
    assert (
        summary("Mo,Th 09:00-12:00,14:00-17:00; Tu 14:00-17:00")
        == "lun. 9 h 00 – 12 h 00, 14 h 00 – 17 h 00 ; mar. 14 h 00 – 17 h 00 ; jeu. 9 h 00 – 12 h 00, 14 h 00 – 17 h 00"
    )
    assert summary("") == ""
    assert summary("n'importe quoi") == "n'importe quoi"


@pytest.fixture
def agent_client(client, lille):
    return login_verified(client, AgentFactory(role="accueil"))


def test_search_results_give_the_hours_in_french_not_in_osm_syntax(agent_client, lille):
    ServiceFactory(
        structure=StructureFactory(commune=lille), horaires_accueil="Tu,Th 14:00-17:00; Sa 09:00-12:00"
    )
    html = agent_client.get(reverse("directory:search"), {"commune": "59350"}).content.decode()
    html = html.replace("\u00a0", " ")
    assert "mar. 14 h 00 – 17 h 00 ; jeu. 14 h 00 – 17 h 00 ; sam. 9 h 00 – 12 h 00" in html
    assert "Tu,Th 14:00-17:00" not in html


def test_an_invalid_search_lists_nothing_and_opens_the_coordinates(agent_client, lille):
    ServiceFactory(structure=StructureFactory(commune=lille), nom="Épicerie de Lille")
    html = agent_client.get(reverse("directory:search"), {"latitude": "50.6"}).content.decode()
    assert "Donnez la latitude et la longitude ensemble" in html
    assert "Épicerie de Lille" not in html  # not the whole directory as if the criteria applied
    assert "Recherche non lancée : corrigez les critères signalés ci-dessus." in html
    assert '<details class="fr-mb-2w" open>' in html
    assert "0 service\n" in html or "0 service " in html  # French: 0 is singular


def test_an_unreadable_json_file_is_refused_in_french(tmp_path, lille):
    path = tmp_path / "export.json"
    path.write_text('{"services": [ <b>')
    report = import_file(path, agent=AgentFactory(role="manager"), file_name="export.json")
    assert report.status != "done"
    assert report.message.startswith("Fichier JSON illisible : erreur de syntaxe ligne 1, colonne 16.")
    assert "Expecting" not in report.message and "char" not in report.message


def test_the_demo_directorys_addresses_pass_the_schemas_email_check(lille):
    """A `.test` address made every demo service impossible to save from its edit page."""
    lille.postal_codes = "59000"
    structure, services = _structure(
        random.Random(1), KINDS[0], lille, 0, datetime.date(2026, 12, 1), 1, "59"
    )
    adapter = pydantic.TypeAdapter(pydantic.EmailStr)
    for address in [structure.courriel] + [service.courriel for service in services]:
        adapter.validate_python(address)


def test_an_edit_error_is_shown_on_the_field_it_is_about(client, lille):
    service = ServiceFactory(structure__commune=lille, zone_eligibilite=[])
    agent = AgentFactory(role="accueil", organisation=service.structure.organisation)
    login_verified(client, agent)
    url = reverse("directory:service_edit", args=[service.pk])
    response = client.post(url, form_data(service, courriel="contact@exemple.test"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["courriel"] == ["Courriel invalide « contact@exemple.test »."]
    assert not form.non_field_errors()


def test_export_gives_the_hours_in_french(agent_client, lille):
    ServiceFactory(structure=StructureFactory(commune=lille), horaires_accueil="Sa 09:00-12:00")
    response = agent_client.get(reverse("directory:search"), {"commune": "59350", "export": "csv"})
    assert "sam. 9 h 00 – 12 h 00" in response.content.decode("utf-8-sig").replace("\u00a0", " ")
    assert json.dumps("Sa 09:00-12:00")[1:-1] not in response.content.decode("utf-8-sig")


@pytest.fixture
def manager_client(client, lille):
    return login_verified(client, AgentFactory(role="manager"))


def test_coverage_parameters_left_out_take_their_default_without_an_error(manager_client, lille):
    response = manager_client.get(reverse("directory:coverage"), {"categorie": "sante"})
    form = response.context["form"]
    assert not form.errors  # « Déplacement : ce champ est obligatoire » before
    assert form["mode"].value() == "sans_voiture"  # the mode the analysis uses, not the first option
    assert "coverage-defaults" not in response.content.decode()


def test_invalid_coverage_parameters_say_the_default_is_used(manager_client, lille):
    response = manager_client.get(reverse("directory:coverage"), {"categorie": "sante", "demi_journees": 99})
    html = response.content.decode()
    assert "la valeur par défaut des champs signalés" in html
    assert response.context["analysis"].min_half_days == 2


def test_what_if_shows_a_share_that_moves_by_less_than_a_point(manager_client, lille):
    from parcours.directory.coverage import WhatIf

    what_if = WhatIf(50.6, 3.0, [], 120, 0.9612, 0.9656)
    assert (what_if.percent_before, what_if.percent_after) == (96.1, 96.6)
