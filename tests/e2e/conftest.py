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


def log_in_with_second_factor(page, agent, password: str = "motdepasse-de-test-123") -> None:
    """Log `agent` in as a real agent does: password, then the code of a confirmed TOTP device
    (created here; the factories' password by default)."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=agent, name="téléphone", confirmed=True)
    page.goto("/comptes/connexion/")
    page.get_by_label("Identifiant").fill(agent.username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Code à 6 chiffres").fill(f"{code:06d}")
    page.get_by_role("button", name="Valider").click()


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
