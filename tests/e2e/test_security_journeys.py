"""The security rules as agents meet them in a browser: an import that cannot reach another unit's
person, a report with its quarantined rows, an employer kept out of the agents' pages, and the
lockout after repeated wrong passwords."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from parcours.core.models import AuditAction, AuditEvent
from parcours.imports.models import ImportRecord
from parcours.people.models import Person
from tests.accounts.factories import AgentFactory
from tests.e2e.conftest import open_menu
from tests.e2e.test_journeys import PASSWORD, log_in
from tests.jobs.factories import EmployerFactory, employer_account
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_mode(settings, tmp_path):
    settings.PARCOURS_DEMO = True
    settings.VAR_DIR = tmp_path
    settings.PARCOURS_IMPORTS_SYNC = True
    cache.clear()


def test_an_import_creates_in_the_agents_unit_and_quarantines_another_units_person(
    page, territory, demo_mode, tmp_path, screenshot
):
    AgentFactory(
        username="demo-orientation", role="charge_orientation", units=[territory["lille"]], otp_exempt=True
    )
    other = PersonFactory(commune=territory["commune_flandre"], last_name="Vasseur")
    file = tmp_path / "beneficiaires.csv"
    file.write_text(
        "NIR;Nom;Prénom;Date de naissance;CP Ville\n"
        f";Durand;Léa;01/02/1990;59000 Lille\n"
        f"{other.nir};{other.last_name};{other.first_names};{other.birth_date:%d/%m/%Y};59000 Lille\n",
        encoding="utf-8",
    )
    log_in(page, "demo-orientation")
    open_menu(page, "Imports")
    page.get_by_label("Format du fichier de bénéficiaires").select_option("csv")
    page.locator("#id_file").set_input_files(str(file))
    page.get_by_role("button", name="Importer").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Import n°")
    expect(page.get_by_text("autre unité territoriale").first).to_be_visible()
    screenshot("import-report-quarantine")
    other.refresh_from_db()
    assert other.commune == territory["commune_flandre"]
    assert Person.objects.filter(last_name__iexact="durand", commune=territory["commune_lille"]).exists()
    assert ImportRecord.objects.filter(status="quarantined").count() == 1

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les lignes rejetées").click()
    content = download.value.path().read_text(encoding="utf-8-sig")
    assert other.last_name in content and "Motif du rejet" in content


def test_an_employer_account_is_kept_out_of_the_agents_pages(page, territory, settings, screenshot):
    settings.PARCOURS_DEMO = True
    account = employer_account(EmployerFactory(name="Boulangerie Test"))
    account.username, account.otp_exempt = "demo-employeur", True
    account.set_password(PASSWORD)
    account.save()
    log_in(page, "demo-employeur")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Espace employeur")
    for path in ("/personnes/", "/orientation/", "/agendas/", "/territoire/"):
        response = page.goto(path)
        assert response.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_contain_text("Accès refusé")
    screenshot("employer-refused")
    assert AuditEvent.objects.filter(agent=account, action=AuditAction.DENIED).count() == 4


def test_five_wrong_passwords_lock_the_account_out(page, territory, demo_mode, screenshot):
    AgentFactory(username="demo-verrou", role="accueil", units=[territory["lille"]], otp_exempt=True)
    for _ in range(5):
        page.goto("/comptes/connexion/")
        page.get_by_label("Identifiant").fill("demo-verrou")
        page.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
        page.get_by_role("button", name="Se connecter").click()
    log_in(page, "demo-verrou")  # the right password, too late
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion suspendue")
    screenshot("login-locked-out")
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).exists()
