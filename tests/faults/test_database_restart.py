"""PostgreSQL stopped and started again while gunicorn serves agents (persistent connections,
DATABASE_CONN_MAX_AGE=60, as in production).

While the database is down, every page answers at once an error page (500) that shows no
traceback nor anything of the database; once it is back, every page answers again, with the
same gunicorn workers (no restart): Django checks a persistent connection before reusing it
(CONN_HEALTH_CHECKS), so no agent meets the connection the restart cut."""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.db import connections

from bench.common import PARCOURS, run_measured
from bench.load import drop_database, fresh_database, gunicorn, server_env
from tests.faults import postgres_server

pytestmark = pytest.mark.postgres

PAGES = ("/personnes/", "/agendas/", "/orientation/")
CLIENTS = 4
TIMEOUT = 10  # seconds: a request slower than this during the outage would be a hang
LEAKS = re.compile(
    r"Traceback|psycopg|OperationalError|InterfaceError|postgres|5432|connection to server", re.I
)


@dataclass
class Hit:
    started: float
    ended: float
    path: str
    status: int | None
    body: str = ""
    error: str = ""


def _logged_in_session(url: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{url}/comptes/connexion/", timeout=TIMEOUT)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    response = session.post(
        f"{url}/comptes/connexion/",
        data={"username": "demo.orientation", "password": "demo-parcours-2026", "csrfmiddlewaretoken": csrf},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200 and "/comptes/connexion/" not in response.url
    return session


def _traffic(session: requests.Session, url: str, hits: list[Hit], stop: threading.Event, offset: int):
    i = offset
    while not stop.is_set():
        path = PAGES[i % len(PAGES)]
        i += 1
        started = time.monotonic()
        try:
            response = session.get(f"{url}{path}", timeout=TIMEOUT, allow_redirects=False)
            hits.append(Hit(started, time.monotonic(), path, response.status_code, response.text))
        except requests.RequestException as error:
            hits.append(Hit(started, time.monotonic(), path, None, error=repr(error)))
        time.sleep(0.05)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A seeded database of its own, served by gunicorn (2 workers × 4 threads)."""
    server_url = postgres_server.require_server()
    database_url = fresh_database(server_url, "faults")
    var_dir = Path(tempfile.mkdtemp(prefix="parcours-faults-"))
    env = server_env(database_url, str(var_dir), DATABASE_CONN_MAX_AGE="60")
    try:
        for args in (
            ["migrate", "--noinput", "-v", "0"],
            ["load-territory", "--departement", "59"],
            ["create-demo-agents", "--departement", "59"],
        ):
            run_measured([PARCOURS, *args], env=env)
        log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
        with gunicorn(env, log) as (url, process):
            yield url, process, log
    finally:
        connections.close_all()  # this process's connections did not survive the restarts either
        drop_database(database_url)
        shutil.rmtree(var_dir, ignore_errors=True)


class _Traffic:
    """`clients` logged-in agents requesting pages in a loop, each in its own thread."""

    def __init__(self, url: str, clients: int):
        self.url, self.hits, self.stop = url, [], threading.Event()
        self.sessions = [_logged_in_session(url) for _ in range(clients)]

    def __enter__(self):
        self.hits.clear()
        self.stop.clear()
        self.threads = [
            threading.Thread(target=_traffic, args=(session, self.url, self.hits, self.stop, n))
            for n, session in enumerate(self.sessions)
        ]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=TIMEOUT + 5)


def _assert_still_serving(process, log) -> None:
    assert process.poll() is None
    assert log.read_text().count("Booting worker") == 2, "a gunicorn worker was restarted"


def test_pages_fail_cleanly_while_the_database_is_down_then_recover_without_restart(served):
    url, process, log = served
    with _Traffic(url, clients=4) as traffic:
        time.sleep(2)
        down_from = time.monotonic()
        postgres_server.stop()
        down_since = time.monotonic()
        time.sleep(3)
        restarting = time.monotonic()
        postgres_server.start()
        up_since = time.monotonic()
        time.sleep(6)
    hits = traffic.hits

    assert not [h for h in hits if h.error], "requests that hung or were refused"
    before = [h for h in hits if h.ended < down_from]
    assert before and all(h.status == 200 for h in before)

    during = [h for h in hits if h.started >= down_since and h.ended <= restarting]
    assert len(during) >= 5
    assert {h.status for h in during} <= {500, 503}, sorted({h.status for h in during})
    assert max(h.ended - h.started for h in during) < 2, "an error page must not wait for the database"
    leaking = [h for h in during if LEAKS.search(h.body)]
    assert not leaking, leaking[0].body[:2000]

    after = [h for h in hits if h.started >= up_since]
    assert len(after) >= 20
    failed = [(h.path, h.status) for h in after if h.status != 200]
    assert not failed, f"{len(failed)} of {len(after)} requests failed once the database was back: {failed}"
    _assert_still_serving(process, log)


def test_connections_cut_by_a_restart_while_idle_never_reach_an_agent(served):
    """Every worker thread holds a connection, traffic pauses, PostgreSQL restarts: the first
    requests afterwards must not be served on the cut connections."""
    url, process, log = served
    traffic = _Traffic(url, clients=8)
    with traffic:  # 2 workers × 4 threads: each opens its connection
        time.sleep(3)
    postgres_server.stop()
    postgres_server.start()
    with traffic:
        time.sleep(3)

    assert len(traffic.hits) >= 20
    failed = [(h.path, h.status, h.error) for h in traffic.hits if h.status != 200]
    assert not failed, f"{len(failed)} of {len(traffic.hits)} requests failed after the restart: {failed}"
    _assert_still_serving(process, log)
