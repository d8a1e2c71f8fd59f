"""Front door benchmark (issue #12), on PostgreSQL (skipped without a benchmark server).

1. A fresh database holds 100,000 closed and 5,000 open items (`build`): the Nord's 8 units with
   7 trays each, the CRIP, routing rules, 20,000 persons, contacts of 1 to 2 needs over the last
   year; every item with its `route` transition and its `accueil.besoin` event, every closed one
   with its outcome, `close` transition and `accueil.cloture` event (bulk-created: a bench may
   build its data in bulk; the invariants of the models hold). The measured tray (the main unit's
   social service) holds an eighth of the open items.
2. Alone, through the Django test client, logged in (`measure`): the first page of that tray, as
   one of its members (`reception:tray`), and the creation of a contact with two needs (housing
   and budget, routed to two trays) through the contact-centre screen (`reception:contact_screen`,
   POST of its form and needs formset, the same path as an operator's Enter) — p95 over 200
   requests each after 5 warm-up requests, with the SQL queries and the Python CPU time of one.
3. Served (`measure_served`): gunicorn serves the same database as `bench/load.py` serves the
   other load figures (4 worker processes × 2 threads, gthread, persistent connections), and 20
   concurrent HTTP clients (threads of the bench process, each with its own logged-in session and
   keep-alive connection; the contact screen's CSRF token read once) make 10 requests each; p95
   and throughput (requests/s over the run). The server side is multi-process, so the figures are
   what the machine gives: with 2 cores, 20 clients without think time are CPU-bound (server and
   clients share the cores), the p95 is then mostly queueing: throughput is the figure to read.

Figures: `tray_first_page_p95_ms_postgresql`, `contact_creation_p95_ms_postgresql`, and the same
with `_20_clients` (served); baseline 150 ms (the goal: ratio < 1); `<name>_requests_per_s_20_clients`.
"""

from __future__ import annotations

import json
import os
import sys

from bench.common import figure, migrate, parcours_env, postgres_url, run_measured

CLOSED, OPEN = 100_000, 5_000
REQUESTS, CLIENTS, WARM_UP = 200, 20, 5
BASELINE_MS = 150
SERVICES = ("accueil", "service_social", "pmi", "insertion", "autonomie", "logement", "aides_financieres")


