"""Matching benchmarks (jobs.matching), on SQLite and on PostgreSQL when a benchmark server runs.

100,000 consenting candidate profiles (persons on 650 communes of a 140 × 100 km territory,
1–3 target appellations and some experience drawn from 120 ROME codes) and 5,000 published offers:

1. top-20 candidates of one offer, explanation lines included (`rank_candidates`: SQL prefilter,
   then numpy scoring), over 200 random offers: p50 / p95 in ms, goal p95 < 50 ms;
2. the same ranking by an exhaustive numpy scan of all profiles (`rank_candidates_exhaustive`,
   arrays loaded once beforehand): p95, and the ratio prefilter / exhaustive; both must give the
   same top 20 (profile and score), reported as the share of identical rankings;
3. ranking all 5,000 offers in batch (`rank_all_offers`, arrays loading included): goal < 60 s;
4. precision@10 on the generated quality set (offers with known good candidates).
"""

import json
import os
import sys
import time

from bench.common import figure, migrate, parcours_env, postgres_url, run_measured, sqlite_url

PROFILES = 100_000
OFFERS = 5_000
SAMPLE = 200


def _territory(units: int = 8, communes: int = 650):
    import random

    from parcours.territory.models import Commune, Departement, TerritorialUnit

    rng = random.Random(11)
    dep = Departement.objects.create(code="59", name="Nord")
    unit_rows = [
        TerritorialUnit.objects.create(departement=dep, code=f"U{i}", name=f"Unité {i}") for i in range(units)
    ]
    rows = []
    for i in range(communes):
        lat, lon = 50.0 + rng.random() * 0.9, 2.2 + rng.random() * 2.0
        unit = unit_rows[min(units - 1, int((lon - 2.2) / 2.0 * units))]
        rows.append(
            Commune(
                insee_code=f"59{i:03d}", departement=dep, name=f"Commune {i}", postal_codes=f"59{i:03d}",
                population=rng.randint(200, 50000), latitude=lat, longitude=lon, unit=unit,
            )
        )  # fmt: skip
    return dep, Commune.objects.bulk_create(rows)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _main() -> None:
    """Inside a Django process on a migrated, empty database: generate, measure, print JSON."""
    import random

    import django

    django.setup()
    from django.db import connection

    from parcours.accounts.models import Agent
    from parcours.jobs.matching import (
        CandidateArrays,
        rank_all_offers,
        rank_candidates,
        rank_candidates_exhaustive,
    )
    from parcours.jobs.models import Employer, JobOffer
    from parcours.jobs.synthetic import generate_bulk

    _, communes = _territory()
    employer = Employer.objects.create(siret="73282932000074", name="Bench", naf_code="88.10A")
    admin = Agent.objects.create(username="bench-admin", role="administrateur")
    started = time.perf_counter()
    generate_bulk(communes, employer, profiles=PROFILES, offers=OFFERS)
    generation = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after such a bulk load

    offers = list(JobOffer.objects.select_related("appellation", "commune").order_by("id"))
    sample = random.Random(5).sample(offers, SAMPLE)
    rank_candidates(sample[0], admin)  # warm-up (caches, connections)
    fast_ms, sizes = [], []
    for offer in sample:
        started = time.perf_counter()
        ranked = rank_candidates(offer, admin, limit=20)
        fast_ms.append((time.perf_counter() - started) * 1000)
        sizes.append(len(ranked))

    started = time.perf_counter()
    arrays = CandidateArrays.load_all()
    load_seconds = time.perf_counter() - started
    scan_ms, identical = [], 0
    for offer in sample:
        started = time.perf_counter()
        full = rank_candidates_exhaustive(offer, arrays, limit=20)
        scan_ms.append((time.perf_counter() - started) * 1000)
        fast = rank_candidates(offer, admin, limit=20, explain=False)
        identical += [(m.profile_id, m.score) for m in fast] == [(m.profile_id, m.score) for m in full]

    started = time.perf_counter()
    batch_arrays = CandidateArrays.load_all()
    results = rank_all_offers(offers, batch_arrays, limit=20)
    batch_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "generation_seconds": generation,
                "p50_ms": _percentile(fast_ms, 0.5),
                "p95_ms": _percentile(fast_ms, 0.95),
                "scan_p50_ms": _percentile(scan_ms, 0.5),
                "scan_p95_ms": _percentile(scan_ms, 0.95),
                "arrays_load_seconds": load_seconds,
                "identical_share": identical / len(sample),
                "mean_results": sum(sizes) / len(sizes),
                "batch_seconds": batch_seconds,
                "batch_offers": len(results),
            }
        )
    )


def _quality_main() -> None:
    import random

    import django

    django.setup()
    from parcours.accounts.models import Agent
    from parcours.jobs.matching import rank_candidates
    from parcours.jobs.models import Employer, JobOffer
    from parcours.jobs.synthetic import generate_quality_set, precision_at

    _, communes = _territory(communes=150)
    rng = random.Random(3)
    employer = Employer.objects.create(siret="73282932000074", name="Bench", naf_code="88.10A")
    admin = Agent.objects.create(username="bench-admin", role="administrateur")
    quality = generate_quality_set(employer, rng.sample(communes, 100), offers=150, seed=13)
    scores = [
        precision_at(
            10,
            [m.profile_id for m in rank_candidates(offer, admin, limit=10, explain=False)],
            quality.good[offer.pk],
        )
        for offer in JobOffer.objects.filter(pk__in=quality.good).select_related("appellation", "commune")
    ]
    print(json.dumps({"precision_at_10": sum(scores) / len(scores), "offers": len(scores)}))


def _run(url: str, entry: str) -> dict:
    migrate(url)
    env = parcours_env(url, DJANGO_SETTINGS_MODULE="parcours.settings", PYTHONPATH=os.getcwd())
    measure = run_measured([sys.executable, "-c", f"import bench.bench_matching as b; b.{entry}()"], env=env)
    return json.loads(measure.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    figures = []
    quality = _run(sqlite_url("matching-quality"), "_quality_main")
    figures.append(figure("matching_precision_at_10", quality["precision_at_10"], "share"))
    urls = [("sqlite", sqlite_url("matching"))]
    pg = postgres_url("matching")
    if pg:
        urls.append(("postgresql", pg))
    for engine, url in urls:
        data = _run(url, "_main")
        figures += [
            figure(f"matching_top20_p95_ms_{engine}", data["p95_ms"], "ms", 50, "goal"),
            figure(f"matching_top20_p50_ms_{engine}", data["p50_ms"], "ms"),
            figure(
                f"matching_top20_p95_ratio_to_numpy_scan_{engine}",
                data["p95_ms"], "ms", data["scan_p95_ms"], "exhaustive numpy scan p95 (ms)",
            ),
            figure(f"matching_numpy_scan_p95_ms_{engine}", data["scan_p95_ms"], "ms"),
            figure(f"matching_numpy_arrays_load_seconds_{engine}", data["arrays_load_seconds"], "s"),
            figure(f"matching_top20_identical_to_scan_share_{engine}", data["identical_share"], "share", 1, "goal"),
            figure(f"matching_batch_all_offers_seconds_{engine}", data["batch_seconds"], "s", 60, "goal"),
            figure(f"matching_generate_100k_profiles_seconds_{engine}", data["generation_seconds"], "s"),
        ]  # fmt: skip
    return figures
