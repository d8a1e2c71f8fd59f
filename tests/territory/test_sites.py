from collections import Counter

from parcours.territory import reference
from parcours.territory.sites import (
    CCAS_MIN_POPULATION,
    FRANCE_TRAVAIL_MIN_POPULATION,
    name_after_de,
    plan_sites,
)


def test_name_after_de_follows_the_article():
    assert name_after_de("Lille", 0) == "de Lille"
    assert name_after_de("Armentières", 1) == "d'Armentières"
    assert name_after_de("Le Cateau-Cambrésis", 2) == "du Cateau-Cambrésis"
    assert name_after_de("La Madeleine", 3) == "de La Madeleine"
    assert name_after_de("Les Rues-des-Vignes", 4) == "des Rues-des-Vignes"


def test_generated_sites_of_the_nord():
    communes = reference.communes("59")
    units = reference.unit_plan("59", communes)
    sites = plan_sites(units, communes)
    assert sites == plan_sites(units, communes)  # deterministic
    assert len({s.code for s in sites}) == len(sites)
    by_kind = Counter(s.kind for s in sites)
    assert by_kind["mdie"] == by_kind["relais_autonomie"] == by_kind["maison_parents"] == 8
    population = {c.insee_code: c.population for c in communes}
    assert by_kind["ccas"] == sum(p >= CCAS_MIN_POPULATION for p in population.values())
    assert {s.commune for s in sites if s.kind == "france_travail"} >= {
        code for code, p in population.items() if p >= FRANCE_TRAVAIL_MIN_POPULATION
    }
    for unit in units:
        kinds = {s.kind for s in sites if s.unit == unit.code}
        assert {"mdie", "utpas", "france_travail", "relais_autonomie", "maison_parents"} <= kinds
        assert all(s.commune in unit.communes for s in sites if s.unit == unit.code)
    mdie_lille = next(s for s in sites if s.code == "MDIE-LILLE")
    assert mdie_lille.commune == "59350"
    assert mdie_lille.address == "Place Augustin-Laurent, 59000 Lille"


def test_a_site_without_town_hall_address_gets_a_mairie_address():
    communes = reference.communes("75")  # no town hall address for Paris's arrondissements
    sites = plan_sites(reference.unit_plan("75", communes), communes)
    assert any(s.address.startswith("Mairie, 750") for s in sites)
