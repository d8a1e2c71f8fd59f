import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.directory.models import Service
from parcours.directory.search import Criteria, search, thematiques_for
from parcours.reception.models import Need
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.directory.factories import ServiceFactory, StructureFactory
from tests.territory.factories import CommuneFactory

pytestmark = pytest.mark.django_db

LILLE = (50.63089, 3.07086)
SATURDAY = datetime.date(2026, 12, 5)


@pytest.fixture
def places(departement):
    lille = CommuneFactory(
        departement=departement, insee_code="59350", name="Lille", latitude=LILLE[0], longitude=LILLE[1]
    )
    roubaix = CommuneFactory(
        departement=departement, insee_code="59512", name="Roubaix", latitude=50.69121, longitude=3.17404
    )
    dunkerque = CommuneFactory(
        departement=departement, insee_code="59183", name="Dunkerque", latitude=51.03751, longitude=2.37742
    )
    return {"lille": lille, "roubaix": roubaix, "dunkerque": dunkerque}


def at(commune, **kwargs):
    return ServiceFactory(structure=StructureFactory(commune=commune), **kwargs)


def names(services) -> list[str]:
    return [service.nom for service in services]


def test_distance_filters_and_orders_nearest_first(places):
    at(places["roubaix"], nom="Roubaix")
    at(places["lille"], nom="Lille")
    at(places["dunkerque"], nom="Dunkerque")
    found = search(Criteria(centre=LILLE, radius_km=15))
    assert names(found) == ["Lille", "Roubaix"]
    assert found[1].distance_sq == pytest.approx(9.9**2, rel=0.02)
    assert names(search(Criteria(centre=LILLE, radius_km=5))) == ["Lille"]
    assert names(search(Criteria())) == ["Dunkerque", "Lille", "Roubaix"]  # no centre: by name


def test_need_category_public_free_and_text(places):
    at(
        places["lille"],
        nom="Colis",
        thematiques=["equipement-et-alimentation--alimentation"],
        publics=["tous-publics"],
    )
    at(
        places["lille"],
        nom="Permis",
        thematiques=["mobilite--preparer-un-permis"],
        publics=["jeunes"],
        frais=["payant"],
    )
    at(places["lille"], nom="Sans public", thematiques=["mobilite--financer-ma-mobilite"], publics=[])
    food_need = Need.objects.filter(
        situation__theme__data_inclusion_thematique="equipement-et-alimentation"
    ).first()
    codes = thematiques_for(food_need.situation.theme.data_inclusion_thematique)
    assert "equipement-et-alimentation--alimentation" in codes
    assert names(search(Criteria(thematiques=tuple(codes)))) == ["Colis"]
    assert names(search(Criteria(category="mobilite"))) == ["Permis", "Sans public"]
    # "jeunes": the services for the young, for everyone, or naming no public.
    assert names(search(Criteria(public="jeunes"))) == ["Colis", "Permis", "Sans public"]
    assert names(search(Criteria(public="seniors"))) == ["Colis", "Sans public"]
    assert names(search(Criteria(free=True))) == ["Colis", "Sans public"]
    assert names(search(Criteria(text="perm"))) == ["Permis"]


def test_older_need_codes_map_to_schema_v1():
    assert (
        "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"
        in thematiques_for("acces-aux-droits-et-citoyennete")
    )
    assert thematiques_for("handicap") == [
        "famille--prise-en-charge-personne-dependante",
        "sante--constituer-un-dossier-mdph-invalidite",
    ]
    assert thematiques_for("") == []


def test_open_on_a_weekday_and_open_now(places):
    at(places["lille"], nom="Samedi matin", horaires_accueil="Mo-Fr 09:00-17:00; Sa 09:00-12:00")
    at(places["lille"], nom="Semaine", horaires_accueil="Mo-Fr 09:00-17:00")
    at(places["lille"], nom="Sans horaires", horaires_accueil="")
    # Closed in December only: the library sees it, the reference week cannot.
    at(places["lille"], nom="Saisonnier", horaires_accueil="Jan-Nov Sa 09:00-12:00")
    assert names(search(Criteria(weekday=5), today=SATURDAY - datetime.timedelta(days=2))) == ["Samedi matin"]
    saturday_10 = timezone.make_aware(datetime.datetime.combine(SATURDAY, datetime.time(10)))
    saturday_15 = saturday_10 + datetime.timedelta(hours=5)
    assert names(search(Criteria(open_at=saturday_10))) == ["Samedi matin"]
    assert names(search(Criteria(open_at=saturday_15))) == []


