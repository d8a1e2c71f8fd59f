"""Stopping and starting the PostgreSQL server of scripts/with_postgres.py from a test."""

from __future__ import annotations

import os
import subprocess

import pytest

NEEDED = ("PARCOURS_PG_CTL", "PARCOURS_PG_DATA", "PARCOURS_PG_LOG", "PARCOURS_PG_OPTIONS")


def require_server() -> str:
    """The server's URL; skips the test unless scripts/with_postgres.py started it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or any(name not in os.environ for name in NEEDED):
        pytest.skip("needs the throwaway PostgreSQL server of scripts/with_postgres.py")
    return url


def pg_ctl(*args: str) -> None:
    user = os.environ.get("PARCOURS_PG_USER", "")
    command = [os.environ["PARCOURS_PG_CTL"], "-D", os.environ["PARCOURS_PG_DATA"], *args]
    if user:
        command = ["runuser", "-u", user, "--", *command]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=60)


def stop() -> None:
    """Fast shutdown: open sessions are cut, as when the server is restarted for maintenance."""
    pg_ctl("-m", "fast", "-w", "stop")


def start() -> None:
    pg_ctl("-l", os.environ["PARCOURS_PG_LOG"], "-o", os.environ["PARCOURS_PG_OPTIONS"], "-w", "start")
