"""`parcours stats`, `parcours export-events` and `parcours generate-history`."""

import csv
import datetime
import io
import json

import pyarrow.parquet as pq
from django.core.management import call_command
from openpyxl import load_workbook

from parcours.core.models import AuditAction, AuditEvent
from parcours.indicators import events as ev
from parcours.indicators import recompute
from parcours.indicators.event_export import pseudonym
from parcours.indicators.history import Calibration, generate_history
from parcours.indicators.stats import compute
from parcours.people.models import PersonEvent
from tests.indicators.factories import entrant, event
from tests.people.factories import PersonFactory
from tests.territory.factories import CommuneFactory, SiteFactory


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def history(two_units):
    person = PersonFactory(commune=two_units["commune_a"], last_name="Secret", email="secret@example.org")
    entrant(person, "2019-03-01", requested="2019-02-15")
    site = SiteFactory(departement=two_units["unit_a"].departement, commune=two_units["commune_a"])
    event(person, "rdv.honore", "2019-03-11", "10:00", site=site.pk)
    event(
        person,
        "orientation.decidee",
        "2019-03-11",
        orientation="sociale",
        organism="ccas",
        note="texte libre",
    )
    return person


def test_stats_json_has_the_documented_keys(two_units):
    history(two_units)
    result = json.loads(run("stats", "--from", "2019-01-01", "--to", "2019-12-31", "--format", "json"))
    assert result["entrants"]["count"] == 1
    assert result["delay_first_interview"]["mean_days"] == 10.0
    assert set(result) >= {
        "period",
        "entrants",
        "delay_first_interview",
        "delay_orientation",
        "drees",
        "breakdowns",
    }
    assert set(result["drees"]) == {"reference_date", *(f"table_{n}" for n in range(1, 7))}


def test_stats_csv_and_unit(two_units):
    history(two_units)
    rows = dict(
        csv.reader(io.StringIO(run("stats", "--from", "2019-01-01", "--to", "2019-12-31", "--format", "csv")))
    )
    assert rows["entrants.count"] == "1"
    assert rows["breakdowns.unit.A.entrants"] == "1"
    other = run("stats", "--from", "2019-01-01", "--to", "2019-12-31", "--unit", "B", "--format", "csv")
    assert dict(csv.reader(io.StringIO(other)))["entrants.count"] == "0"


def test_stats_xlsx(two_units, tmp_path):
    history(two_units)
    target = tmp_path / "stats.xlsx"
    run("stats", "--from", "2019-01-01", "--to", "2019-12-31", "--format", "xlsx", "--output", str(target))
    workbook = load_workbook(target)
    values = {row[0]: row[1] for row in workbook["indicateurs"].iter_rows(values_only=True)}
    assert values["entrants.received"] == 1
    assert "par unité" in workbook.sheetnames


def test_export_events_is_pseudonymised(two_units, tmp_path):
    person = history(two_units)
    text = run("export_events", "--from", "2019-03-01", "--to", "2019-03-31", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["kind"] for row in rows} == {
        "rsa.entree",
        "rsa.droits_devoirs",
        "rdv.honore",
        "orientation.decidee",
    }
    assert {row["person"] for row in rows} == {pseudonym(person.pk)}
    assert rows[0]["occurred_at"] == "2019-03-01T00:00:00+01:00"
    assert rows[0]["unit"] == "A" and rows[0]["commune"] == two_units["commune_a"].insee_code
    assert "Secret" not in text and "secret@example.org" not in text and "texte libre" not in text
    assert "note" not in rows[0] and "nir" not in rows[0]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, detail__export="events").count() == 1
    target = tmp_path / "events.parquet"
    run(
        "export_events",
        "--from",
        "2019-01-01",
        "--to",
        "2019-12-31",
        "--format",
        "parquet",
        "--output",
        str(target),
    )
    table = pq.read_table(target)
    assert table.num_rows == 5
    assert table.column("date").to_pylist()[0] == datetime.date(2019, 2, 15)
    # The same person keeps the same pseudonym from one export to the next.
    assert set(table.column("person").to_pylist()) == {pseudonym(person.pk)}


def test_duckdb_recomputes_the_headline_figures(two_units, tmp_path):
    history(two_units)
    other = PersonFactory(commune=two_units["commune_b"])
    entrant(other, "2019-06-01")
    event(other, "rsa.suspension", "2019-11-01")
    event(other, "accompagnement.debut", "2019-06-10")
    event(other, "emploi.debut", "2019-08-01", contract_type="cdd")
    target = tmp_path / "events.parquet"
    run(
        "export_events",
        "--from",
        "2000-01-01",
        "--to",
        "2019-12-31",
        "--format",
        "parquet",
        "--output",
        str(target),
    )
    start, end = datetime.date(2019, 1, 1), datetime.date(2019, 12, 31)
    ours = compute(start, end)
    theirs = recompute.headline(str(target), start, end)
    assert recompute.coverage_problems(str(target), ours) == []
    assert theirs == recompute.expected(ours)
    assert set(theirs) >= {
        "entrants.count",
        "entrants.received",
        "delay_first_interview.mean_days",
        "drees.table_1.population",
        "drees.table_4.oriented",
        "coaching.entries",
        "coaching.job_or_training_within_3_months",
    }
    assert theirs["drees.table_4.oriented"] == 1
    assert theirs["drees.table_1.population"] == 1


def test_generated_history_keeps_the_calibrated_proportions(departement):
    for number in range(5):
        CommuneFactory(departement=departement, population=1000 * (number + 1))
    scale = 0.02
    outcome = generate_history("59", 2019, seed=3, scale=scale)
    result = compute(datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))
    calibration = Calibration()
    assert outcome.events > 10 * outcome.persons * 0.8
    assert abs(result["entrants"]["received"] - 16_686 * scale) <= 0.03 * 16_686 * scale
    assert abs(result["delay_first_interview"]["mean_days"] - calibration.delay_mean_days) <= 2
    assert abs(result["coaching"]["entries"] - 2_748 * scale) <= 2
    assert abs(result["coaching"]["job_or_training_within_3_months"] - 709 * scale) <= 2
    # The bulk writer's typed copy is the one the model derives (checked on every 10th event).
    sample = PersonEvent.objects.filter(pk__in=list(PersonEvent.objects.values_list("pk", flat=True))[::10])
    written = list(sample.order_by("pk").values_list("kind", *PersonEvent.TYPED_COLUMNS))
    assert sample.refill_typed_values() == len(written)
    assert list(sample.order_by("pk").values_list("kind", *PersonEvent.TYPED_COLUMNS)) == written
    assert {kind for kind, *_ in written} >= set(ev.FACT_KEYS)
    # A second run replaces the first one instead of adding to it.
    again = generate_history("59", 2019, seed=3, scale=scale)
    assert again.removed_events == outcome.events
    assert compute(datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))["entrants"] == result["entrants"]
