"""Directory benchmarks, on SQLite and on PostgreSQL when a benchmark server runs.

The Nord's real communes (`load-territory 59`) and about 20,000 demo services
(`demo.directory.generate_directory` with a density multiplier), then:

1. search (`directory.search.search`, the search page's query layer) over 200 random queries: a
   coverage category, the point of a random commune, a 5–20 km radius, one query in four also
   "open on Saturday"; each query counts its results and reads the first page of 20 (what the
   page does): p50 / p95 in ms, goal p95 < 100 ms on PostgreSQL;
2. the full coverage analysis (`directory.coverage.analyse_all`: every commune of the Nord × the
   10 categories, nearest service open at least 2 half-days, reading included), by car and
   without a car: seconds, goal < 10 s.

`measure()` does both on the current database (the suite runs it on a tiny dataset: tests/directory/
test_coverage.py), `_main()` is the subprocess entry of `make bench`.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time

from bench.common import figure, migrate, parcours_env, postgres_url, run_measured, sqlite_url

TARGET_SERVICES = 20_000
DENSITY = 6.3  # demo density giving ~20,000 services in the Nord (3,486 at density 1, 18,751 at 5.9)
SAMPLE = 200


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(departement: str = "59", *, density: float = DENSITY, sample: int = SAMPLE) -> dict:
    """Generate the demo directory at `density` (territory already loaded), then time the search
    and the coverage. Returns the figures as a dict."""
    from django.db import connection

    from parcours.demo.directory import generate_directory
    from parcours.directory import coverage, travel
    from parcours.directory.models import Category, Service
    from parcours.directory.search import Criteria, search
    from parcours.territory.models import Commune

    started = time.perf_counter()
    generate_directory(departement, seed=1, density=density)
    generation = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after such a bulk load
    services = Service.objects.count()

    rng = random.Random(7)
    points = list(Commune.objects.filter(departement__code=departement).values_list("latitude", "longitude"))
    queries = [
        Criteria(
            category=rng.choice(Category.values),
            centre=rng.choice(points),
            radius_km=rng.choice([5, 10, 10, 20]),
            weekday=5 if rng.random() < 0.25 else None,
        )
        for _ in range(sample)
    ]
    search(queries[0]).count()  # warm-up
    search_ms, found = [], []
    for criteria in queries:
        started = time.perf_counter()
        results = search(criteria)
        total = results.count()
        list(results[:20])
        search_ms.append((time.perf_counter() - started) * 1000)
        found.append(total)

    timings = {}
    for mode in travel.Mode.values:
        started = time.perf_counter()
        analyses = coverage.analyse_all(departement, mode=mode)
        timings[mode] = time.perf_counter() - started
    return {
        "services": services,
        "generation_seconds": generation,
        "search_p50_ms": _percentile(search_ms, 0.5),
        "search_p95_ms": _percentile(search_ms, 0.95),
        "search_mean_results": sum(found) / len(found),
        "coverage_car_seconds": timings[travel.Mode.CAR],
        "coverage_no_car_seconds": timings[travel.Mode.NO_CAR],
        "coverage_communes": len(next(iter(analyses.values())).rows),
        "coverage_categories": len(analyses),
    }


def _main() -> None:
    """Inside a Django process on a migrated, empty database: load, generate, measure, print JSON."""
    import django

    django.setup()
    from parcours.territory.loader import load_territory

    load_territory("59")
    print(json.dumps(measure()))


def _run(url: str) -> dict:
    migrate(url)
    env = parcours_env(url, DJANGO_SETTINGS_MODULE="parcours.settings", PYTHONPATH=os.getcwd())
    result = run_measured([sys.executable, "-c", "import bench.bench_directory as b; b._main()"], env=env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    figures = []
    urls = [("sqlite", sqlite_url("directory"))]
    pg = postgres_url("directory")
    if pg:
        urls.append(("postgresql", pg))
    for engine, url in urls:
        data = _run(url)
        figures += [
            figure(f"directory_search_p95_ms_{engine}", data["search_p95_ms"], "ms", 100, "goal"),
            figure(f"directory_search_p50_ms_{engine}", data["search_p50_ms"], "ms"),
            figure(f"directory_services_{engine}", data["services"], "services", TARGET_SERVICES, "target"),
            figure(f"directory_search_mean_results_{engine}", data["search_mean_results"], "services"),
            figure(f"coverage_nord_all_categories_s_{engine}", data["coverage_car_seconds"], "s", 10, "goal"),
            figure(
                f"coverage_nord_all_categories_no_car_s_{engine}",
                data["coverage_no_car_seconds"],
                "s",
                10,
                "goal",
            ),
            figure(f"directory_demo_generation_s_{engine}", data["generation_seconds"], "s"),
        ]
    return figures