def build(closed: int = CLOSED, open_items: int = OPEN, persons: int = 20_000, seed: int = 1) -> dict:
    """The bench's data (see the module docstring); returns the ids `measure` needs."""
    import datetime
    import random

    from django.db import connection
    from django.utils import timezone

    from parcours.accounts.models import Agent, Organisation, OrganisationKind, Role
    from parcours.people.models import Person
    from parcours.reception import event_kinds as ev
    from parcours.reception.models import (
        Contact,
        FrontDoorEvent,
        ItemState,
        ItemTransition,
        Need,
        NeedTheme,
        Outcome,
        RoutingRule,
        Tray,
        TrayItem,
        TrayMember,
    )
    from parcours.reception.needs_loader import load_needs
    from parcours.territory.models import Commune, Departement, TerritorialUnit

    rng = random.Random(seed)
    now = timezone.now()
    departement = Departement.objects.filter(code="59").first() or Departement.objects.create(
        code="59", name="Nord"
    )
    units = [
        TerritorialUnit.objects.create(departement=departement, code=f"BU{k}", name=f"Unité {k}")
        for k in range(8)
    ]
    communes = Commune.objects.bulk_create(
        Commune(
            insee_code=f"5{k:04d}", departement=departement, name=f"Commune {k}", postal_codes=f"5{k:04d}",
            latitude=50.5, longitude=3.0, unit=units[k % 8],
        )
        for k in range(64)
    )  # fmt: skip
    organisation = Organisation.objects.create(
        departement=departement, kind=OrganisationKind.DEPARTEMENT, name="Département (banc d'essai)"
    )
    member = Agent.objects.create(
        username="bench.bannette",
        organisation=organisation,
        role=Role.REFERENT,
        first_name="B",
        last_name="B",
    )
    operator = Agent.objects.create(
        username="bench.operateur",
        organisation=organisation,
        role=Role.ACCUEIL,
        first_name="O",
        last_name="O",
    )
    member.units.set([units[0]])
    operator.units.set([units[0]])
    trays = {}
    for unit in units:
        for service in SERVICES:
            trays[(unit.pk, service)] = Tray.objects.create(
                departement=departement, code=f"{unit.code.lower()}-{service}", name=f"{service} {unit.name}",
                service=service, unit=unit,
            )  # fmt: skip
    Tray.objects.create(departement=departement, code="bench-crip", name="CRIP", service="ase_crip")
    measured = trays[(units[0].pk, "service_social")]
    TrayMember.objects.create(tray=measured, agent=member, is_manager=True)
    themes = {theme.code: theme for theme in NeedTheme.objects.all()}
    for position, (theme, service) in enumerate(
        (
            ("logement", "logement"),
            ("budget", "aides_financieres"),
            ("enfance", "pmi"),
            (None, "service_social"),
        ),
        start=1,
    ):
        RoutingRule.objects.create(
            departement=departement, position=position, label=f"Règle {position}",
            theme=themes.get(theme) if theme else None, service=service,
        )  # fmt: skip

    people = Person.objects.bulk_create(
        (
            Person(
                last_name=f"Nom{k}", first_names="Prénom", birth_date=datetime.date(1960 + k % 40, 1 + k % 12, 1),
                phone=f"06{k:08d}", address=f"{k} rue", postal_code="59000", commune=communes[k % len(communes)],
            )
            for k in range(persons)
        ),
        batch_size=5000,
    )  # fmt: skip
    if not Need.objects.exists():  # a transactional test before may have emptied the referential
        load_needs()
    needs = list(Need.objects.filter(active=True).select_related("situation__theme"))
    tray_list = list(trays.values())
    total = closed + open_items
    contacts = Contact.objects.bulk_create(
        (
            Contact(channel="telephone", received_at=now - datetime.timedelta(minutes=3 * (total - k)),
                    taken_by=operator, person=people[k % len(people)])
            for k in range(0, total, 2)
        ),
        batch_size=5000,
    )  # fmt: skip
    outcomes = list(Outcome.values)
    items = []
    for k in range(total):
        contact = contacts[k // 2]
        is_open = k >= closed
        tray = measured if is_open and k % 8 == 0 else rng.choice(tray_list)
        created = contact.received_at
        item = TrayItem(
            contact=contact, person_id=contact.person_id, need=rng.choice(needs), urgency="ordinaire", tray=tray,
            state=rng.choice((ItemState.NEW, ItemState.ASSIGNED, ItemState.IN_PROGRESS)) if is_open else ItemState.CLOSED,
            created_at=created, tray_entered_at=created, due_at=created + datetime.timedelta(days=2),
            assigned_to=None, routing_explanation="Banc d'essai",
        )  # fmt: skip
        if item.state != ItemState.NEW:
            item.assigned_to = member if tray == measured else operator
            item.first_action_at = created + datetime.timedelta(hours=rng.uniform(0.1, 30))
        if not is_open:
            item.closed_at = item.first_action_at + datetime.timedelta(hours=rng.uniform(1, 200))
            item.outcome = rng.choice(outcomes)
        items.append(item)
    TrayItem.objects.bulk_create(items, batch_size=5000)
    transitions, events = [], []
    for item in items:
        transitions.append(ItemTransition(item=item, name="route", to_state=ItemState.NEW, to_tray=item.tray,
                                          agent=operator, at=item.created_at))  # fmt: skip
        events.append(FrontDoorEvent(kind=ev.NEED, occurred_at=item.created_at, person_id=item.person_id,
                                     contact=item.contact, item=item, tray=item.tray, unit_id=item.tray.unit_id,
                                     theme=item.need.situation.theme.code, urgency=item.urgency, channel="telephone"))  # fmt: skip
        if item.state == ItemState.CLOSED:
            transitions.append(ItemTransition(item=item, name="close", from_state=ItemState.IN_PROGRESS,
                                              to_state=ItemState.CLOSED, from_tray=item.tray, to_tray=item.tray,
                                              agent=operator, at=item.closed_at))  # fmt: skip
            events.append(FrontDoorEvent(kind=ev.CLOSURE, occurred_at=item.closed_at, person_id=item.person_id,
                                         item=item, tray=item.tray, unit_id=item.tray.unit_id, outcome=item.outcome,
                                         urgency=item.urgency))  # fmt: skip
    ItemTransition.objects.bulk_create(transitions, batch_size=5000)
    FrontDoorEvent.objects.bulk_create(events, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    housing = next(need for need in needs if need.situation.theme.code == "logement")
    budget = next(need for need in needs if need.situation.theme.code == "budget")
    return {
        "tray": measured.pk,
        "member": member.pk,
        "operator": operator.pk,
        "person": people[0].pk,
        "needs": [housing.pk, budget.pk],
        "open_in_tray": TrayItem.objects.filter(tray=measured).open().count(),
    }


def _client(agent_id: int):
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    agent = get_user_model().objects.get(pk=agent_id)
    device = TOTPDevice.objects.filter(user=agent, confirmed=True).first() or TOTPDevice.objects.create(
        user=agent, name="bench", confirmed=True
    )
    client = Client()
    client.force_login(agent)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _contact_form(setup: dict) -> dict:
    needs = setup["needs"]
    return {
        "channel": "telephone",
        "person": str(setup["person"]),
        "caller_relation": "",
        "besoins-TOTAL_FORMS": str(len(needs)),
        "besoins-INITIAL_FORMS": "0",
        "besoins-MIN_NUM_FORMS": "0",
        "besoins-MAX_NUM_FORMS": "10",
        **{f"besoins-{k}-need": str(pk) for k, pk in enumerate(needs)},
        **{f"besoins-{k}-urgency": "ordinaire" for k in range(len(needs))},
    }


def _requests(setup: dict) -> dict:
    """name → (agent id, function(client) that makes one request and checks its answer)."""
    from django.urls import reverse

    tray_url = reverse("reception:tray", args=[setup["tray"]])
    contact_url = reverse("reception:contact_screen")
    form = _contact_form(setup)

    def tray_page(client) -> None:
        response = client.get(tray_url)
        if response.status_code != 200:
            raise RuntimeError(f"Page de la bannette : réponse {response.status_code}")

    def contact(client) -> None:
        response = client.post(contact_url, form)
        if response.status_code != 302:
            raise RuntimeError(f"Création de la sollicitation : réponse {response.status_code}")

    return {"tray_first_page": (setup["member"], tray_page), "contact_creation": (setup["operator"], contact)}


def _p95(durations: list[float]) -> float:
    import numpy as np

    return float(np.percentile(np.array(durations) * 1000, 95))


def _timed(request, client, count: int) -> list[float]:
    import time

    durations = []
    for _ in range(count):
        started = time.perf_counter()
        request(client)
        durations.append(time.perf_counter() - started)
    return durations


def _cost(request, client) -> tuple[int, float]:
    """(SQL queries, CPU ms of this Python thread) of one request: what the wall time is made of
    when the machine is shared."""
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.thread_time()
        request(client)
        cpu = (time.thread_time() - started) * 1000
    return len(queries.captured_queries), cpu


def measure(setup: dict, requests: int = REQUESTS, warm_up: int = WARM_UP) -> dict:
    """p95 (ms) of each request alone (in-process test client); and, for each request, its number
    of SQL queries and the Python CPU time of one request (`<name>_queries`, `<name>_cpu_ms`)."""
    result = {}
    for name, (agent_id, request) in _requests(setup).items():
        client = _client(agent_id)
        _timed(request, client, warm_up)
        result[f"{name}_queries"], result[f"{name}_cpu_ms"] = _cost(request, client)
        result[name] = _p95(_timed(request, client, requests))
    return result


def sessions(setup: dict, clients: int = CLIENTS) -> dict:
    """name → `clients` session keys of the request's agent (logged in, second factor verified),
    for the HTTP clients of `measure_served`."""
    return {
        name: [_client(agent_id).cookies[settings_session_cookie()].value for _ in range(clients)]
        for name, (agent_id, _) in _requests(setup).items()
    }


def settings_session_cookie() -> str:
    from django.conf import settings

    return settings.SESSION_COOKIE_NAME


def _paths(setup: dict) -> dict:
    from django.urls import reverse

    return {
        "tray_first_page": reverse("reception:tray", args=[setup["tray"]]),
        "contact_creation": reverse("reception:contact_screen"),
    }


def _http_clients(base_url: str, served: dict, name: str, keys: list[str], per_client: int):
    """One thread per session key: read the screen's CSRF token, one warm-up request, wait for the
    others, then `per_client` timed requests. Returns (durations, wall seconds of the run)."""
    import re
    import threading
    import time

    import requests as http

    url = base_url + served["paths"][name]
    durations: list[float] = []
    errors: list[str] = []
    barrier = threading.Barrier(len(keys))

    def one(session, token: str) -> None:
        if name == "contact_creation":
            data = {**served["form"], "csrfmiddlewaretoken": token}
            response, expected = session.post(url, data=data, allow_redirects=False), 302
        else:
            response, expected = session.get(url, allow_redirects=False), 200
        if response.status_code != expected:
            raise RuntimeError(f"{name} : réponse {response.status_code} au lieu de {expected}")

    def worker(key: str) -> None:
        try:
            with http.Session() as session:
                session.cookies.set(served["session_cookie"], key)
                page = session.get(base_url + served["paths"]["contact_creation"])
                match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
                token = match.group(1) if match else ""
                one(session, token)
                barrier.wait()
                for _ in range(per_client):
                    started = time.perf_counter()
                    one(session, token)
                    durations.append(time.perf_counter() - started)
        except Exception as error:  # reported after the run
            errors.append(repr(error))
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(key,)) for key in keys]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(errors[0])
    return durations, time.perf_counter() - started


