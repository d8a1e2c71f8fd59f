"""Issue #11 item 6: every pathway event kind written anywhere has a French label, and the
person page's timeline reads in French (no raw keys, no developer text, dates dd/mm/yyyy)."""

import ast
import datetime
import re
from pathlib import Path

import pytest
from django.urls import reverse

import parcours
from parcours.indicators import events as indicator_events
from parcours.orientation import events as orientation_events
from parcours.orientation.decisions import decide_orientation, request_reorientation, sign_contract
from parcours.orientation.models import CloseReason, ContractKind, Organism, OrientationKind
from parcours.people import event_kinds
from parcours.rsa.importer import EVENT_KINDS as RSA_EVENT_KINDS
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.orientation.factories import FollowUpFactory

KIND = re.compile(r"^[a-z_]+(\.[a-z_]+)+$|^sortie$")
SOURCE = Path(parcours.__file__).parent


def constants(module) -> set[str]:
    return {
        value
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, str) and KIND.match(value)
    }


def literal_kinds_in_source() -> set[str]:
    """Kinds written as literals: `x._event(person, "foyer.changement", …)`, `events.record(p, "…")`,
    `PersonEvent(kind="…")` anywhere under src/parcours (migrations aside)."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            values = []
            if name in {"_event", "record"}:
                values = node.args[1:2]
            values += [
                kw.value for kw in node.keywords if kw.arg == "kind" and name in {"PersonEvent", "create"}
            ]
            for value in values:
                if (
                    isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                    and KIND.match(value.value)
                ):
                    found.add(value.value)
    return found


def every_kind() -> set[str]:
    return (
        constants(event_kinds)
        | constants(orientation_events)
        | constants(indicator_events)
        | {kind.code for kind in indicator_events.KINDS}
        | set(RSA_EVENT_KINDS)
        | literal_kinds_in_source()
    )


def test_the_scan_finds_the_kinds_written_as_literals():
    assert {"foyer.changement", "adresse.changement"} <= literal_kinds_in_source()


def test_every_kind_written_anywhere_has_a_french_label():
    kinds = every_kind()
    assert len(kinds) >= 35
    missing = sorted(kind for kind in kinds if kind not in event_kinds.LABELS)
    assert not missing, f"Event kinds without a French label in people/event_kinds.py: {missing}"
    for kind in kinds:
        assert "`" not in event_kinds.LABELS[kind] and "_" not in event_kinds.LABELS[kind]


def test_the_values_shown_match_the_apps_choices():
    assert set(event_kinds.ORIENTATIONS) == set(OrientationKind.values)
    assert dict(Organism.choices) == event_kinds.ORGANISMS
    assert dict(ContractKind.choices) == event_kinds.CONTRACT_KINDS
    assert set(event_kinds.CLOSE_REASONS) == set(CloseReason.values)


def test_event_data_reads_in_french():
    text = event_kinds.details(
        "contrat.signe",
        {"contract": 4, "contract_kind": "cer", "starts_on": "2026-01-05", "ends_on": "2026-07-04"},
    )
    assert text == "contrat : Contrat d'engagements réciproques (CER), du 05/01/2026, au 04/07/2026"
    decided = event_kinds.details(
        "orientation.decidee", {"orientation": "socio_professionnelle", "organism": "ccas"}
    )
    assert decided == "orientation : socio-professionnelle, organisme : CCAS"


@pytest.mark.django_db
def test_the_person_page_timeline_has_no_raw_keys(client, two_units, departement):
    charge = AgentFactory(role="charge_orientation", units=[two_units["unit_a"]])
    followup = FollowUpFactory(departement=departement, person__commune=two_units["commune_a"])
    person = followup.person
    orientation_events.record(person, "orientation.suivi_ouvert", datetime.datetime.now(datetime.UTC),
                              due_on="2026-02-03")  # fmt: skip
    decide_orientation(person, kind="sociale", organism="ccas", by=charge, followup=followup)
    sign_contract(person, kind="cer", objectives="Logement", by=charge,
                  starts_on=datetime.date(2026, 1, 5), ends_on=datetime.date(2026, 7, 4))  # fmt: skip
    request_reorientation(person, requested_kind="professionnelle", reason="Projet", by=charge)
    login_verified(client, charge)
    page = client.get(reverse("people:detail", args=[person.pk])).text
    timeline = page[page.index('id="parcours"') : page.index('id="historique"')]
    for raw in (
        "orientation.suivi_ouvert",
        "reorientation.demandee",
        "contrat.signe",
        "`",
        "ISO",
        "2026-01-05",
    ):
        assert raw not in timeline
    assert "Ouverture du suivi d&#x27;orientation" in timeline and "échéance : 03/02/2026" in timeline
    assert "Orientation décidée" in timeline and "organisme : CCAS" in timeline
    assert "du 05/01/2026" in timeline and "Réorientation demandée" in timeline
