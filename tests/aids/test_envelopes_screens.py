"""The envelopes' screens (/aides/enveloppes/): the year's envelopes with their consumption and
forecast (`aids.forecast`), the alert when the forecast goes beyond the amount, opening an
envelope, changing its amount with confirmation (never below committed + paid), the export."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.aids import envelopes, event_kinds, workflows
from parcours.aids.forecast import forecasts
from parcours.aids.models import Envelope, Payment
from parcours.appointments.calendar import PARIS
from parcours.core.models import AuditAction, AuditEvent
from tests.accounts.factories import AgentFactory
from tests.aids.factories import EnvelopeFactory, SchemeVersionFactory, deposited, instructor
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db


def _granted(scheme, amount: str, at: datetime.datetime, agent):
    application = deposited(scheme=scheme, requested_amount=Decimal(amount), at=at)
    workflows.apply(application, "start", by=agent, at=at)
    return workflows.grant(application, by=agent, at=at)


def test_forecast_adds_the_pace_of_grants_to_year_end():
    today = timezone.localdate()
    version = SchemeVersionFactory()
    envelope = EnvelopeFactory(scheme=version.scheme, year=today.year, euros=Decimal("1000"))
    agent = instructor()
    # 450 € granted over the window of the pace, 100 € of it paid.
    moment = datetime.datetime.combine(today, datetime.time(0, 30), tzinfo=PARIS)
    first = _granted(version.scheme, "300", moment, agent)
    _granted(version.scheme, "150", moment, agent)
    envelopes.consume(envelope, Decimal("100"))
    workflows.event(first, event_kinds.PAYMENT, moment, amount=Decimal("100"), envelope=envelope)
    envelope.refresh_from_db()
    (forecast,) = forecasts([envelope], today)
    start = max(today - datetime.timedelta(days=89), datetime.date(today.year, 1, 1))
    days = (today - start).days + 1
    left = (datetime.date(today.year, 12, 31) - today).days
    assert forecast.pace_cents_per_day == 45000 // days
    assert forecast.days_left == left
    assert forecast.total_cents == 10000 + 35000 + (45000 // days) * left
    assert forecast.overrun == (forecast.total_cents > 100000)
    # A scheduled payment inside the commitment is shown, not added twice.
    Payment.objects.create(application=first, amount=Decimal("200"), due_on=today)
    (again,) = forecasts([envelope], today)
    assert again.scheduled == Decimal("200.00") and again.uncovered_cents == 0
    assert again.total_cents == forecast.total_cents


def test_past_year_has_no_projection():
    envelope = EnvelopeFactory(year=2020, euros=Decimal("500"), committed_cents=10000)
    (forecast,) = forecasts([envelope], datetime.date(2026, 6, 1))
    assert forecast.days_left == 0 and forecast.total_cents == 10000 and not forecast.overrun


def test_list_shows_figures_and_alert(client, django_assert_max_num_queries):
    year = timezone.localdate().year
    for index in range(3):
        EnvelopeFactory(year=year, euros=Decimal("1000"), committed_cents=20000 * index)
    alarming = EnvelopeFactory(
        scheme=SchemeVersionFactory().scheme,
        year=year,
        euros=Decimal("100"),
        consumed_cents=9000,
        committed_cents=1000,
    )
    # A forecast beyond the amount: everything voted is paid or committed, plus a scheduled
    # payment no commitment covers.
    application = deposited(scheme=alarming.scheme, requested_amount=Decimal("50"))
    application.envelope = alarming
    application.save(update_fields=["envelope"])
    Payment.objects.create(application=application, amount=Decimal("50"), due_on=datetime.date(year, 12, 31))
    login_verified(client, instructor())
    with django_assert_max_num_queries(16):
        response = client.get(reverse("aids:envelopes"), {"annee": year})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<svg class="parcours-envelope-bar"') == 4
    assert "la prévision au 31 décembre" in page and "Dépassement" in page
    assert "style=" not in page.split("<main", 1)[-1]
    assert "Ouvrir une enveloppe" not in page  # instructors do not edit envelopes
    export = client.get(reverse("aids:envelopes_export", args=["csv"]), {"annee": year})
    assert export.status_code == 200 and "Prévision au 31/12" in export.content.decode("utf-8-sig")
    xlsx = client.get(reverse("aids:envelopes_export", args=["xlsx"]), {"annee": year})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, detail__export="enveloppes_aides").exists()


def test_reception_may_not_see_envelopes(client):
    login_verified(client, AgentFactory(role="accueil"))
    assert client.get(reverse("aids:envelopes")).status_code == 403


def test_admin_opens_an_envelope_once(client):
    version = SchemeVersionFactory()
    login_verified(client, AgentFactory(role="administrateur"))
    data = {"scheme": version.scheme.pk, "year": "2027", "unit": "", "amount": "150000"}
    response = client.post(reverse("aids:envelope_create"), data)
    assert response.status_code == 302
    envelope = Envelope.objects.get(scheme=version.scheme, year=2027)
    assert envelope.amount == Decimal("150000.00") and envelope.unit_id is None
    again = client.post(reverse("aids:envelope_create"), data)
    assert "existe déjà pour tout le département" in again.content.decode()


def test_amount_change_needs_confirmation_and_floor(client):
    envelope = EnvelopeFactory(euros=Decimal("1000"), committed_cents=30000, consumed_cents=20000)
    login_verified(client, AgentFactory(role="administrateur"))
    url = reverse("aids:envelope_amount", args=[envelope.pk])
    low = client.post(url, {"amount": "400"})
    assert "ne peut pas être inférieur à ce qui est déjà engagé et payé" in low.content.decode()
    asked = client.post(url, {"amount": "600"})
    assert "passera de" in asked.content.decode()
    envelope.refresh_from_db()
    assert envelope.amount_cents == 100000  # not yet
    confirmed = client.post(url, {"amount": "600.00", "confirm": "on"})
    assert confirmed.status_code == 302
    envelope.refresh_from_db()
    assert envelope.amount_cents == 60000


def test_amount_change_is_refused_to_instructors(client):
    envelope = EnvelopeFactory()
    login_verified(client, instructor())
    response = client.post(
        reverse("aids:envelope_amount", args=[envelope.pk]), {"amount": "1", "confirm": "on"}
    )
    assert response.status_code == 403
    envelope.refresh_from_db()
    assert envelope.amount_cents == 1000000
