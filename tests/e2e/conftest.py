"""Browser tests: the fixtures (browser, page, screenshot) live in tests/browser.py."""

import pytest

from tests.territory.factories import CommuneFactory, DepartementFactory, UnitFactory


@pytest.fixture
def territory():
    departement = DepartementFactory(code="59", name="Nord")
    lille = UnitFactory(departement=departement, code="LIL", name="Direction territoriale de Lille")
    flandre = UnitFactory(departement=departement, code="FLA", name="Direction territoriale des Flandres")
    return {
        "lille": lille,
        "commune_lille": CommuneFactory(
            departement=departement, unit=lille, name="Lille", insee_code="59350", postal_codes="59000 59800"
        ),
        "commune_flandre": CommuneFactory(
            departement=departement, unit=flandre, name="Dunkerque", insee_code="59183", postal_codes="59140"
        ),
    }
