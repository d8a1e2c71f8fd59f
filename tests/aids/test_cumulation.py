"""The RSA + salary cumulation proposal (`aids.cumulation`): made when a job start in a listed sector
is recorded for a person with an open RSA right, with the OpenFisca simulation attached (HTTP
stubbed as in tests/jobs/test_earnings.py), still made when OpenFisca is down, once per job."""

import datetime
import logging
import socket
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from parcours.accompaniment import workflows as accompaniment
from parcours.aids import cumulation, event_kinds, workflows
from parcours.aids.models import AidApplication, AidEvent, AmountKind, ApplicationState, SchemeFamily
from parcours.jobs import earnings
from parcours.rsa.models import RightState, RsaRight
from tests.accounts.factories import AgentFactory
from tests.aids.factories import EnvelopeFactory, SchemeFactory, SchemeVersionFactory, instructor
from tests.conftest import login_verified
from tests.people.factories import MemberFactory, PersonFactory

pytestmark = pytest.mark.django_db

RSA_WITHOUT, RSA_WITH = 635.71, 402.20  # the stub's monthly RSA without and with the job


@pytest.fixture
def scheme():
    scheme = SchemeFactory(
        code="cumul-rsa-salaire", name="Cumul RSA et salaire", family=SchemeFamily.CUMULATION
    )
    SchemeVersionFactory(scheme=scheme, amount_kind=AmountKind.CEILING, amount=Decimal("2500"))
    EnvelopeFactory(scheme=scheme)
    return scheme


@pytest.fixture
def person(two_units):
    return PersonFactory(commune=two_units["commune_a"])


def rsa_right(person, state=RightState.OPEN_PAID):
    member = MemberFactory(person=person)
    return RsaRight.objects.create(
        household=member.household,
        request_number="59000000001",
        state=state,
        reference_date=timezone.localdate(),
        members=[{"person": person.pk, "role": "DEM", "duties": True}],
    )


@pytest.fixture
def referent(two_units):
    return AgentFactory(units=[two_units["unit_a"]], role="referent")


@pytest.fixture
def openfisca(monkeypatch):
    """OpenFisca answering: SMIC 12 €/h, RSA 635,71 € without the job and 402,20 € with it."""
    calls = []

    def answer(path, payload=None):
        calls.append(path)
        if path.startswith("/parameter/"):
            return {"values": {"2020-01-01": 12.0}}
        months = list(payload["familles"]["avec"]["rsa"])
        family = {
            "avec": {"rsa": RSA_WITH, "ppa": 180.0, "aide_logement": 150.0},
            "sans": {"rsa": RSA_WITHOUT, "ppa": 0.0, "aide_logement": 210.0},
        }
        return {
            "familles": {
                k: {name: dict.fromkeys(months, v) for name, v in values.items()}
                for k, values in family.items()
            },
            "individus": {"avec_demandeur": {"salaire_net": dict.fromkeys(months, 1050.0)}},
        }

    monkeypatch.setattr(earnings, "_request", answer)
    earnings._smic_values.cache_clear()
    yield calls
    earnings._smic_values.cache_clear()


