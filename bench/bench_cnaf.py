"""`parcours import-cnaf` on a synthetic monthly flux of 100,000 dossiers (valid against
vrsb0801.xsd), on a fresh SQLite database and on a fresh PostgreSQL database (after `migrate` and
`load-territory`, not timed): dossiers imported per second, against the floor of a bare lxml parse
of the same file; peak memory of the command for 10,000 and 100,000 dossiers. The command reads the
file in a second process (`parcours.rsa.flux_reader`): the reported peak is the larger of the two
processes' (what the kernel gives for a process and its children), and the reader's own peak is
measured apart, so that their sum (both alive at once) is reported too. The cost of the NIR's
encryption: the SQLite import against the same import with encryption and digests replaced by the
identity (`cnaf_import_encryption_cost_ratio`, best of RUNS each).

Goals: import ≥ 20 % of the parse-only throughput on SQLite; peak memory < 300 MB, the same for
10,000 and 100,000 dossiers."""

import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

from bench.common import PARCOURS, figure, migrate, parcours_env, postgres_url, run_measured, sqlite_url

DOSSIERS = 100_000
RUNS = 2  # best of RUNS, for the parse floor and for the SQLite import alike
SMALL = 10_000
COMMUNES = [
    ("59350", "59000", "LILLE"),
    ("59512", "59100", "ROUBAIX"),
    ("59599", "59200", "TOURCOING"),
    ("59183", "59140", "DUNKERQUE"),
    ("59606", "59300", "VALENCIENNES"),
]


def _write(path: Path, count: int) -> None:
    from parcours.rsa.synthetic import random_dossiers, write_flux

    write_flux(path, random_dossiers(count, seed=2024, communes=COMMUNES))


def _valid(path: Path) -> bool:
    from parcours.rsa.cnaf import XSD_PATH

    schema = etree.XMLSchema(etree.parse(str(XSD_PATH)))
    try:
        for _, el in etree.iterparse(str(path), events=("end",), tag="InfosFoyerRSA", schema=schema):
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]
    except etree.XMLSyntaxError:
        return False
    return True


def _parse_only_rate(path: Path) -> float:
    best = None
    for _ in range(RUNS):
        started = time.perf_counter()
        count = 0
        for _, el in etree.iterparse(str(path), events=("end",), tag="InfosFoyerRSA"):
            count += 1
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return count / best


def _import(database_url: str, path: Path, *, encrypted: bool = True):
    """Time `parcours import-cnaf`; `encrypted=False`: the same with the NIR's encryption and
    digests replaced by the identity (bench.plain_nir_import), the baseline of its cost."""
    migrate(database_url)
    env = parcours_env(database_url, PARCOURS_DEPARTEMENT="59")
    run_measured([PARCOURS, "load-territory", "--departement", "59"], env=env)
    command = [PARCOURS] if encrypted else [sys.executable, "-m", "bench.plain_nir_import"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    measure = run_measured([*command, "import-cnaf", str(path)], env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time of the import and its reader process: less sensitive than the wall time to the
    # other work of a shared machine.
    measure.cpu_seconds = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return measure


def _drop_sqlite(url: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)


def run() -> list[dict]:
    workdir = Path(tempfile.mkdtemp(prefix="parcours-bench-cnaf-"))
    try:
        big, small = workdir / "flux-100k.xml", workdir / "flux-10k.xml"
        _write(big, DOSSIERS)
        _write(small, SMALL)
        figures = [figure("cnaf_flux_100k_valid_against_xsd", 1.0 if _valid(big) else 0.0, "bool")]
        parse_rate = _parse_only_rate(big)
        figures.append(figure("cnaf_parse_only_lxml_dossiers_per_second", parse_rate, "dossiers/s"))

        # Best of two runs, each on a fresh database, as the parse floor is the best of two. Each
        # run is followed by one without the NIR's encryption (interleaved: a load on the machine
        # weighs on both alike).
        runs, plain_runs = [], []
        for _ in range(RUNS):
            for encrypted, out in ((True, runs), (False, plain_runs)):
                url = sqlite_url("cnaf" if encrypted else "cnaf-plain")
                try:
                    out.append(_import(url, big, encrypted=encrypted))
                finally:
                    _drop_sqlite(url)
        measure = min(runs, key=lambda run: run.seconds)
        plain = min(run.seconds for run in plain_runs)
        cpu_ratio = min(run.cpu_seconds for run in runs) / min(run.cpu_seconds for run in plain_runs)
        figures += [
            figure(
                "cnaf_import_sqlite_dossiers_per_second",
                DOSSIERS / measure.seconds,
                "dossiers/s",
                baseline=parse_rate,
                baseline_name="bare lxml parse (goal: ratio ≥ 0.2)",
            ),
            figure("cnaf_import_sqlite_100k_seconds", measure.seconds, "s"),
            figure("cnaf_import_sqlite_100k_seconds_worst_run", max(run.seconds for run in runs), "s"),
            figure(
                "cnaf_import_encryption_cost_ratio",
                measure.seconds / plain,
                "ratio",
                baseline=1.0,
                baseline_name="import without the NIR's encryption (bench only; goal: ≈ 1)",
            ),
            figure(
                "cnaf_import_encryption_cost_ratio_cpu",
                cpu_ratio,
                "ratio",
                baseline=1.0,
                baseline_name="the same on CPU time (import and reader processes)",
            ),
            figure("cnaf_import_sqlite_100k_seconds_without_encryption", plain, "s"),
        ]
        url_small = sqlite_url("cnaf-small")
        try:
            measure_small = _import(url_small, small)
        finally:
            _drop_sqlite(url_small)
        reader = run_measured(
            [sys.executable, "-m", "parcours.rsa.flux_reader", str(big), "--departement", "59"],
            env=parcours_env(sqlite_url("reader")),  # the reader opens no database
        )
        figures += [
            figure("cnaf_reader_process_100k_peak_memory", reader.peak_mb, "MB"),
            figure(
                "cnaf_import_sqlite_100k_peak_memory_both_processes",
                max(run.peak_mb for run in runs) + reader.peak_mb,
                "MB",
                baseline=300,
                baseline_name="goal: < 300 MB",
            ),
            figure("cnaf_import_sqlite_10k_peak_memory", measure_small.peak_mb, "MB"),
            figure(
                "cnaf_import_sqlite_100k_peak_memory",
                max(run.peak_mb for run in runs),
                "MB",
                baseline=measure_small.peak_mb,
                baseline_name="10,000 dossiers (goal: < 300 MB, ratio ≈ 1)",
            ),
        ]
        pg_url = postgres_url("cnaf")
        if pg_url:
            pg = _import(pg_url, big)
            figures += [
                figure(
                    "cnaf_import_postgres_dossiers_per_second",
                    DOSSIERS / pg.seconds,
                    "dossiers/s",
                    baseline=parse_rate,
                    baseline_name="bare lxml parse",
                ),
                figure("cnaf_import_postgres_100k_seconds", pg.seconds, "s"),
                figure("cnaf_import_postgres_100k_peak_memory", pg.peak_mb, "MB"),
            ]
        return figures
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
