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


def open_menu(page, name: str) -> None:
    """Click the main menu's entry `name`. A long menu gathers its entries in DSFR sub-menus
    (`core.menu`): the entry's group is opened first, as an agent would."""
    nav = page.locator("#main-navigation")
    link = nav.get_by_role("link", name=name, exact=True, include_hidden=True)
    if not link.is_visible():
        group = nav.locator(
            ".fr-nav__item", has=page.get_by_role("link", name=name, exact=True, include_hidden=True)
        )
        group.locator(".fr-nav__btn").click()
    link.click()
