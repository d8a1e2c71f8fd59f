"""`parcours load-territory --departement 59`: first load and idempotent second run, on SQLite and
(when `make bench` provides one) PostgreSQL. Baseline: the brief's "a few seconds" (5 s)."""

from bench.common import PARCOURS, figure, migrate, parcours_env, postgres_url, run_measured, sqlite_url

TARGET_SECONDS = 5.0


def run() -> list[dict]:
    figures = []
    for engine, url in (("sqlite", sqlite_url("territory")), ("postgres", postgres_url("territory"))):
        if url is None:
            continue
        migrate(url)
        command = [PARCOURS, "load-territory", "--departement", "59", "--json"]
        first = run_measured(command, env=parcours_env(url))
        second = run_measured(command, env=parcours_env(url))
        figures += [
            figure(
                f"territory.load_59.first.{engine}",
                first.seconds,
                "s",
                TARGET_SECONDS,
                "cible : quelques secondes",
            ),
            figure(
                f"territory.load_59.second.{engine}", second.seconds, "s", first.seconds, "premier chargement"
            ),
            figure(f"territory.load_59.peak_memory.{engine}", first.peak_mb, "MB"),
        ]
    return figures