def measure_served(
    base_url: str, served: dict, *, clients: int = CLIENTS, per_client: int = REQUESTS // CLIENTS
) -> dict:
    """Against a server at `base_url` (see the module docstring), `clients` concurrent HTTP clients
    per request, `per_client` timed requests each after one warm-up: `<name>_<clients>_clients`
    (p95 ms) and `<name>_requests_per_s_<clients>_clients` (timed requests over the run's wall
    time, warm-up included: a slight underestimate). `served`: as `served_data` returns it."""
    result = {}
    for name in served["paths"]:
        durations, seconds = _http_clients(
            base_url, served, name, served["sessions"][name][:clients], per_client
        )
        result[f"{name}_{clients}_clients"] = _p95(durations)
        result[f"{name}_requests_per_s_{clients}_clients"] = len(durations) / seconds
    return result


def served_data(setup: dict, clients: int = CLIENTS) -> dict:
    """What `measure_served` needs, read in a Django process on the bench's database."""
    return {
        "paths": _paths(setup),
        "form": _contact_form(setup),
        "sessions": sessions(setup, clients),
        "session_cookie": settings_session_cookie(),
    }


def _main() -> None:
    import django

    django.setup()
    setup = build()
    result = measure(setup)
    print(json.dumps({**result, "open_in_tray": setup["open_in_tray"], "served": served_data(setup)}))


