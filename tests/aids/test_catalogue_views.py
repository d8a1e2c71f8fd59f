"""The catalogue's pages: the list (bounded queries), a scheme's versions in French, and the
administrator's structured editor (no JSON) with its confirmation when a new version is made."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from parcours.accounts.models import Role
from parcours.aids.forms_catalogue import VersionForm, initial_from
from parcours.aids.models import Scheme, SchemeVersion
from tests.accounts.factories import AgentFactory
from tests.aids.factories import EnvelopeFactory, SchemeVersionFactory, deposited
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db


def admin(client):
    return login_verified(client, AgentFactory(role=Role.ADMINISTRATEUR))


def version_post(**changes) -> dict:
    """A filled version form, as a browser posts it."""
    values = {
        "valid_from": "2026-01-01", "summary": "Aide d'urgence", "amount_kind": "plafond", "amount": "300",
        "decider": "instructeur", "service_level_hours": "48", "emergency_service_level_hours": "48",
        "clock": "calendaire", "waiting_period_days": "90",
        "documents": "identite ; Pièce d'identité\nsituation ; Note du professionnel ; facultative",
        "subsidiarity": "pacea ; Allocation PACEA",
        "rule_age": "on", "rule_age_min": "16", "rule_age_max": "25", "rule_residence": "on",
        "rule_job_start_sectors": ["numérique"],  # not applied: ignored
    }  # fmt: skip
    values.update(changes)
    return values


def test_list_shows_current_version_ceiling_and_envelope_in_few_queries(
    client, django_assert_max_num_queries
):
    login_verified(client, AgentFactory(role=Role.ACCUEIL))
    for _ in range(5):
        version = SchemeVersionFactory(
            amount_kind="par_unite", amount=Decimal("40"), max_items=30, item_label="leçon"
        )
        EnvelopeFactory(scheme=version.scheme, euros=Decimal("300000"), year=timezone.localdate().year)
    with django_assert_max_num_queries(8):  # 6 measured (session, agent, menu, schemes, versions), constant
        response = client.get("/aides/dispositifs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("1\u202f200,00\u00a0€") == 5  # 40 € × 30
    assert "300\u202f000,00\u00a0€ (disponible : 300\u202f000,00\u00a0€)" in html
    assert "Nouveau dispositif" not in html  # readers do not edit


def test_scheme_page_states_rules_in_french(client):
    login_verified(client, AgentFactory(role=Role.INSTRUCTEUR_AIDES))
    version = SchemeVersionFactory(
        rules=[
            {"kind": "age", "min": 16, "max": 25},
            {"kind": "job_start", "within_days": 30, "sectors": ["saisonnier"]},
        ],
        documents=[{"code": "rib", "label": "Relevé d'identité bancaire", "required": False}],
    )
    html = client.get(f"/aides/dispositifs/{version.scheme.pk}/").content.decode()
    assert "Avoir entre 16 et 25 ans le jour de la demande" in html
    assert "depuis moins de 30 jours, dans l&#x27;un de ces secteurs : saisonnier" in html
    assert "Relevé d&#x27;identité bancaire" in html and "(facultative)" in html
    assert "Modifier les règles" not in html


def test_only_administrators_edit(client):
    version = SchemeVersionFactory()
    login_verified(client, AgentFactory(role=Role.INSTRUCTEUR_AIDES))
    for url in ("/aides/dispositifs/nouveau/", f"/aides/dispositifs/{version.scheme.pk}/regles/",
                f"/aides/dispositifs/{version.scheme.pk}/ouverture/"):  # fmt: skip
        assert client.get(url).status_code == 403
    login_verified(client, AgentFactory(role=Role.EMPLOYEUR))
    assert client.get("/aides/dispositifs/").status_code == 403


def test_create_scheme_through_the_structured_form(client):
    admin(client)
    response = client.post(
        "/aides/dispositifs/nouveau/",
        {"code": "fdaj-test", "name": "FDAJ test", "family": "jeunesse", **version_post()},
    )
    scheme = Scheme.objects.get(code="fdaj-test")
    assert response.status_code == 302 and response["Location"] == f"/aides/dispositifs/{scheme.pk}/"
    version = scheme.versions.get()
    assert version.rules == [{"kind": "age", "min": 16, "max": 25}, {"kind": "residence"}]
    assert version.documents == [
        {"code": "identite", "label": "Pièce d'identité", "required": True},
        {"code": "situation", "label": "Note du professionnel", "required": False},
    ]
    assert version.subsidiarity == [{"code": "pacea", "label": "Allocation PACEA"}]
    assert (version.ceiling, version.clock, version.waiting_period_days) == (
        Decimal("300.00"),
        "calendaire",
        90,
    )


def test_form_round_trip_keeps_every_value():
    version = SchemeVersionFactory(
        rules=[{"kind": "resources", "max": "1000.00", "per_extra_person": "400.00"},
               {"kind": "job_start", "within_days": 30, "sectors": ["numérique", "saisonnier"]},
               {"kind": "ase_placement", "min_age_at_end": 16}],
        documents=[{"code": "devis", "label": "Devis", "required": True}, {"code": "rib", "label": "RIB", "required": False}],
        subsidiarity=[{"code": "fsl", "label": "FSL"}],
        amount_kind="mensuel", amount=Decimal("200.00"), months=10,
    )  # fmt: skip
    initial = initial_from(version, valid_from=datetime.date(2026, 1, 1))
    posted = {}
    form = VersionForm(initial=initial)
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        posted[name] = value if isinstance(value, list | bool) else str(value)
    bound = VersionForm(posted)
    assert bound.is_valid(), bound.errors
    data = bound.version_data()
    assert sorted(data["rules"], key=lambda r: r["kind"]) == sorted(version.rules, key=lambda r: r["kind"])
    assert data["documents"] == version.documents and data["subsidiarity"] == version.subsidiarity
    assert (data["amount_kind"], data["amount"], data["months"]) == ("mensuel", Decimal("200.00"), 10)


def test_bad_lines_and_rules_are_explained(client):
    version = SchemeVersionFactory(number=1)
    admin(client)
    response = client.post(
        f"/aides/dispositifs/{version.scheme.pk}/regles/",
        version_post(documents="Pièce d'identité ; ", rule_age_min="30", rule_age_max="25"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ligne 1 : écrivez « code ; libellé »." in html
    version.refresh_from_db()
    assert version.rules == []


def test_edit_with_applications_asks_confirmation_then_creates_version_2(client):
    version = SchemeVersionFactory(number=1, valid_from=datetime.date(2025, 1, 1))
    EnvelopeFactory(scheme=version.scheme)
    application = deposited(scheme=version.scheme)
    admin(client)
    url = f"/aides/dispositifs/{version.scheme.pk}/regles/"
    page = client.get(url).content.decode()
    assert "créeront la version 2" in page
    posted = version_post(valid_from="2026-06-01", amount="250")
    confirm = client.post(url, posted)
    text = re.sub(r"\s+", " ", confirm.content.decode())
    assert "1 demande (dont 1 en cours) garde la version 1" in text
    assert SchemeVersion.objects.filter(scheme=version.scheme).count() == 1  # nothing saved yet
    done = client.post(url, {**posted, "confirmed": "1"}, follow=True)
    assert (
        "Version 2 créée, valable à partir du 01/06/2026 ; 1 demande garde la version 1."
        in done.content.decode()
    )
    application.refresh_from_db()
    assert application.version.number == 1 and application.version.ceiling == Decimal("500.00")
    assert version.scheme.versions.get(number=2).ceiling == Decimal("250.00")


def test_deactivate_with_confirmation(client):
    version = SchemeVersionFactory()
    admin(client)
    url = f"/aides/dispositifs/{version.scheme.pk}/ouverture/"
    assert "Fermer « " in client.get(url).content.decode()
    version.scheme.refresh_from_db()
    assert version.scheme.is_active
    client.post(url)
    version.scheme.refresh_from_db()
    assert not version.scheme.is_active
    client.post(url)
    version.scheme.refresh_from_db()
    assert version.scheme.is_active
