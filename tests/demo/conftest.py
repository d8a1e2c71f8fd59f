import pytest

from tests.territory.factories import CommuneFactory, UnitFactory


@pytest.fixture
def territory(departement):
    """A small Nord: a big city in one unit, a town and a village in another."""
    city_unit = UnitFactory(departement=departement, code="LIL", name="Lille")
    other_unit = UnitFactory(departement=departement, code="RT", name="Roubaix-Tourcoing")
    city = CommuneFactory(
        departement=departement, unit=city_unit, insee_code="59350", name="Lille",
        postal_codes="59000 59160 59800", population=200_000,
    )  # fmt: skip
    town = CommuneFactory(
        departement=departement, unit=other_unit, insee_code="59512", name="Roubaix",
        postal_codes="59100", population=20_000,
    )  # fmt: skip
    village = CommuneFactory(
        departement=departement, unit=other_unit, insee_code="59001", name="Abancourt",
        postal_codes="59268", population=2_000,
    )  # fmt: skip
    return {"city_unit": city_unit, "other_unit": other_unit, "city": city, "town": town, "village": village}
