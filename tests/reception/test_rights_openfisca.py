"""Access to rights against a real OpenFisca-France (pinned in services/openfisca/requirements.txt),
started by the `openfisca_service` fixture of the jobs' golden tests (skipped without
.venv-openfisca). Amounts recorded once from OpenFisca-France 176.1.8 for March 2026 and checked
for plausibility (RSA 2026 for one person 646.52 € minus the 12 % housing flat rate; AAH 1033.32 €
from April 2025); a change means OpenFisca or our situation changed."""

import datetime

import pytest

from parcours.reception import rights
from tests.jobs.conftest import openfisca_service  # noqa: F401 (the fixture)

TODAY = datetime.date(2026, 3, 15)
BASE = {
    "couple": False,
    "partner_age": None,
    "children_ages": [],
    "salary": "0.00",
    "unemployment": "0.00",
    "partner_salary": "0.00",
    "partner_unemployment": "0.00",
    "pension": "0.00",
    "alimony": "0.00",
    "already": [],
    "commune": "59350",  # Lille
    "disability_rate": "",
    "rsdae": False,
}


@pytest.fixture
def service(openfisca_service, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OPENFISCA_URL", openfisca_service)
    monkeypatch.setenv("OPENFISCA_TIMEOUT", "120")


def amounts(answers: dict) -> dict:
    result = rights.simulate({**BASE, **answers}, today=TODAY)
    return {e.benefit: e for e in result.entitlements}


def test_single_adult_without_income_in_lille_gets_rsa_and_free_css(service):
    got = amounts({"age": 35, "housing_status": "locataire_vide", "rent": "450.00"})
    assert got["rsa"].eligible and float(got["rsa"].monthly_amount) == pytest.approx(568.94, abs=1)
    assert got["css"].eligible and got["css"].participation == 0
    assert got["aides_logement"].eligible and float(got["aides_logement"].monthly_amount) == pytest.approx(
        304, abs=1
    )
    assert not got["prime_activite"].eligible and not got["aah"].eligible


def test_couple_with_a_child_and_a_low_salary_gets_activity_bonus_and_housing_aid_when_renting(service):
    couple = {"age": 34, "couple": True, "partner_age": 32, "children_ages": [4], "salary": "1100.00"}
    renting = amounts({**couple, "housing_status": "locataire_hlm", "rent": "500.00"})
    assert renting["prime_activite"].eligible
    assert float(renting["prime_activite"].monthly_amount) == pytest.approx(757.66, abs=1)
    assert renting["aides_logement"].eligible
    assert float(renting["aides_logement"].monthly_amount) == pytest.approx(380, abs=1)
    assert not renting["rsa"].eligible
    hosted = amounts({**couple, "housing_status": "loge_gratuitement", "rent": "0.00"})
    assert not hosted["aides_logement"].eligible
    assert hosted["prime_activite"].eligible


def test_aah_with_80_percent_or_50_percent_and_rsdae(service):
    severe = amounts(
        {"age": 40, "disability_rate": "80", "housing_status": "locataire_vide", "rent": "400.00"}
    )
    assert severe["aah"].eligible and float(severe["aah"].monthly_amount) == pytest.approx(1033.32, abs=1)
    assert not severe["rsa"].eligible  # the AAH counts in the RSA's resources
    assert severe["css"].eligible and severe["css"].participation > 0  # the AAH is above the free CSS ceiling
    hosted = {"age": 40, "housing_status": "loge_gratuitement", "rent": "0.00"}
    assert amounts({**hosted, "disability_rate": "50", "rsdae": True})["aah"].eligible
    without_rsdae = amounts({**hosted, "disability_rate": "50"})
    assert not without_rsdae["aah"].eligible and without_rsdae["rsa"].eligible
