"""The telephony endpoint (signed incoming-call events) and the screen pop at the station."""

import importlib.util
import json
import logging
import time
from pathlib import Path

import pytest
from django.utils.html import escape

from parcours.core.models import AuditAction, AuditEvent
from parcours.reception import telephony
from parcours.reception.models import ScreenPop
from parcours.reception.views_contacts import STATION_SESSION_KEY
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.people.factories import PersonFactory
from tests.reception.factories import StationFactory, TrayItemFactory
from tests.territory.factories import SiteFactory

SECRET = "secret-partage-de-test"
NUMBER = "06 12 34 56 78"
URL = "/api/v1/telephonie/appels/"
POLL = "/premier-accueil/poste/appel-entrant/"

_spec = importlib.util.spec_from_file_location(
    "telephony_client", Path(__file__).resolve().parents[2] / "scripts" / "telephony_client.py"
)
client_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(client_script)


@pytest.fixture
def station(departement, two_units, settings):
    settings.PARCOURS_TELEPHONY_SECRET = SECRET
    site = SiteFactory(departement=departement, commune=two_units["commune_a"], unit=two_units["unit_a"])
    return StationFactory(site=site, code="cpc-01", label="Poste 1 du centre de contact")


def post_event(
    client, *, station="cpc-01", number=NUMBER, call_id="", secret=SECRET, timestamp=None, header=None
):
    body, headers = client_script.signed_request(
        station=station, number=number, call_id=call_id, secret=secret, timestamp=timestamp
    )
    return client.post(
        URL,
        data=body,
        content_type="application/json",
        HTTP_X_PARCOURS_SIGNATURE=headers["X-Parcours-Signature"] if header is None else header,
    )


def test_the_client_script_signs_as_the_server_checks():
    body = b'{"station": "a", "number": "1"}'
    assert client_script.sign(body, SECRET, 1_700_000_000) == telephony.signature(body, SECRET, 1_700_000_000)
    assert telephony.verify(
        body, client_script.sign(body, SECRET, 1_700_000_000), secret=SECRET, now=1_700_000_100
    )


def test_a_signed_event_creates_a_screen_pop(client, station):
    response = post_event(client, call_id="abc-1")
    assert response.status_code == 201, response.content
    pop = ScreenPop.objects.get()
    assert (pop.station, pop.phone, pop.call_id, pop.shown_at) == (station, NUMBER, "abc-1", None)
    assert response.json()["id"] == pop.pk


def test_the_same_call_sent_twice_pops_once(client, station):
    assert post_event(client, call_id="abc-1").status_code == 201
    assert post_event(client, call_id="abc-1").status_code == 201
    assert ScreenPop.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("bad_signature", 401),
        ("no_signature", 401),
        ("stale", 401),
        ("future", 401),
        ("unknown_station", 404),
    ],
)
def test_refused_events_are_logged_without_the_number(client, station, caplog, case, status):
    kwargs = {
        "bad_signature": {"secret": "un-autre-secret"},
        "no_signature": {"header": ""},
        "garbled_signature": {"header": "t=99999999999999999999999999,v1=zz"},
        "stale": {"timestamp": int(time.time()) - 6 * 60},
        "future": {"timestamp": int(time.time()) + 6 * 60},
        "unknown_station": {"station": "poste-inconnu"},
    }[case]
    with caplog.at_level(logging.INFO, logger="parcours.reception.telephony"):
        response = post_event(client, **kwargs)
    assert response.status_code == status
    assert response.json()["detail"]  # a French message the integrator can act on
    assert not ScreenPop.objects.exists()
    refusals = [record for record in caplog.records if record.name == "parcours.reception.telephony"]
    assert refusals and refusals[0].levelno == logging.WARNING
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "12 34 56 78" not in logged and "612345678" not in logged


def test_an_inactive_station_is_refused(client, station, caplog):
    station.active = False
    station.save()
    with caplog.at_level(logging.WARNING, logger="parcours.reception.telephony"):
        assert post_event(client).status_code == 404
    assert "cpc-01" in caplog.text and "612345678" not in caplog.text.replace(" ", "")


def test_a_number_sent_as_the_station_code_is_not_logged(client, station, caplog):
    with caplog.at_level(logging.WARNING, logger="parcours.reception.telephony"):
        assert post_event(client, station="0612345678").status_code == 404
    assert "0612345678" not in caplog.text


def test_without_a_configured_secret_every_event_is_refused(client, station, settings):
    settings.PARCOURS_TELEPHONY_SECRET = ""
    response = post_event(client, secret="")
    assert response.status_code == 401 and "PARCOURS_TELEPHONY_SECRET" in response.json()["detail"]
    assert not ScreenPop.objects.exists()


def test_a_tampered_body_is_refused(client, station):
    body, headers = client_script.signed_request(station="cpc-01", number=NUMBER, secret=SECRET)
    tampered = json.dumps({"station": "cpc-01", "number": "0700000000", "call_id": ""}).encode()
    response = client.post(
        URL,
        data=tampered,
        content_type="application/json",
        HTTP_X_PARCOURS_SIGNATURE=headers["X-Parcours-Signature"],
    )
    assert response.status_code == 401


@pytest.fixture
def operator(client, station, two_units):
    agent = AgentFactory(role="accueil", units=[two_units["unit_a"]])
    login_verified(client, agent)
    session = client.session
    session[STATION_SESSION_KEY] = station.pk
    session.save()
    return agent


def test_the_station_screen_pops_the_callers_record_once(client, station, operator, two_units):
    person = PersonFactory(last_name="Appelante", phone="0612345678", commune=two_units["commune_a"])
    hidden = PersonFactory(last_name="Horsperimetre", phone="06.12.34.56.78", commune=two_units["commune_b"])
    item = TrayItemFactory(contact__person=person, contact__taken_by=operator)
    assert client.get(POLL).status_code == 204
    post_event(client, call_id="c-1")
    response = client.get(POLL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "APPELANTE" in page, page
    assert escape(item.need.label) in page
    assert "HORSPERIMETRE" not in page.upper()
    assert f'data-choose-person="{person.pk}"' in page
    shown = AuditEvent.objects.filter(agent=operator, action=AuditAction.VIEW, person=person)
    assert shown.exists()
    assert not AuditEvent.objects.filter(person=hidden).exists()
    assert ScreenPop.objects.get().shown_at is not None
    assert client.get(POLL).status_code == 204  # popped once


def test_a_call_at_another_station_does_not_pop_here(client, station, operator, departement):
    StationFactory(site=station.site, code="cpc-02")
    post_event(client, station="cpc-02")
    assert client.get(POLL).status_code == 204


def test_without_a_station_nothing_pops(client, station, two_units):
    login_verified(client, AgentFactory(role="accueil", units=[two_units["unit_a"]]))
    post_event(client)
    assert client.get(POLL).status_code == 204


def test_the_poll_runs_few_queries(client, station, operator, two_units, django_assert_max_num_queries):
    for _ in range(3):
        TrayItemFactory(contact__person=PersonFactory(phone="0612345678", commune=two_units["commune_a"]))
    post_event(client)
    with django_assert_max_num_queries(16):
        assert client.get(POLL).status_code == 200