def test_zone_of_eligibility(places):
    at(places["lille"], nom="Lillois", zone_eligibilite=["59350"])
    at(places["lille"], nom="Tout le Nord", zone_eligibilite=["59"])
    at(places["lille"], nom="Partout", zone_eligibilite=[])
    assert names(search(Criteria(zone_code="59512"))) == ["Partout", "Tout le Nord"]
    assert names(search(Criteria(zone_code="59350"))) == ["Lillois", "Partout", "Tout le Nord"]


def test_closed_services_are_left_out(places):
    at(places["lille"], nom="Fermé", closed_on=datetime.date(2024, 1, 1))
    at(places["lille"], nom="Ouvert")
    assert names(search(Criteria())) == ["Ouvert"]


@pytest.fixture
def agent_client(client, departement):
    return login_verified(client, AgentFactory(role="accueil"))


def test_search_page_lists_by_distance_with_map_hook_and_travel_time(agent_client, places, settings):
    settings.PARCOURS_DEPARTEMENT = "59"
    at(places["roubaix"], nom="Épicerie de Roubaix")
    at(places["lille"], nom="Épicerie de Lille", date_maj=datetime.date(2020, 1, 1))
    response = agent_client.get(
        reverse("directory:search"), {"commune": "59350", "rayon": 15, "mode": "voiture", "ouvert": "5"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 services" in html and "du plus proche au plus lointain" in html
    assert html.index("Épicerie de Lille") < html.index("Épicerie de Roubaix")
    assert "À mettre à jour" in html  # the stale one
    assert "9,9 km" in html
    assert " min</span>" in html  # the estimated travel time


def test_search_page_query_count_does_not_grow_with_results(
    agent_client, places, django_assert_max_num_queries
):
    url = reverse("directory:search")
    params = {"commune": "59350", "rayon": 50, "ouvert": "maintenant"}
    for _ in range(3):
        at(places["lille"], horaires_accueil="24/7")
    with django_assert_max_num_queries(18) as few:  # 16 measured
        assert agent_client.get(url, params).status_code == 200
    for _ in range(30):
        at(places["roubaix"], horaires_accueil="24/7")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = agent_client.get(url, params)
    assert "33 services" in response.content.decode()


def test_export_csv(agent_client, places):
    at(places["lille"], nom="=HYPERLINK(1)")
    response = agent_client.get(reverse("directory:search"), {"commune": "59350", "export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Service", "Structure", "Catégorie", "Commune", "Distance (km)"]
    assert rows[1][0] == "'=HYPERLINK(1)" and rows[1][4] == "0.0"


def test_invalid_point_is_explained(agent_client, places):
    response = agent_client.get(reverse("directory:search"), {"latitude": "50.6"})
    assert "Donnez la latitude et la longitude ensemble" in response.content.decode()


def test_orient_link_when_searching_for_a_person(agent_client, places):
    service = at(places["lille"])
    html = agent_client.get(reverse("directory:search"), {"personne": 42}).content.decode()
    assert f"/annuaire/personnes/42/orienter/?service={service.pk}" in html


def test_service_detail_in_french(agent_client, places):
    service = at(
        places["lille"],
        horaires_accueil="Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00",
        zone_eligibilite=["59350", "59"],
        publics=["jeunes"],
    )
    html = agent_client.get(reverse("directory:service", args=[service.pk])).content.decode()
    assert "9 h 00 – 12 h 00, 14 h 00 – 17 h 00" in html
    assert "Dimanche</th>" in html and "fermé" in html
    assert "Lille, 59" in html
    assert "Jeunes" in html and "Alimentation" in html


def test_menu_entry(agent_client):
    html = agent_client.get(reverse("directory:search")).content.decode()
    assert "Annuaire des services" in html
    assert Service.objects.count() == 0
