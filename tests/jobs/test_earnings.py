"""Earnings simulation: the « indisponible » path and the département's sectors
(golden households against the real service: test_simulation_golden.py)."""

import datetime
import socket
from decimal import Decimal

import pytest
from django.urls import reverse

from parcours.jobs import earnings
from parcours.jobs.earnings import Household, SimulationUnavailable, simulate
from tests.conftest import login_verified
from tests.jobs.factories import OfferFactory, ProfileFactory, appellation
from tests.people.factories import PersonFactory

TODAY = datetime.date(2026, 2, 1)


@pytest.fixture
def closed_port(monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("OPENFISCA_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("OPENFISCA_TIMEOUT", "2")
    earnings._smic_values.cache_clear()


def test_simulation_unavailable_when_the_service_is_down(closed_port, db):
    offer = OfferFactory(hourly_wage=Decimal("12.50"))
    with pytest.raises(SimulationUnavailable):
        simulate(offer, Household(birth_date=datetime.date(1990, 1, 1)))


def test_page_shows_simulation_indisponible(closed_port, client, two_units, agent_a):
    person = PersonFactory(commune=two_units["commune_a"])
    ProfileFactory(person=person)
    offer = OfferFactory(commune=two_units["commune_a"])
    login_verified(client, agent_a)
    response = client.get(
        reverse("jobs:simulation", args=[person.pk, offer.pk]),
        {"rent": "450", "housing_status": "locataire_vide"},
    )
    assert response.status_code == 200
    assert "Simulation indisponible" in response.content.decode()


def test_cumulation_sectors(db):
    assert (
        earnings.cumulation_sector(OfferFactory.build(appellation=appellation(10805))) == "aide à la personne"
    )
    assert earnings.cumulation_sector(OfferFactory.build(appellation=appellation(10295))) == "numérique"
    seasonal = OfferFactory.build(appellation=appellation(10537), contract_type="saisonnier")
    assert earnings.cumulation_sector(seasonal) == "saisonnier"
    assert earnings.cumulation_sector(OfferFactory.build(appellation=appellation(10537))) is None
