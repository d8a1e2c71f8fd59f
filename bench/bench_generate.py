"""`parcours generate` for the Nord at scale 0.1 (about 10,000 households, 23,000 persons), on a
fresh SQLite database and on a fresh PostgreSQL database: persons written per second, wall time
and peak memory of the command. Migrations and `load-territory` run first and are not timed."""

import json
from pathlib import Path

from bench.common import PARCOURS, figure, migrate, parcours_env, postgres_url, run_measured, sqlite_url

DEPARTEMENT = "59"
SCALE = "0.1"


def _measure(label: str, database_url: str) -> tuple[list[dict], float]:
    migrate(database_url)
    env = parcours_env(database_url)
    run_measured([PARCOURS, "load-territory", "--departement", DEPARTEMENT], env=env)
    measure = run_measured(
        [PARCOURS, "generate", "--departement", DEPARTEMENT, "--seed", "1", "--scale", SCALE, "--json"],
        env=env,
    )
    persons = json.loads(measure.stdout)["persons"]
    rate = persons / measure.seconds
    return [
        figure(f"generate_scale_{SCALE}_{label}_seconds", measure.seconds, "s"),
        figure(f"generate_scale_{SCALE}_{label}_peak_memory", measure.peak_mb, "MB"),
    ], rate


def run() -> list[dict]:
    url = sqlite_url("generate")
    try:
        figures, sqlite_rate = _measure("sqlite", url)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    figures.append(figure(f"generate_scale_{SCALE}_sqlite_persons_per_second", sqlite_rate, "persons/s"))
    pg_url = postgres_url("generate")
    if pg_url:
        pg_figures, pg_rate = _measure("postgres", pg_url)
        figures += pg_figures
        figures.append(
            figure(
                f"generate_scale_{SCALE}_postgres_persons_per_second",
                pg_rate,
                "persons/s",
                baseline=sqlite_rate,
                baseline_name="SQLite",
            )
        )
    return figures
