"""`make bench`: the load test of `bench.load`, 20 users for 60 s (LOAD_SECONDS, LOAD_USERS) against
gunicorn and PostgreSQL; p95 per page (baseline 500 ms), failed requests and requests per second.
Skipped without a benchmark PostgreSQL server (the figures are PostgreSQL's)."""

import json
import os
import sys

from bench.load import figures, run_load


def run() -> list[dict]:
    server_url = os.environ.get("BENCH_POSTGRES_URL")
    if not server_url:
        return []
    result = run_load(
        server_url,
        seconds=float(os.environ.get("LOAD_SECONDS", "60")),
        users=int(os.environ.get("LOAD_USERS", "20")),
    )
    if result["failures"]:
        print(json.dumps(result["failure_messages"], indent=2, ensure_ascii=False), file=sys.stderr)
    return figures(result)