@pytest.fixture
def openfisca_down(monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("OPENFISCA_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("OPENFISCA_TIMEOUT", "2")
    earnings._smic_values.cache_clear()
    yield
    earnings._smic_values.cache_clear()


def record_job(person, by, *, sector="K1304", started_on=None, hours=24, capture=None):
    with capture(execute=True):
        return accompaniment.record_job(
            person,
            started_on=started_on or timezone.localdate(),
            contract_type="cdd",
            hours_per_week=hours,
            sector=sector,
            employer_name="Aide Services",
            by=by,
        )


def proposals():
    return AidApplication.objects.filter(scheme__family=SchemeFamily.CUMULATION)


def test_a_job_in_a_listed_sector_proposes_the_cumulation_with_its_simulation(
    scheme, person, referent, openfisca, django_capture_on_commit_callbacks
):
    rsa_right(person)
    outcome = record_job(person, referent, capture=django_capture_on_commit_callbacks)
    application = proposals().get()
    assert (application.person, application.state, application.filed_by) == (
        person,
        ApplicationState.DRAFT,
        referent,
    )
    simulation = application.simulation
    assert (simulation["status"], simulation["outcome"], simulation["sector"]) == (
        "ok",
        outcome.pk,
        "aide à la personne",
    )
    assert [m["rsa_kept"] for m in simulation["months"]] == ["233.51"] * 3
    assert simulation["months"][0]["salary"] == "1050.00"
    # 24 h a week at 12 €/h × 52/12
    assert simulation["gross_monthly_salary"] == "1248.00"
    assert simulation["rsa_kept_total"] == "700.53"
    assert application.requested_amount == Decimal("700.53")
    assert "/calculate" in openfisca
    event = AidEvent.objects.get(application=application, kind=event_kinds.CUMULATION_PROPOSED)
    assert (event.amount, event.data["outcome"], event.data["simulated"]) == (
        Decimal("700.53"),
        outcome.pk,
        True,
    )


def test_the_instructor_grants_the_rsa_kept_over_three_months(
    scheme, person, referent, openfisca, django_capture_on_commit_callbacks
):
    rsa_right(person)
    record_job(person, referent, capture=django_capture_on_commit_callbacks)
    application = workflows.deposit(proposals().get(), by=referent)
    agent = instructor()
    workflows.apply(application, "start", by=agent)
    with django_capture_on_commit_callbacks(execute=False):
        workflows.grant(application, by=agent)
    application.refresh_from_db()
    assert (application.state, application.granted_amount) == (ApplicationState.GRANTED, Decimal("700.53"))


def test_the_proposal_stays_within_the_ceiling(
    person, referent, openfisca, django_capture_on_commit_callbacks
):
    scheme = SchemeFactory(family=SchemeFamily.CUMULATION)
    SchemeVersionFactory(scheme=scheme, amount_kind=AmountKind.CEILING, amount=Decimal("500"))
    rsa_right(person)
    record_job(person, referent, capture=django_capture_on_commit_callbacks)
    assert proposals().get().requested_amount == Decimal("500.00")


@pytest.mark.parametrize("sector", ["D1106", "Commerce de détail", ""])
def test_no_proposal_for_a_sector_not_listed(
    scheme, person, referent, openfisca, sector, django_capture_on_commit_callbacks, caplog
):
    rsa_right(person)
    with caplog.at_level(logging.INFO, logger="parcours.aids.cumulation"):
        record_job(person, referent, sector=sector, capture=django_capture_on_commit_callbacks)
    assert not proposals().exists()
    assert "aids.cumulation.sector_not_listed" in caplog.messages
    assert openfisca == []


@pytest.mark.parametrize("state", [None, RightState.CLOSED, RightState.REFUSED])
def test_no_proposal_without_an_open_rsa_right(
    scheme, person, referent, openfisca, state, django_capture_on_commit_callbacks, caplog
):
    if state is not None:
        rsa_right(person, state)
    with caplog.at_level(logging.INFO, logger="parcours.aids.cumulation"):
        record_job(person, referent, capture=django_capture_on_commit_callbacks)
    assert not proposals().exists()
    assert "aids.cumulation.no_open_rsa_right" in caplog.messages


def test_no_proposal_without_a_cumulation_scheme(
    person, referent, openfisca, django_capture_on_commit_callbacks, caplog
):
    rsa_right(person)
    with caplog.at_level(logging.INFO, logger="parcours.aids.cumulation"):
        outcome = record_job(person, referent, capture=django_capture_on_commit_callbacks)
    assert outcome.pk and not AidApplication.objects.exists()
    assert "aids.cumulation.no_scheme" in caplog.messages


def test_no_proposal_for_a_job_started_long_ago(
    scheme, person, referent, openfisca, django_capture_on_commit_callbacks
):
    rsa_right(person)
    long_ago = timezone.localdate() - datetime.timedelta(days=200)
    record_job(person, referent, started_on=long_ago, capture=django_capture_on_commit_callbacks)
    assert not proposals().exists()


def test_one_proposal_per_job_start(scheme, person, referent, openfisca, django_capture_on_commit_callbacks):
    rsa_right(person)
    outcome = record_job(person, referent, capture=django_capture_on_commit_callbacks)
    first = proposals().get()
    assert cumulation.propose(outcome, by=referent) == first
    assert proposals().count() == 1
    assert AidEvent.objects.filter(kind=event_kinds.CUMULATION_PROPOSED).count() == 1


def test_openfisca_down_still_proposes_and_the_retry_fills_the_simulation(
    scheme, person, referent, openfisca_down, django_capture_on_commit_callbacks, client, monkeypatch
):
    rsa_right(person)
    record_job(person, referent, capture=django_capture_on_commit_callbacks)
    application = proposals().get()
    assert application.simulation["status"] == "indisponible"
    assert application.requested_amount is None
    html = render_to_string("aids/cumulation/_simulation.html", {"application": application})
    assert "Simulation indisponible" in html and "Relancer la simulation" in html
    url = reverse("aids:cumulation_retry", args=[application.pk])
    login_verified(client, referent)
    # Still down: the agent is told, nothing changes.
    response = client.post(url, follow=True)
    assert "OpenFisca ne répond pas" in response.content.decode()
    application.refresh_from_db()
    assert application.simulation["status"] == "indisponible"
    # Back up: the simulation and the amount are filled.
    openfisca_up = []
    monkeypatch.setattr(
        earnings,
        "_request",
        lambda path, payload=None: openfisca_up.append(path) or _answer(path, payload),
    )
    assert client.post(url).status_code == 302
    application.refresh_from_db()
    assert application.simulation["status"] == "ok"
    assert application.requested_amount == Decimal("700.53")
    html = render_to_string("aids/cumulation/_simulation.html", {"application": application})
    assert "Simulation indisponible" not in html and "700,53" in html


def _answer(path, payload):
    if path.startswith("/parameter/"):
        return {"values": {"2020-01-01": 12.0}}
    months = list(payload["familles"]["avec"]["rsa"])
    return {
        "familles": {
            "avec": {"rsa": dict.fromkeys(months, RSA_WITH), "ppa": dict.fromkeys(months, 1.0),
                     "aide_logement": dict.fromkeys(months, 0.0)},
            "sans": {"rsa": dict.fromkeys(months, RSA_WITHOUT), "ppa": dict.fromkeys(months, 0.0),
                     "aide_logement": dict.fromkeys(months, 0.0)},
        },
        "individus": {"avec_demandeur": {"salaire_net": dict.fromkeys(months, 1050.0)}},
    }  # fmt: skip


def test_the_retry_is_refused_to_an_agent_who_does_not_see_the_person(
    scheme, person, referent, openfisca_down, django_capture_on_commit_callbacks, client, two_units
):
    rsa_right(person)
    record_job(person, referent, capture=django_capture_on_commit_callbacks)
    application = proposals().get()
    login_verified(client, AgentFactory(units=[two_units["unit_b"]], role="referent"))
    url = reverse("aids:cumulation_retry", args=[application.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 404


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("K1304", "aide à la personne"),
        ("k1302 ", "aide à la personne"),
        ("Aide à domicile", "aide à la personne"),
        ("M1805", "numérique"),
        ("Développeuse web", "numérique"),
        ("Emploi saisonnier (vendanges)", "saisonnier"),
        ("D1106", None),
        ("Bâtiment", None),
        ("", None),
    ],
)
def test_sector_of_text(text, sector):
    assert cumulation.sector_of_text(text) == sector


def test_the_application_page_shows_the_month_by_month_table(
    scheme, person, referent, openfisca, django_capture_on_commit_callbacks, client
):
    rsa_right(person)
    record_job(person, referent, capture=django_capture_on_commit_callbacks)
    application = workflows.deposit(proposals().get(), by=referent)
    login_verified(client, instructor())
    page = client.get(reverse("aids:application", args=[application.pk])).content.decode()
    assert "Cumul du RSA et du salaire : simulation" in page
    assert page.count("<strong>233,51</strong>") == 3 and "700,53" in page


def test_a_decided_proposal_keeps_its_simulation(
    scheme, person, referent, openfisca, django_capture_on_commit_callbacks
):
    rsa_right(person)
    record_job(person, referent, capture=django_capture_on_commit_callbacks)
    application = workflows.deposit(proposals().get(), by=referent)
    agent = instructor()
    workflows.apply(application, "start", by=agent)
    with django_capture_on_commit_callbacks(execute=False):
        workflows.refuse(application, by=agent, reasons=["besoin_non_justifie"])
    with pytest.raises(ValidationError, match="décidée"):
        cumulation.retry_simulation(application, by=agent)
    html = render_to_string("aids/cumulation/_simulation.html", {"application": application})
    assert "Relancer la simulation" not in html


def test_the_proposal_is_a_queued_task_not_part_of_the_request(
    scheme, person, referent, openfisca, django_capture_on_commit_callbacks, monkeypatch
):
    """Recording the job queues the proposal (django-q2): OpenFisca is not called in the request."""
    import django_q.tasks

    from parcours.aids import cumulation

    queued = []
    monkeypatch.setattr(
        django_q.tasks, "async_task", lambda func, *args, **kwargs: queued.append((func, args))
    )
    rsa_right(person)
    outcome = record_job(person, referent, capture=django_capture_on_commit_callbacks)
    assert queued == [("parcours.aids.cumulation.propose_task", (outcome.pk, referent.pk))]
    assert openfisca == [] and not proposals().exists()

    cumulation.propose_task(*queued[0][1])  # what the worker runs
    assert proposals().get().simulation["status"] == "ok"
    cumulation.propose_task(*queued[0][1])  # run twice: still one proposal
    assert proposals().count() == 1
