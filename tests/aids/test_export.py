"""The aids' stream of the event export (`parcours export-events --stream aides`): pseudonymised,
no free text, reasons vocabulary-checked; and every figure of `aids.figures` recomputed from the
exported file by `aids.recompute` (DuckDB, SQL over the CSV or Parquet) gives the same value."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command

from parcours.aids import figures, recompute
from parcours.aids.event_export import COLUMNS
from parcours.aids.models import AidEvent
from parcours.indicators.event_export import pseudonym
from tests.aids.test_figures import YEAR, history

pytestmark = pytest.mark.django_db
FIRST, LAST = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)


def _export(tmp_path, fmt: str = "csv"):
    target = tmp_path / f"aides.{fmt}"
    call_command(
        "export_events", "--stream", "aides", "--from", FIRST.isoformat(), "--to", LAST.isoformat(),
        "--format", fmt, "--output", str(target), stderr=io.StringIO(),
    )  # fmt: skip
    return target


def test_export_is_pseudonymised_and_checked(tmp_path):
    world = history()
    # Free text slipped into the reason is dropped; known codes are kept.
    AidEvent.objects.filter(kind="aide.refusee").update(reason="ressources,Mme Dupont 06 12 34 56 78")
    rows = list(csv.DictReader(_export(tmp_path).open(encoding="utf-8")))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == AidEvent.objects.count()
    person = world["quick"].person
    text = _export(tmp_path).read_text(encoding="utf-8")
    for secret in (person.last_name, "Dupont", "Emploi non pris", "Devis"):
        assert secret not in text
    assert {row["person"] for row in rows if row["scheme"] == "fdaj"} >= {pseudonym(person.pk)}
    assert {row["reason"] for row in rows if row["kind"] == "aide.refusee"} == {"ressources"}
    grant = next(row for row in rows if row["kind"] == "aide.accordee" and row["amount"] == "150.00")
    assert grant["scheme_family"] == "jeunesse" and grant["emergency"] == "true" and grant["envelope"]
    assert grant["application"] and grant["application"] != grant["person"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_figure_equals_its_recomputation(tmp_path, fmt):
    world = history()
    path = _export(tmp_path, fmt)
    scopes = [
        (FIRST, LAST, "", ""),
        (datetime.date(YEAR, 2, 1), datetime.date(YEAR, 2, 28), "", ""),
        (datetime.date(YEAR, 3, 1), datetime.date(YEAR, 5, 31), "fdaj", ""),
        (FIRST, LAST, "", world["slow"].unit.code),
        (datetime.date(YEAR, 7, 1), datetime.date(YEAR, 7, 31), "", ""),  # nothing happened
    ]
    for start, end, scheme, unit in scopes:
        expected = figures.compute(start, end, scheme=scheme, unit=unit)
        assert recompute.figures(path, start, end, scheme=scheme, unit=unit) == expected, (
            start,
            end,
            scheme,
            unit,
        )
    assert figures.compute(FIRST, LAST)["delay"]["count"] == 5
