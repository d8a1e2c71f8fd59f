"""Issue #13 point 5: the figures agree when recomputed independently.

DREES table 4 describes the situation on the reference day like table 3; "within N months" is in
calendar months everywhere; the stats output records when it ran and up to which day it read the
log, and the DuckDB recomputation over an export taken after the period end gives the same figures.
"""

import datetime
import io
import json

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from parcours.indicators import recompute
from parcours.indicators.stats import compute
from tests.indicators.factories import entrant, event
from tests.people.factories import PersonFactory

Y2019 = (datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))


def stats(start=Y2019[0], end=Y2019[1]):
    return compute(start, end, deadline_days=30)


@pytest.fixture
def persons(two_units):
    return lambda n: [PersonFactory(commune=two_units["commune_a"]) for _ in range(n)]


def test_table_4_counts_only_orientations_decided_by_31_december_like_table_3(persons):
    (late,) = persons(1)
    entrant(late, "2019-12-10", requested="2019-12-01")
    event(late, "orientation.decidee", "2020-01-10", orientation="sociale", organism="ccas")
    drees = stats()["drees"]
    assert drees["table_3"]["oriented_at_reference_date"] == 0
    assert drees["table_3"]["not_oriented_at_reference_date"] == 1
    assert (drees["table_4"]["oriented"], drees["table_4"]["not_oriented"]) == (0, 1)
    assert drees["table_4"]["moins_1_mois"] + drees["table_4"]["1_a_2_mois"] == 0
    assert drees["table_4"]["mean_days"] is None
    # On 31 January 2020, the same person is oriented within 2 months of the request.
    later = stats(datetime.date(2019, 1, 1), datetime.date(2020, 1, 31))["drees"]
    assert later["table_4"]["oriented"] == later["table_3"]["oriented_at_reference_date"] == 1
    assert later["table_4"]["1_a_2_mois"] == 1


def test_table_4_and_table_3_agree_for_the_entrants_still_in_the_population(persons):
    early, late, never = persons(3)
    for person, orientation_day in ((early, "2019-06-20"), (late, "2020-02-01"), (never, None)):
        entrant(person, "2019-06-01", requested="2019-05-20")
        if orientation_day:
            event(person, "orientation.decidee", orientation_day, orientation="sociale", organism="ccas")
    drees = stats()["drees"]
    assert drees["table_3"]["in_population_at_reference_date"] == 3
    assert drees["table_4"]["oriented"] == drees["table_3"]["oriented_at_reference_date"] == 1
    assert drees["table_4"]["not_oriented"] == drees["table_3"]["not_oriented_at_reference_date"] == 2


@pytest.mark.parametrize(
    ("requested", "oriented", "bucket"),
    [
        ("2019-07-01", "2019-08-01", "moins_1_mois"),  # 31 days, but within one calendar month
        ("2019-01-31", "2019-02-28", "moins_1_mois"),  # 31/01 + 1 month = 28/02
        ("2019-01-31", "2019-03-01", "1_a_2_mois"),
        ("2019-05-31", "2019-08-31", "2_a_3_mois"),  # 92 days: 31/05 + 3 months = 31/08
        ("2019-03-01", "2019-08-31", "3_a_6_mois"),  # 183 days, within 6 calendar months
        ("2019-03-01", "2019-09-02", "6_mois_et_plus"),
    ],
)
def test_table_4_delays_are_in_calendar_months(persons, requested, oriented, bucket):
    (person,) = persons(1)
    event(person, "rsa.demande", requested)
    entrant(person, requested)
    event(person, "orientation.decidee", oriented, orientation="professionnelle", organism="france_travail")
    table_4 = stats()["drees"]["table_4"]
    buckets = {
        key: table_4[key]
        for key in ("moins_1_mois", "1_a_2_mois", "2_a_3_mois", "3_a_6_mois", "6_mois_et_plus")
    }
    assert buckets == {key: int(key == bucket) for key in buckets}


def test_coaching_within_3_months_from_30_november_reaches_29_february(persons):
    on_time, too_late = persons(2)
    for person in (on_time, too_late):
        event(person, "accompagnement.debut", "2019-11-30")
    event(on_time, "emploi.debut", "2020-02-29", contract_type="cdd")
    event(too_late, "emploi.debut", "2020-03-01", contract_type="cdd")
    assert stats()["coaching"]["job_within_3_months"] == 1


