"""Shared tools for benchmarks: fresh databases, timed subprocesses with their peak memory."""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PARCOURS = str(Path(sys.executable).parent / "parcours")


@dataclass
class Measure:
    seconds: float
    peak_mb: float
    stdout: str


def figure(
    name: str, value: float, unit: str, baseline: float | None = None, baseline_name: str = ""
) -> dict:
    """One benchmark figure as `make bench` reports it; ratio = value / baseline."""
    ratio = round(value / baseline, 4) if baseline else None
    return {
        "name": name,
        "value": round(value, 4),
        "unit": unit,
        "baseline": round(baseline, 4) if baseline is not None else None,
        "baseline_name": baseline_name,
        "ratio": ratio,
    }


def run_measured(args: list[str], env: dict | None = None, cwd: str | None = None) -> Measure:
    """Run a command; return wall time and the child's peak resident memory (MB)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(args, env=env, cwd=cwd or ROOT, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        out.seek(0)
        stdout = out.read().decode()
        stderr = proc.stderr.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return Measure(elapsed, usage.ru_maxrss / 1024, stdout)


def sqlite_url(name: str) -> str:
    path = Path(tempfile.gettempdir()) / f"parcours-bench-{name}-{uuid.uuid4().hex[:8]}.sqlite3"
    return f"sqlite:///{path}"


def postgres_url(name: str) -> str | None:
    """A fresh database on the benchmark's PostgreSQL server (None when there is none)."""
    base = os.environ.get("BENCH_POSTGRES_URL")
    if not base:
        return None
    db = f"bench_{name}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    return base.rsplit("/", 1)[0] + f"/{db}"


def parcours_env(database_url: str, **extra: str) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url, **extra)
    env.pop("BENCH_POSTGRES_URL", None)
    return env


def migrate(database_url: str) -> None:
    run_measured([PARCOURS, "migrate", "--noinput", "-v", "0"], env=parcours_env(database_url))
