"""Load test: Parcours served by gunicorn on PostgreSQL, 20 simulated users for 60 s (`make bench`)
or 10 minutes (`make load`, LOAD_SECONDS=600).

1. A fresh database on the benchmark's PostgreSQL server is seeded with the project's own demo
   commands (as `make demo-data`): the Nord, a synthetic population at scale 0.02 (about 2,000
   households), the demo agents, agendas, the last weeks of orientation (`demo-orientation`:
   follow-ups, invitations, appointments) and jobs. The personal links of the open invitations
   are the public booking pages the anonymous users open. (Where `demo-orientation` leaves no
   open invitation, 300 demandeurs of the agents' unit get a follow-up opened and invited by
   `open_followup` and `plan_invitations`.)
2. gunicorn serves the WSGI application (2 workers × 4 threads, gthread; with the access-log
   configuration `src/parcours/gunicorn_conf.py` when it exists), PARCOURS_DEMO=1 so that the
   demo agents skip the second factor, DATABASE_CONN_MAX_AGE=60 (persistent connections).
3. Locust (`bench/locustfile.py`, in its own process) runs the users: agents of five roles
   (accueil, chargé d'orientation, référent, relations entreprises, manager) who log in through
   the login form and search persons, open person pages, worklists, the caseload, the candidate
   ranking of offers, agendas and the indicators dashboard; and persons opening their booking
   link. Each user waits 1–4 s between pages (2–6 s for the persons).

Figures: `load_<page>_p95_ms_postgresql` per page, baseline 500 ms (ratio = p95 / 500 ms): half a
second is the slowest an agent's page may take under the load of a département's working day
before it feels slow; pages over it are the ones to look at. `load_errors` (failed requests:
anything but a 200 on the expected page; no baseline, the goal is 0) and `load_requests_per_s`.
`login` counts only the logins of the ramp-up (all users within 5 s): password hashing is slow
on purpose, they queue on the two workers.

    python scripts/with_postgres.py .venv/bin/python -m bench.load   # LOAD_SECONDS, LOAD_USERS

prints the same figures as JSON, plus the raw per-page numbers on stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg

from bench.common import PARCOURS, ROOT, figure, run_measured

DEPARTEMENT = "59"
SCALE = "0.02"
FOLLOWUPS = 300
P95_BASELINE_MS = 500
GUNICORN_CONF = ROOT / "src" / "parcours" / "gunicorn_conf.py"
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
# The pages of bench/locustfile.py (its request names); a run reaches each of them.
PAGES = (
    "login",
    "person_search",
    "person_page",
    "worklist",
    "caseload",
    "offer_candidates",
    "agenda",
    "indicators",
    "booking",
)


def fresh_database(server_url: str, name: str = "load") -> str:
    """Create an empty database on the server of `server_url`; return its URL."""
    db = f"{name}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    return server_url.rsplit("/", 1)[0] + f"/{db}"


def drop_database(database_url: str) -> None:
    server, db = database_url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def server_env(database_url: str, var_dir: str, **extra: str) -> dict:
    """The environment of every Parcours process of the test (commands and gunicorn)."""
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        PARCOURS_DEMO="1",
        PARCOURS_DEPARTEMENT=DEPARTEMENT,
        PARCOURS_VAR_DIR=var_dir,
        SECRET_KEY="load-test-" + uuid.uuid4().hex,  # the same for the seeding and the server
        DEBUG="0",
        SECURE_COOKIES="0",  # plain http on the loopback: production has TLS in front
        DJANGO_SETTINGS_MODULE="parcours.settings",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    env.pop("BENCH_POSTGRES_URL", None)
    return env


def seed(env: dict) -> dict:
    """Demo data as `make demo-data` makes it, then follow-ups and invitations; returns the
    scenario data (see `_scenario_data`)."""
    dep = ["--departement", DEPARTEMENT]
    for args in (
        ["migrate", "--noinput", "-v", "0"],
        ["load-territory", *dep],
        ["generate", *dep, "--seed", "1", "--scale", SCALE],
        ["create-demo-agents", *dep],
        ["create-demo-agendas", *dep],
        ["demo-orientation", *dep, "--seed", "1", "--scale", SCALE],
        ["generate-jobs", *dep, "--seed", "1"],
    ):
        run_measured([PARCOURS, *args], env=env)
    out = run_measured([sys.executable, "-c", "import bench.load as m; m._scenario_data()"], env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _scenario_data() -> None:
    """Inside a Django process on the seeded database: print the data the simulated users need
    (one JSON line)."""
    import django

    django.setup()
    from parcours.demo.agents import DEMO_PASSWORD, main_unit
    from parcours.jobs.models import JobOffer
    from parcours.people.models import Person
    from parcours.territory.models import Departement, Site

    unit = main_unit(Departement.objects.get(code=DEPARTEMENT))
    tokens = _open_invitation_tokens()
    if not tokens:
        _invite(unit)
        tokens = _open_invitation_tokens()
    data = {
        "password": DEMO_PASSWORD,
        "tokens": tokens,
        "surnames": list(
            Person.objects.filter(commune__unit=unit)
            .values_list("last_name", flat=True)
            .distinct()
            .order_by("last_name")[:300]
        ),
        "offers": list(JobOffer.objects.published().values_list("pk", flat=True).order_by("pk")[:100]),
        "sites": list(
            Site.objects.filter(opening_hours__isnull=False).distinct().values_list("pk", flat=True)
        ),
    }
    missing = [key for key, values in data.items() if not values]
    if missing:
        raise RuntimeError(f"seeded data lacks {', '.join(missing)}")
    print(json.dumps(data))


def _open_invitation_tokens(limit: int = 200) -> list[str]:
    """The links of invitations whose page answers 200: live, unexpired, follow-up still open."""
    import datetime

    from django.utils import timezone

    from parcours.appointments.models import Invitation

    invitations = Invitation.objects.live().filter(
        followup__closed_at__isnull=True, expires_at__gt=timezone.now() + datetime.timedelta(hours=1)
    )
    return [i.link_token for i in invitations.order_by("pk")[:limit]]


def _invite(unit) -> None:
    """Open follow-ups for demandeurs of `unit` (rights opened over the last 90 days), invite them."""
    import datetime

    from django.utils import timezone

    from parcours.accounts.models import Agent
    from parcours.appointments.invitations import plan_invitations
    from parcours.orientation.followups import open_followup
    from parcours.people.models import HouseholdMember, MemberRole, Person

    officer = Agent.objects.get(username="demo.orientation")
    demandeurs = Person.objects.filter(
        commune__unit=unit,
        pk__in=HouseholdMember.objects.filter(role=MemberRole.DEMANDEUR).values("person_id"),
    ).order_by("pk")[:FOLLOWUPS]
    today = timezone.localdate()
    for i, person in enumerate(demandeurs):
        open_followup(person, today - datetime.timedelta(days=i % 90), by=officer)
    plan_invitations()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict, log_path: Path, workers: int = 2, threads: int = 4):
    """Serve Parcours on a free port of 127.0.0.1; yields the base URL and the process."""
    port = free_port()
    args = [GUNICORN]
    if GUNICORN_CONF.exists():
        args += ["-c", str(GUNICORN_CONF)]
    args += [
        "parcours.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--worker-class", "gthread",
        "--graceful-timeout", "5",
        # Idle keep-alive connections are closed after 2 s by default: a request sent on one at
        # that instant is reset (browsers retry it silently, the load client does not). Longer
        # than the users' think time, as a reverse proxy in front would keep them.
        "--keep-alive", "10",
        "--access-logfile", "-",
    ]  # fmt: skip
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc, log_path)
        yield url, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_until_up(url: str, proc: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({proc.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/comptes/connexion/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{log_path.read_text()[-3000:]}")


def run_load(server_url: str, seconds: float = 60, users: int = 20) -> dict:
    """Seed a fresh database on `server_url`'s server, serve it, swarm it; return the raw figures
    of `bench.locustfile.swarm` (per page: requests, failures, p50/p95/max in ms)."""
    workdir = Path(tempfile.mkdtemp(prefix="parcours-load-"))
    database_url = fresh_database(server_url)
    try:
        env = server_env(database_url, str(workdir / "var"), DATABASE_CONN_MAX_AGE="60")
        data_file = workdir / "scenario.json"
        data_file.write_text(json.dumps(seed(env)))
        with gunicorn(env, workdir / "gunicorn.log") as (url, _):
            swarm = subprocess.run(
                [sys.executable, "-m", "bench.locustfile", "--host", url, "--data", str(data_file),
                 "--users", str(users), "--seconds", str(seconds)],
                cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True,
                timeout=seconds + 120,
            )  # fmt: skip
        if swarm.returncode != 0:
            raise RuntimeError(f"locust failed ({swarm.returncode}):\n{swarm.stderr[-3000:]}")
        result = json.loads(swarm.stdout.strip().splitlines()[-1])
        log = (workdir / "gunicorn.log").read_text(errors="replace").splitlines()
        result["gunicorn_worker_boots"] = sum("Booting worker" in line for line in log)  # 2: none died
        if result["failures"]:
            alarming = ("[ERROR]", "[CRITICAL]", "[WARNING]", "Traceback", "Error")
            result["server_log_errors"] = [line for line in log if any(w in line for w in alarming)][-60:]
        return result
    finally:
        drop_database(database_url)
        shutil.rmtree(workdir, ignore_errors=True)


def figures(result: dict) -> list[dict]:
    """The `make bench` figures of a run of `run_load`."""
    rows = [
        figure(f"load_{page}_p95_ms_postgresql", stats["p95_ms"], "ms", P95_BASELINE_MS, "goal")
        for page, stats in sorted(result["pages"].items())
        if stats["p95_ms"] is not None
    ]
    rows.append(figure("load_errors", result["failures"], "requests"))
    rows.append(figure("load_requests_per_s", result["requests_per_s"], "requests/s"))
    return rows


def main() -> int:
    server_url = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if not server_url.startswith("postgres"):
        sys.exit("Lancez-le avec scripts/with_postgres.py : il faut un serveur PostgreSQL (DATABASE_URL).")
    seconds = float(os.environ.get("LOAD_SECONDS", "60"))
    users = int(os.environ.get("LOAD_USERS", "20"))
    result = run_load(server_url, seconds=seconds, users=users)
    print(json.dumps(result, indent=2, ensure_ascii=False), file=sys.stderr)
    print(json.dumps(figures(result), indent=2, ensure_ascii=False))
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