def test_the_stats_output_records_the_run_and_the_last_day_read(persons):
    (person,) = persons(1)
    entrant(person, "2019-06-01")
    event(person, "emploi.debut", "2020-02-03", contract_type="cdd")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "stats", "--from", "2019-01-01", "--to", "2019-12-31", "--format", "json", stdout=out, stderr=err
    )
    period = json.loads(out.getvalue())["period"]
    assert "événements lus jusqu'au 2020-02-03" in err.getvalue()
    run_at = datetime.datetime.fromisoformat(period["computed_at"])
    assert run_at.tzinfo is not None
    assert abs((run_at - datetime.datetime.now(datetime.UTC)).total_seconds()) < 60
    assert period["events_until"] == "2020-02-03"
    csv_out = io.StringIO()
    call_command(
        "stats",
        "--from",
        "2019-01-01",
        "--to",
        "2019-12-31",
        "--format",
        "csv",
        stdout=csv_out,
        stderr=io.StringIO(),
    )
    assert "period.events_until,2020-02-03" in csv_out.getvalue()
    assert "period.computed_at," in csv_out.getvalue()


def _export(tmp_path, to: str):
    target = tmp_path / f"events-{to}.parquet"
    call_command(
        "export_events",
        "--from",
        "2000-01-01",
        "--to",
        to,
        "--format",
        "parquet",
        "--output",
        str(target),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    return str(target)


def test_duckdb_agrees_on_table_4_and_months_when_the_export_runs_past_the_period_end(persons, tmp_path):
    late, in_time, coached, border = persons(4)
    entrant(late, "2019-12-10", requested="2019-12-01")
    event(late, "orientation.decidee", "2020-01-10", orientation="sociale", organism="ccas")
    event(in_time, "rsa.demande", "2019-05-31")
    entrant(in_time, "2019-06-03")
    event(in_time, "orientation.decidee", "2019-08-31", orientation="sociale", organism="ccas")
    event(coached, "accompagnement.debut", "2019-11-30")
    event(coached, "emploi.debut", "2020-02-29", contract_type="cdd")
    event(border, "accompagnement.debut", "2019-11-30")
    event(border, "emploi.debut", "2020-03-01", contract_type="cdd")
    start, end = Y2019
    ours = compute(start, end)
    assert ours["period"]["events_until"] == "2020-03-01"

    complete = _export(tmp_path, ours["period"]["events_until"])
    theirs = recompute.headline(complete, start, end)
    assert theirs == recompute.expected(ours)
    assert theirs["drees.table_4.oriented"] == 1 and theirs["drees.table_4.2_a_3_mois"] == 1
    assert theirs["coaching.job_or_training_within_3_months"] == 1
    assert recompute.coverage_problems(complete, ours) == []
    metadata = pq.read_schema(complete).metadata
    assert metadata[b"parcours.to"] == b"2020-03-01"
    assert datetime.datetime.fromisoformat(metadata[b"parcours.exported_at"].decode()).tzinfo is not None

    # An export stopped at the period end misses the January job of a December coaching start.
    short = _export(tmp_path, "2019-12-31")
    problems = recompute.coverage_problems(short, ours)
    assert problems and "2020-03-01" in problems[0]
    assert recompute.headline(short, start, end)["coaching.job_or_training_within_3_months"] == 0


def test_an_export_taken_later_reproduces_the_run_up_to_its_cut_off(persons, tmp_path):
    coached, other = persons(2)
    event(coached, "accompagnement.debut", "2019-12-02")
    event(other, "rsa.demande", "2020-01-10")
    start, end = Y2019
    ours = compute(start, end)
    assert ours["period"]["events_until"] == "2020-01-10"
    assert ours["coaching"]["job_or_training_within_3_months"] == 0
    # Recorded after the run and dated after its cut-off: a training within 3 months of the start.
    event(coached, "formation.debut", "2020-02-10", training_kind="qualifiante")
    later = _export(tmp_path, "2020-03-31")
    until = datetime.date.fromisoformat(ours["period"]["events_until"])
    assert recompute.coverage_problems(later, ours) == []
    assert recompute.headline(later, start, end, observed_until=until) == recompute.expected(ours)
    assert recompute.headline(later, start, end)["coaching.job_or_training_within_3_months"] == 1
