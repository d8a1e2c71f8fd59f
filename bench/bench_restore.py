"""`parcours backup` then `parcours restore-check` of the bench's largest PostgreSQL database: wall
time of each (the backup: pg_dump, the per-table digests in the same snapshot, the private files;
the check: a throwaway cluster, pg_restore --jobs 2, the digests again, the audit chain of the copy),
with the database's and the backup's sizes. `parcours verify-audit` (sealing, then the whole chain)
runs first and is timed too, on BENCH_AUDIT_ENTRIES (200,000) audit entries added unsealed.

The database is the largest `bench_*` one already on the bench's server when this module runs
(`make bench` runs the modules in name order: the CNAF import's, the generator's… are there), or,
when there is none or BENCH_RESTORE_SCALE is set, a Nord generated for the purpose (`migrate`,
`load-territory`, `generate --scale BENCH_RESTORE_SCALE`, 0.1 by default; not timed)."""

import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import psycopg

from bench.common import PARCOURS, figure, migrate, parcours_env, postgres_url, run_measured

AUDIT_ENTRIES = int(os.environ.get("BENCH_AUDIT_ENTRIES", "200000"))
AUDIT_SQL = """
    INSERT INTO core_auditevent (at, agent_label, person_id, action, channel, path, detail)
    SELECT now() - make_interval(secs => n), 'bench', n, 'view', 'web', '/personnes/', jsonb_build_object('n', n)
    FROM generate_series(1, %s) AS n
"""
SIZE_SQL = "SELECT datname, pg_database_size(datname) FROM pg_database WHERE datname LIKE 'bench\\_%' ORDER BY 2 DESC"


def _database(base: str) -> tuple[str, str]:
    """(url, description) of the database to back up."""
    scale = os.environ.get("BENCH_RESTORE_SCALE")
    if not scale:
        with psycopg.connect(base, autocommit=True) as conn:
            largest = conn.execute(SIZE_SQL).fetchone()
        if largest:
            return base.rsplit("/", 1)[0] + f"/{largest[0]}", f"base {largest[0]} du bench"
    scale = scale or "0.1"
    url = postgres_url("restore")
    migrate(url)
    env = parcours_env(url)
    run_measured([PARCOURS, "load-territory", "--departement", "59"], env=env)
    run_measured([PARCOURS, "generate", "--departement", "59", "--seed", "1", "--scale", scale], env=env)
    return url, f"Nord généré à l'échelle {scale}"


def run() -> list[dict]:
    base = os.environ.get("BENCH_POSTGRES_URL")
    if not base:
        return []
    url, described = _database(base)
    env = parcours_env(url)
    with psycopg.connect(url) as conn:
        # A trail to seal and verify: the generator writes none, production writes one per person shown.
        conn.execute(AUDIT_SQL, [AUDIT_ENTRIES])
        conn.commit()
        db_bytes = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    verify = run_measured([PARCOURS, "verify-audit"], env=env)
    audited = int(re.search(r"(\d+) trace\(s\) vérifiée", verify.stdout).group(1))
    folder = Path(tempfile.mkdtemp(prefix="parcours-bench-backup-"))
    try:
        backup = run_measured([PARCOURS, "backup", "--destination", str(folder)], env=env)
        (saved,) = folder.iterdir()
        backup_bytes = sum(path.stat().st_size for path in saved.iterdir())
        tables = json.loads((saved / "manifest.json").read_text())["database"]["tables"]
        rows = sum(table["rows"] for table in tables.values())
        check = run_measured([PARCOURS, "restore-check", str(saved)], env=env)
        assert "RESTAURATION CONFORME" in check.stdout, check.stdout
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"# restore: {described}, {rows} lignes, {audited} traces d'audit", file=sys.stderr, flush=True)
    return [
        figure("backup_database_size_postgresql", db_bytes / 1e6, "MB", baseline_name=described),
        figure("backup_database_rows_postgresql", rows, "rows"),
        figure(
            "audit_seal_and_verify_seconds_postgresql",
            verify.seconds,
            "s",
            baseline_name=f"{audited} entries",
        ),
        figure("backup_seconds_postgresql", backup.seconds, "s", baseline_name=described),
        figure("backup_size_postgresql", backup_bytes / 1e6, "MB"),
        figure("restore_check_seconds_postgresql", check.seconds, "s", baseline_name=described),
    ]
