"""Earnings simulation: golden households computed by a real OpenFisca-France (pinned in
services/openfisca/requirements.txt), started by the `openfisca_service` fixture."""

import datetime
from decimal import Decimal

import pytest

from parcours.jobs.earnings import Household, simulate
from tests.jobs.factories import OfferFactory, appellation

TODAY = datetime.date(2026, 2, 1)


# (salary, rsa, ppa, housing) per month from March 2026, computed by OpenFisca-France 176.1.8.
# Recorded once from the service and checked for plausibility (RSA 2026 for one person 651.69 €
# from April, 646.52 € before, minus the 12 % housing flat rate; prime d'activité from the
# 2nd month, on the previous quarter's income); a change means OpenFisca or our situation changed.
GOLDEN = {
    "single_home_help_24h_smic": [
        (989.55, 568.94, 0.0, 304.0),
        (989.55, 573.49, 76.79, 304.0),
        (989.55, 573.49, 155.27, 304.0),
        (989.55, 0.0, 233.75, 304.0),
        (989.55, 0.0, 233.46, 304.0),
        (989.55, 0.0, 231.49, 304.0),
    ],
    "single_parent_logistics_30h_smic": [
        (1236.95, 606.45, 0.0, 492.0),
        (1236.95, 198.99, 74.15, 492.0),
        (1236.95, 0.0, 150.24, 492.0),
        (1236.95, 0.0, 226.32, 492.0),
        (1236.95, 0.0, 225.8, 492.0),
        (1236.95, 0.0, 223.34, 492.0),
    ],
    "couple_seasonal_35h_13_50": [
        (1620.79, 971.72, 0.0, 380.0),
        (1620.79, 979.49, 161.75, 380.0),
        (1620.79, 979.49, 341.61, 380.0),
        (1620.79, 0.0, 521.48, 384.0),
        (1620.79, 0.0, 536.37, 384.0),
        (1620.79, 0.0, 533.15, 384.0),
    ],
}


def _cases():
    return {
        "single_home_help_24h_smic": (
            {"appellation": appellation(10805), "hours_per_week": 24, "contract_type": "cdi"},
            Household(birth_date=datetime.date(1985, 5, 1), rent=Decimal(450)),
        ),
        "single_parent_logistics_30h_smic": (
            {"appellation": appellation(10479), "hours_per_week": 30, "contract_type": "cdd"},
            Household(
                birth_date=datetime.date(1988, 3, 12),
                children_birth_dates=[datetime.date(2016, 6, 1), datetime.date(2019, 9, 15)],
                rent=Decimal(600),
            ),
        ),
        "couple_seasonal_35h_13_50": (
            {
                "appellation": appellation(10537),
                "hours_per_week": 35,
                "hourly_wage": Decimal("13.50"),
                "contract_type": "saisonnier",
            },
            Household(
                birth_date=datetime.date(1979, 11, 2),
                partner_birth_date=datetime.date(1981, 1, 20),
                children_birth_dates=[datetime.date(2012, 2, 2)],
                rent=Decimal(500),
                housing_status="locataire_hlm",
            ),
        ),
    }


@pytest.mark.parametrize("case", list(GOLDEN))
def test_golden_households(case, openfisca_service, monkeypatch, db):
    monkeypatch.setenv("OPENFISCA_URL", openfisca_service)
    monkeypatch.setenv("OPENFISCA_TIMEOUT", "120")
    offer_fields, household = _cases()[case]
    offer = OfferFactory.build(start_date=datetime.date(2026, 3, 1), **offer_fields)
    result = simulate(offer, household, today=TODAY)
    got = [(m.salary, m.rsa, m.ppa, m.housing) for m in result.months]
    print(case, result.gross_monthly_salary, got)
    assert [m.month for m in result.months] == [datetime.date(2026, month, 1) for month in range(3, 9)]
    expected = GOLDEN[case]
    for got_month, expected_month in zip(got, expected, strict=True):
        assert got_month == pytest.approx(expected_month, abs=1.0)
    if result.sector:  # the département's rule: full RSA kept for the first 3 months
        assert all(m.cumulation and m.rsa == m.rsa_without_job for m in result.months[:3])
        assert not any(m.cumulation for m in result.months[3:])
