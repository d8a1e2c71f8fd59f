"""The aids' figures (`aids.figures`), computed from the event log only, on a history played in the
past through the workflows: counts, reasons, amounts, delays with the documents' pauses deducted,
the FDAJ emergencies decided within 48 h; and the figures page with its export."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from parcours.aids import envelopes, event_kinds, figures, workflows
from parcours.aids.models import AidEvent, RefusalReason, SchemeFamily
from parcours.appointments.calendar import PARIS
from tests.accounts.factories import AgentFactory
from tests.aids.factories import EnvelopeFactory, SchemeFactory, SchemeVersionFactory, deposited, instructor
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db
YEAR = datetime.date.today().year


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(YEAR, month, day, hour, minute, tzinfo=PARIS)


def history() -> dict:
    """A small history of two schemes (an FDAJ with emergencies, an insertion aid), in the past of
    this year: grants, refusals, a pause for documents, payments, a cancellation."""
    agent = instructor()
    fdaj = SchemeVersionFactory(scheme=SchemeFactory(code="fdaj", family=SchemeFamily.YOUTH))
    activ = SchemeVersionFactory(scheme=SchemeFactory(code="activ-emploi", family=SchemeFamily.INSERTION))
    for version in (fdaj, activ):
        EnvelopeFactory(scheme=version.scheme, year=YEAR, euros=Decimal("5000"))
    # 1. FDAJ emergency granted 20 h after its deposit (within 48 h), then paid.
    quick = deposited(scheme=fdaj.scheme, emergency=True, requested_amount=Decimal("150"), at=at(2, 2, 9))
    workflows.apply(quick, "start", by=agent, at=at(2, 2, 11))
    workflows.grant(quick, by=agent, at=at(2, 3, 5))
    envelopes.consume(quick.envelope, Decimal("150"))
    workflows.event(quick, event_kinds.PAYMENT, at(2, 10), amount=Decimal("150"), envelope=quick.envelope)
    # 2. FDAJ emergency: documents asked for 30 h, decided 60 h after deposit → 30 h net: within.
    paused = deposited(scheme=fdaj.scheme, emergency=True, requested_amount=Decimal("200"), at=at(3, 2, 8))
    workflows.apply(paused, "start", by=agent, at=at(3, 2, 9))
    workflows.apply(paused, "request_documents", by=agent, note="Devis", at=at(3, 2, 10))
    workflows.apply(paused, "documents_received", by=agent, at=at(3, 3, 16))
    workflows.grant(paused, by=agent, at=at(3, 4, 20))
    # 3. FDAJ emergency refused after 72 h: not within 48 h; two reasons.
    late = deposited(scheme=fdaj.scheme, emergency=True, requested_amount=Decimal("100"), at=at(4, 6, 10))
    workflows.refuse(
        late, by=agent, reasons=[RefusalReason.SUBSIDIARITY, RefusalReason.RESOURCES], at=at(4, 9, 10)
    )
    # 4. Insertion aid granted after 10 days, then cancelled (released).
    slow = deposited(scheme=activ.scheme, requested_amount=Decimal("400"), at=at(2, 1, 10))
    workflows.apply(slow, "start", by=agent, at=at(2, 3, 10))
    workflows.grant(slow, by=agent, at=at(2, 11, 10))
    workflows.cancel(slow, by=agent, note="Emploi non pris", at=at(2, 20, 10))
    # 5. Insertion aid refused while waiting for documents (the pause runs until the decision).
    waiting = deposited(scheme=activ.scheme, requested_amount=Decimal("300"), at=at(5, 4, 10))
    workflows.apply(waiting, "start", by=agent, at=at(5, 4, 12))
    workflows.apply(waiting, "request_documents", by=agent, note="Contrat", at=at(5, 5, 10))
    workflows.refuse(waiting, by=agent, reasons=[RefusalReason.INCOMPLETE], at=at(5, 9, 10))
    # 6. Deposited, still undecided.
    deposited(scheme=activ.scheme, requested_amount=Decimal("50"), at=at(5, 20, 10))
    return {"agent": agent, "fdaj": fdaj.scheme, "activ": activ.scheme, "quick": quick, "slow": slow}


def test_figures_count_decide_and_measure_delays_from_events():
    world = history()
    result = figures.compute(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 6, 30))

    assert result["requests"] == {"deposited": 6, "emergency": 3}
    decisions = result["decisions"]
    assert (decisions["granted"], decisions["refused"], decisions["cancelled"]) == (3, 2, 1)
    assert decisions["refusal_reasons"][RefusalReason.SUBSIDIARITY] == 1
    assert decisions["refusal_reasons"][RefusalReason.RESOURCES] == 1
    assert decisions["refusal_reasons"][RefusalReason.INCOMPLETE] == 1
    assert decisions["refusal_reasons"][RefusalReason.OTHER] == 0
    amounts = result["amounts"]
    assert amounts["granted"] == Decimal("750.00")  # 150 + 200 + 400
    assert amounts["paid"] == Decimal("150.00")
    assert amounts["released"] == Decimal("400.00")
    assert amounts["requested"] == Decimal("1200.00")
    # Net hours: 20, 60 − 30 = 30, 72, 240, 120 − 96 (pause until the refusal) = 24.
    assert result["delay"]["count"] == 5
    assert result["delay"]["median_hours"] == 30.0
    assert result["delay"]["median_days"] == 1.25
    assert result["delay"]["p90_hours"] == pytest.approx(72 + (240 - 72) * 0.6, abs=0.01)
    assert result["emergencies"] == {"fdaj_decided": 3, "fdaj_within_48h": 2, "fdaj_share_within_48h": 0.6667}
    assert result["schemes"]["fdaj"]["granted_amount"] == Decimal("350.00")
    assert result["schemes"]["activ-emploi"]["released_amount"] == Decimal("400.00")
    assert result["schemes"]["activ-emploi"]["deposited"] == 3
    assert world["quick"].state == "accordee"


def test_figures_filter_by_period_scheme_and_unit():
    world = history()
    february = figures.compute(datetime.date(YEAR, 2, 1), datetime.date(YEAR, 2, 28))
    assert february["requests"]["deposited"] == 2
    assert february["decisions"]["granted"] == 2
    # The decision of February whose deposit is in February too: 20 h and 240 h.
    assert february["delay"]["count"] == 2
    only_fdaj = figures.compute(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31), scheme="fdaj")
    assert set(only_fdaj["schemes"]) == {"fdaj"} and only_fdaj["requests"]["deposited"] == 3
    unit = world["slow"].unit.code
    in_unit = figures.compute(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31), unit=unit)
    assert in_unit["requests"]["deposited"] == 1 and in_unit["decisions"]["cancelled"] == 1


def test_figures_page_shows_tables_and_exports(client, django_assert_max_num_queries):
    history()
    login_verified(client, instructor())
    url = reverse("aids:figures")
    with django_assert_max_num_queries(20):
        response = client.get(url, {"du": f"{YEAR}-01-01", "au": f"{YEAR}-06-30"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Délai de décision" in page and "Crédits du dispositif épuisés" in page
    assert "750,00" in page  # amounts in French
    assert "&lt;" not in page
    export = client.get(
        reverse("aids:figures_export", args=["csv"]), {"du": f"{YEAR}-01-01", "au": f"{YEAR}-06-30"}
    )
    assert export.status_code == 200
    assert "decisions.granted,3" in export.content.decode()
    xlsx = client.get(reverse("aids:figures_export", args=["xlsx"]), {"du": f"{YEAR}-01-01"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_figures_page_is_refused_to_reception(client):
    login_verified(client, AgentFactory(role="accueil"))
    assert client.get(reverse("aids:figures")).status_code == 403


def test_invalid_period_is_explained(client):
    login_verified(client, instructor())
    response = client.get(reverse("aids:figures"), {"du": f"{YEAR}-06-01", "au": f"{YEAR}-01-01"})
    assert response.status_code == 200
    assert "La fin de la période précède son début." in response.content.decode()
    assert not AidEvent.objects.exists()
