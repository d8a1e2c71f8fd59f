"""All indicators over one département-year at scale 1.0 (Nord 2019, about 1,000,000 events), on
SQLite and on PostgreSQL, against DuckDB computing the headline aggregates over the parquet export.

Not timed: migrations, `load-territory`, `generate-history` (bulk insert), the parquet export.
Timed, 3 runs in a fresh process per database: reading the event log and computing every
indicator of `parcours stats` (load + compute = "all indicators"). The first run reads the whole
table ("cold"); the next ones find the log unchanged and only re-read the persons ("all", best of
2). DuckDB's `indicators.recompute.headline` on the export (best of 3)."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from bench.common import PARCOURS, figure, migrate, parcours_env, postgres_url, run_measured, sqlite_url

DEPARTEMENT, YEAR, SCALE, RUNS = "59", 2019, "1.0", 3
DUCKDB = "DuckDB (parquet, agrégats principaux)"


def _prepare(database_url: str) -> dict:
    migrate(database_url)
    env = parcours_env(database_url)
    run_measured([PARCOURS, "load-territory", "--departement", DEPARTEMENT], env=env)
    generated = run_measured(
        [PARCOURS, "generate-history", "--departement", DEPARTEMENT, "--year", str(YEAR), "--seed", "1",
         "--scale", SCALE, "--json"],
        env=env,
    )  # fmt: skip
    return json.loads(generated.stdout)


def _time_indicators(database_url: str) -> dict:
    measure = run_measured(
        [sys.executable, "-m", "bench.bench_indicators", "measure"], env=parcours_env(database_url)
    )
    return json.loads(measure.stdout)


def measure() -> None:
    """In a fresh process (DATABASE_URL set): best-of-RUNS timings of load and compute, as JSON."""
    import datetime
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings")
    django.setup()
    from parcours.indicators import eventlog, stats

    start, end = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
    runs = []
    for _ in range(RUNS):
        began = time.perf_counter()
        log = eventlog.load()
        loaded = time.perf_counter()
        result = stats.compute(start, end, log=log)
        runs.append((time.perf_counter() - began, loaded - began, time.perf_counter() - loaded))
    total, load, compute = min(runs[1:])
    print(
        json.dumps(
            {
                "total": total,
                "load": load,
                "compute": compute,
                "cold_total": runs[0][0],
                "cold_load": runs[0][1],
                "events": len(log),
                "received": result["entrants"]["received"],
                "mean_delay": result["delay_first_interview"]["mean_days"],
                "coached": result["coaching"]["entries"],
                "job_or_training": result["coaching"]["job_or_training_within_3_months"],
            }
        )
    )


def _duckdb(path: str) -> float:
    import datetime

    from parcours.indicators.recompute import headline

    best = float("inf")
    for _ in range(RUNS):
        began = time.perf_counter()
        headline(path, datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
        best = min(best, time.perf_counter() - began)
    return best


def run() -> list[dict]:
    figures: list[dict] = []
    url = sqlite_url("indicators")
    parquet = Path(tempfile.gettempdir()) / f"parcours-bench-events-{time.time_ns()}.parquet"
    try:
        generated = _prepare(url)
        sqlite = _time_indicators(url)
        run_measured(
            [PARCOURS, "export-events", "--from", "2000-01-01", "--to", f"{YEAR}-12-31", "--format", "parquet",
             "--output", str(parquet)],
            env=parcours_env(url),
        )  # fmt: skip
        duck = _duckdb(str(parquet))
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        parquet.unlink(missing_ok=True)
    figures += [
        figure("indicators_scale_1.0_events", generated["events"], "events"),
        figure("indicators_2019_received", sqlite["received"], "persons", 16_686, "cible Nord 2019"),
        figure(
            "indicators_2019_mean_delay_first_interview", sqlite["mean_delay"], "days", 18, "cible Nord 2019"
        ),
        figure("indicators_2019_coached", sqlite["coached"], "persons", 2_748, "cible Nord 2019"),
        figure(
            "indicators_2019_job_or_training_3_months", sqlite["job_or_training"], "persons", 709, "cible"
        ),
        figure("indicators_duckdb_headline_seconds", duck, "s"),
        figure("indicators_sqlite_cold_load_seconds", sqlite["cold_load"], "s"),
        figure("indicators_sqlite_cold_all_seconds", sqlite["cold_total"], "s", duck, DUCKDB),
        figure("indicators_sqlite_load_seconds", sqlite["load"], "s"),
        figure("indicators_sqlite_compute_seconds", sqlite["compute"], "s"),
        figure(
            "indicators_sqlite_all_seconds",
            sqlite["total"],
            "s",
            duck,
            DUCKDB,
        ),
    ]
    pg_url = postgres_url("indicators")
    if pg_url:
        _prepare(pg_url)
        postgres = _time_indicators(pg_url)
        figures += [
            figure("indicators_postgres_cold_load_seconds", postgres["cold_load"], "s"),
            figure("indicators_postgres_cold_all_seconds", postgres["cold_total"], "s", duck, DUCKDB),
            figure("indicators_postgres_load_seconds", postgres["load"], "s"),
            figure("indicators_postgres_compute_seconds", postgres["compute"], "s"),
            figure(
                "indicators_postgres_all_seconds",
                postgres["total"],
                "s",
                duck,
                DUCKDB,
            ),
        ]
    return figures


if __name__ == "__main__" and sys.argv[1:] == ["measure"]:
    measure()
