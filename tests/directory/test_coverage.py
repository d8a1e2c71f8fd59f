"""Coverage analysis: nearest service by commune, travel-time estimate, gaps, what-if, the page."""

import csv
import datetime
import io
import re

import numpy as np
import pytest

from parcours.accounts.models import Role
from parcours.directory import coverage, travel
from parcours.directory.models import Category
from parcours.territory.geo import distance_km
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.directory.factories import ServiceFactory
from tests.territory.factories import CommuneFactory

FOOD = Category.AIDE_ALIMENTAIRE
HEALTH = ["sante--acces-aux-soins"]


@pytest.fixture
def area(departement):
    """Four communes on a line of latitude 50° N: A (with a food-aid service), B 7 km east,
    C 36 km east, D next to C (a food distribution open one half-day a week only)."""
    a = CommuneFactory(
        departement=departement,
        insee_code="59001",
        name="Aville",
        population=10_000,
        latitude=50.0,
        longitude=3.0,
    )
    b = CommuneFactory(
        departement=departement,
        insee_code="59002",
        name="Bville",
        population=1_000,
        latitude=50.0,
        longitude=3.1,
    )
    c = CommuneFactory(
        departement=departement,
        insee_code="59003",
        name="Cville",
        population=2_000,
        latitude=50.0,
        longitude=3.5,
    )
    d = CommuneFactory(
        departement=departement,
        insee_code="59004",
        name="Dville",
        population=500,
        latitude=50.0,
        longitude=3.52,
    )
    ServiceFactory(structure__commune=a, nom="Épicerie d'Aville")
    ServiceFactory(structure__commune=d, horaires_accueil="Tu 14:00-17:00")  # 1 half-day
    ServiceFactory(structure__commune=c, closed_on=datetime.date.today() - datetime.timedelta(days=3))
    ServiceFactory(structure__commune=c, thematiques=HEALTH, nom="Centre de santé de Cville")
    return {"a": a, "b": b, "c": c, "d": d}


def rows_of(analysis):
    return {row.name: row for row in analysis.rows}


# --- travel -------------------------------------------------------------------------------------


def test_travel_time_is_straight_line_with_detour_at_a_mode_speed():
    assert travel.minutes(10, travel.Mode.CAR) == pytest.approx(10 * 1.3 / 50 * 60)
    # Without a car: walking for short trips, public transport (with its wait) beyond.
    assert travel.minutes(1, travel.Mode.NO_CAR) == pytest.approx(1 * 1.3 / 4.5 * 60)
    assert travel.minutes(10, travel.Mode.NO_CAR) == pytest.approx(15 + 10 * 1.3 / 20 * 60)
    for mode in travel.Mode.values:
        assert travel.minutes(travel.reachable_km(30, mode), mode) == pytest.approx(30)
    assert list(travel.minutes(np.array([0.0, 10.0]), travel.Mode.CAR)) == pytest.approx([0, 15.6])
    with pytest.raises(ValueError, match="mode de déplacement inconnu"):
        travel.minutes(1, "vélo")


# --- analysis -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_commune_gets_its_nearest_open_service_open_often_enough(area, django_assert_num_queries):
    with django_assert_num_queries(2):
        analysis = coverage.analyse("59", FOOD, mode=travel.Mode.CAR, min_half_days=2)
    rows = rows_of(analysis)
    assert analysis.service_count == 1  # the closed one, the one-half-day one and the health centre are out
    assert rows["Aville"].km == 0 and not rows["Aville"].in_gap
    expected = distance_km((50.0, 3.0), (50.0, 3.1))
    assert rows["Bville"].km == pytest.approx(expected, abs=0.05)
    assert rows["Bville"].minutes_car == round(expected * 1.3 / 50 * 60)
    assert not rows["Bville"].in_gap
    assert rows["Cville"].in_gap and rows["Dville"].in_gap  # ~36 km: about 56 minutes by car
    assert analysis.population_within == 11_000
    assert analysis.share_within == pytest.approx(11_000 / 13_500)
    assert [row.name for row in analysis.gaps] == ["Cville", "Dville"]  # most populous first


@pytest.mark.django_db
def test_the_half_days_threshold_and_the_mode_change_the_gaps(area):
    once_a_week = rows_of(coverage.analyse("59", FOOD, mode=travel.Mode.CAR, min_half_days=1))
    assert not once_a_week["Cville"].in_gap and not once_a_week["Dville"].in_gap
    without_car = rows_of(coverage.analyse("59", FOOD, mode=travel.Mode.NO_CAR))
    assert without_car["Bville"].in_gap  # 7 km: 15 min of waiting + 27 min of bus
    assert not without_car["Aville"].in_gap


@pytest.mark.django_db
def test_without_any_service_every_commune_is_in_gap(area):
    analysis = coverage.analyse("59", Category.MOBILITE)
    assert analysis.service_count == 0
    assert all(row.in_gap and row.km is None for row in analysis.rows)
    assert set(analysis.classes().values()) == {len(coverage.CLASS_LABELS) - 1}
    assert analysis.share_within == 0


