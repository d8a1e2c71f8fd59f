from collections import Counter

import pytest

from parcours.territory import reference
from parcours.territory.reference import TerritoryDataError, UnknownDepartement


def test_shipped_communes_file_is_compact():
    assert (reference.DATA_DIR / "communes.csv.gz").stat().st_size < 2_000_000


def test_every_departement_has_its_communes_and_only_current_communes():
    assert len(reference.departements()) == 101
    assert len(reference.communes("59")) == 647
    assert len(reference.communes("76")) == 707
    for code in reference.departements():
        assert reference.communes(code), code


def test_commune_carries_its_article_tncc_postal_codes_and_town_hall():
    communes = {c.insee_code: c for c in reference.communes("59")}
    cateau = communes["59136"]
    assert cateau.name == "Le Cateau-Cambrésis"
    assert cateau.tncc == 2
    lille = communes["59350"]
    assert "59000" in lille.postal_codes.split()
    assert lille.arrondissement == "595"
    assert lille.location_source == "mairie"
    assert lille.town_hall_address == "Place Augustin-Laurent, 59000 Lille"
    assert lille.population > 200_000


def test_paris_lyon_marseille_are_shipped_as_their_arrondissements():
    paris = reference.communes("75")
    assert len(paris) == 20
    assert {c.kind for c in paris} == {"arrondissement_municipal"}
    assert {c.parent_code for c in paris} == {"75056"}
    codes = {c.insee_code for c in reference.communes("13")}
    assert "13055" not in codes and {"13201", "13216"} <= codes
    assert "69123" not in {c.insee_code for c in reference.communes("69")}


def test_departement_codes_are_normalised_and_unknown_ones_rejected():
    assert reference.departement(" 2a ").code == "2A"
    assert reference.departement("1").code == "01"
    assert reference.departement("974").name == "La Réunion"
    with pytest.raises(UnknownDepartement, match="Département inconnu"):
        reference.departement("99")


def test_nord_has_its_eight_directions_territoriales_each_commune_in_one():
    plans = reference.unit_plan("59")
    assert [p.name for p in plans] == [
        "Avesnois",
        "Cambrésis",
        "Douaisis",
        "Flandre intérieure",
        "Flandre maritime",
        "Lille",
        "Roubaix-Tourcoing",
        "Valenciennois / Hainaut",
    ]
    counts = Counter(code for plan in plans for code in plan.communes)
    assert len(counts) == 647 and set(counts.values()) == {1}
    unit_of = {code: plan.code for plan in plans for code in plan.communes}
    assert unit_of["59512"] == unit_of["59599"] == "ROUBAIX_TOURCOING"  # Roubaix, Tourcoing
    assert unit_of["59295"] == unit_of["59017"] == "FLANDRE_INTERIEURE"  # Hazebrouck, Armentières
    assert unit_of["59183"] == "FLANDRE_MARITIME"  # Dunkerque
    assert unit_of["59350"] == "LILLE"
    assert unit_of["59606"] == "VALENCIENNOIS"
    for plan in plans:
        assert plan.seat in plan.communes


def test_other_departements_get_one_unit_seated_at_the_chef_lieu():
    (plan,) = reference.unit_plan("76")
    assert (plan.code, plan.name, plan.seat) == ("76", "Seine-Maritime", "76540")  # Rouen
    assert len(plan.communes) == 707


@pytest.fixture
def units_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(reference, "UNITS_DIR", tmp_path)
    return tmp_path


def test_a_units_file_configures_a_departement(units_dir):
    (units_dir / "76.toml").write_text(
        '[[units]]\ncode = "LH"\nname = "Le Havre"\ncommunes = ["76351"]\n\n'
        '[[units]]\ncode = "RESTE"\nname = "Reste"\ndefault = true\n'
    )
    plans = {p.code: p for p in reference.unit_plan("76")}
    assert plans["LH"].communes == ["76351"] and plans["LH"].seat == "76351"
    assert len(plans["RESTE"].communes) == 706


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[units]]\ncode = "A"\nname = "A"\narrondissements = ["761"]\n', "aucune unité"),
        (
            '[[units]]\ncode = "A"\nname = "A"\ncommunes = ["76351"]\ndefault = true\n'
            '[[units]]\ncode = "B"\nname = "B"\ncommunes = ["76351"]\n',
            "deux unités",
        ),
        (
            '[[units]]\ncode = "A"\nname = "A"\ncommunes = ["59350"]\ndefault = true\n',
            "pas dans le département",
        ),
    ],
)
def test_inconsistent_units_files_are_rejected(units_dir, toml, message):
    (units_dir / "76.toml").write_text(toml)
    with pytest.raises(TerritoryDataError, match=message):
        reference.unit_plan("76")
