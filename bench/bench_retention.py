"""The daily retention task over one département-year at scale 1.0 (Nord 2019), on PostgreSQL:
the time to archive then anonymise every person whose last activity is in that year.

Not timed: migrations, `load-territory`, `generate-history` (the 2019 history), then the ageing
of the records (each person's `updated_at` set to the end of 2019, as if nobody had touched the
records since). Timed, in a fresh process: one `privacy.tasks.run_retention` as of the day the
longest archive period of the year's categories has elapsed (2019-12-31 + 730 + 1825 days), so
that the whole year falls due: archive, anonymise, files. The figure is that run's wall time;
the persons archived and anonymised are reported with it."""

from __future__ import annotations

import json
import os
import sys
import time

from bench.common import PARCOURS, figure, migrate, parcours_env, postgres_url, run_measured

DEPARTEMENT, YEAR = "59", 2019
SCALE = os.environ.get("BENCH_RETENTION_SCALE", "1.0")


def _prepare(database_url: str) -> None:
    migrate(database_url)
    env = parcours_env(database_url)
    run_measured([PARCOURS, "load-territory", "--departement", DEPARTEMENT], env=env)
    run_measured(
        [PARCOURS, "generate-history", "--departement", DEPARTEMENT, "--year", str(YEAR), "--seed", "1",
         "--scale", SCALE, "--json"],
        env=env,
    )  # fmt: skip


def measure() -> None:
    """In a fresh process (DATABASE_URL set): age the records, time one retention run, as JSON."""
    import datetime

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings")
    django.setup()
    from django.utils import timezone

    from parcours.people.models import Person
    from parcours.privacy.tasks import run_retention

    end_of_year = timezone.make_aware(datetime.datetime(YEAR, 12, 31, 23, 0))
    persons = Person.objects.update(updated_at=end_of_year, created_at=end_of_year)
    as_of = end_of_year + datetime.timedelta(days=730 + 1825 + 1)
    began = time.perf_counter()
    counts = run_retention(as_of)
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "persons": persons, **counts["persons"]}))


def run() -> list[dict]:
    database_url = postgres_url("retention")
    if database_url is None:
        return []
    _prepare(database_url)
    measured = run_measured(
        [sys.executable, "-m", "bench.bench_retention", "measure"], env=parcours_env(database_url)
    )
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    print(f"# retention: {result}", file=sys.stderr, flush=True)
    return [
        figure("retention_purge_year_seconds_postgresql", result["seconds"], "s"),
        figure("retention_persons_anonymised_postgresql", result.get("anonymised", 0), "personnes"),
        figure("retention_persons_in_database_postgresql", result["persons"], "personnes"),
    ]


if __name__ == "__main__" and sys.argv[1:] == ["measure"]:
    measure()