@pytest.mark.django_db
def test_what_if_counts_the_population_a_new_site_would_bring_within_reach(area):
    analysis = coverage.analyse("59", FOOD, mode=travel.Mode.CAR)
    gain = analysis.what_if(50.0, 3.51)
    assert gain.population_gained == 2_500
    assert [row.name for row in gain.communes] == ["Cville", "Dville"]
    assert gain.share_before == pytest.approx(11_000 / 13_500) and gain.share_after == 1.0
    assert analysis.what_if(50.0, 3.0).population_gained == 0  # where there already is one


@pytest.mark.django_db
def test_all_categories_at_once_agree_with_one_by_one(area, django_assert_num_queries):
    with django_assert_num_queries(2):
        every = coverage.analyse_all("59", mode=travel.Mode.CAR)
    assert list(every) == Category.values
    for category in (FOOD, Category.SANTE):
        alone = coverage.analyse("59", category, mode=travel.Mode.CAR)
        assert [r.km for r in every[category].rows] == [r.km for r in alone.rows]
    assert not rows_of(every[Category.SANTE])["Cville"].in_gap


def test_nearest_in_chunks_matches_a_brute_force(monkeypatch):
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(49.9, 51.1, 300), rng.uniform(2.0, 4.3, 300)
    to_lat, to_lon = rng.uniform(49.9, 51.1, 40), rng.uniform(2.0, 4.3, 40)
    monkeypatch.setattr(coverage, "CHUNK_CELLS", 400)  # 10 communes a block
    km, index = coverage.nearest(lat, lon, to_lat, to_lon)
    for i in range(0, 300, 37):
        brute = [distance_km((lat[i], lon[i]), (to_lat[j], to_lon[j])) for j in range(40)]
        assert km[i] == pytest.approx(min(brute)) and index[i] == int(np.argmin(brute))


def test_unknown_parameters_are_refused():
    with pytest.raises(ValueError):
        coverage.analyse("59", "jardinage")
    with pytest.raises(ValueError, match="demi-journées"):
        coverage.analyse("59", FOOD, min_half_days=20)


# --- the page -----------------------------------------------------------------------------------


@pytest.fixture
def manager(departement):
    return AgentFactory(role=Role.MANAGER)


@pytest.mark.django_db
def test_the_page_shows_the_map_and_the_same_data_in_a_table_gaps_first(
    client, area, manager, settings, django_assert_max_num_queries
):
    settings.PARCOURS_DEPARTEMENT = "59"
    login_verified(client, manager)
    with django_assert_max_num_queries(12):
        response = client.get(
            "/annuaire/couverture/", {"categorie": FOOD, "mode": travel.Mode.CAR, "demi_journees": 2}
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="map" role="img"' in page
    assert "parcours/map.css" in page
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    first_cells = re.findall(r"<tr>\s*<td>([^<]+)</td>", table)
    assert first_cells == ["Dville", "Cville", "Bville", "Aville"]  # gaps first, farthest first
    assert "Épicerie d&#x27;Aville" in table or "Épicerie d'Aville" in table
    assert "81 % de la population" in page


@pytest.mark.django_db
def test_the_what_if_form_shows_the_population_gained(client, area, manager, settings):
    settings.PARCOURS_DEPARTEMENT = "59"
    login_verified(client, manager)
    response = client.get(
        "/annuaire/couverture/", {"categorie": FOOD, "mode": travel.Mode.CAR, "hypothese": "59003"}
    )
    page = response.content.decode()
    assert re.search(r"2\s?500 habitants de plus", page)
    assert re.search(r"81(,\d)? % → 100 %", page)
    assert "map-point--hypothese" in page


@pytest.mark.django_db
def test_the_table_exports_to_csv(client, area, manager, settings):
    settings.PARCOURS_DEPARTEMENT = "59"
    login_verified(client, manager)
    response = client.get(
        "/annuaire/couverture/", {"categorie": FOOD, "mode": travel.Mode.CAR, "export": "csv"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Commune", "Code INSEE", "Population"]
    assert [row[0] for row in rows[1:]] == ["Dville", "Cville", "Bville", "Aville"]
    assert rows[1][6] == "oui" and rows[1][7].startswith("Épicerie d'Aville")
    xlsx = client.get("/annuaire/couverture/", {"categorie": FOOD, "export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.REFERENT, Role.ACCUEIL, Role.COACH_EMPLOI])
def test_only_managers_and_administrators_analyse_coverage(client, departement, role):
    login_verified(client, AgentFactory(role=role))
    assert client.get("/annuaire/couverture/").status_code == 403


@pytest.mark.django_db
def test_the_benchmark_runs_on_a_tiny_directory():
    """`make bench`'s directory figures, on the real Nord communes and a few hundred services
    (no timing asserted: the figures are for the report)."""
    from bench.bench_directory import measure
    from parcours.territory.loader import load_territory

    load_territory("59")
    data = measure("59", density=0.1, sample=5)
    assert data["services"] > 100
    assert data["coverage_communes"] == 647 and data["coverage_categories"] == 10
    assert data["search_p95_ms"] >= data["search_p50_ms"] > 0