def run() -> list[dict]:
    import tempfile
    from pathlib import Path

    from bench.load import gunicorn

    url = postgres_url("front_door")
    if url is None:
        return []
    migrate(url)
    env = parcours_env(
        url,
        DJANGO_SETTINGS_MODULE="parcours.settings",
        PYTHONPATH=os.getcwd(),
        ALLOWED_HOSTS="testserver,127.0.0.1",
        DATABASE_CONN_MAX_AGE="60",
        DEBUG="0",
    )
    measure_run = run_measured(
        [sys.executable, "-c", "import bench.bench_front_door as b; b._main()"], env=env
    )
    data = json.loads(measure_run.stdout.strip().splitlines()[-1])
    with (
        tempfile.TemporaryDirectory(prefix="parcours-front-door-") as workdir,
        gunicorn(env, Path(workdir) / "gunicorn.log", workers=4, threads=2) as (base_url, _),
    ):
        data.update(measure_served(base_url, data["served"]))
    return [
        figure("tray_first_page_p95_ms_postgresql", data["tray_first_page"], "ms", BASELINE_MS, "goal"),
        figure("contact_creation_p95_ms_postgresql", data["contact_creation"], "ms", BASELINE_MS, "goal"),
        figure(
            f"tray_first_page_p95_ms_postgresql_{CLIENTS}_clients",
            data[f"tray_first_page_{CLIENTS}_clients"], "ms", BASELINE_MS, "goal",
        ),
        figure(
            f"contact_creation_p95_ms_postgresql_{CLIENTS}_clients",
            data[f"contact_creation_{CLIENTS}_clients"], "ms", BASELINE_MS, "goal",
        ),
        figure(
            f"tray_first_page_requests_per_s_{CLIENTS}_clients",
            data[f"tray_first_page_requests_per_s_{CLIENTS}_clients"], "requests/s",
        ),
        figure(
            f"contact_creation_requests_per_s_{CLIENTS}_clients",
            data[f"contact_creation_requests_per_s_{CLIENTS}_clients"], "requests/s",
        ),
        figure("front_door_bench_open_items_in_tray", data["open_in_tray"], "items"),
        figure("tray_first_page_queries", data["tray_first_page_queries"], "queries"),
        figure("tray_first_page_python_cpu_ms", data["tray_first_page_cpu_ms"], "ms"),
        figure("contact_creation_queries", data["contact_creation_queries"], "queries"),
        figure("contact_creation_python_cpu_ms", data["contact_creation_cpu_ms"], "ms"),
        figure("front_door_bench_setup_and_run_seconds", measure_run.seconds, "s"),
    ]  # fmt: skip
