"""Aid funds benchmark (issue #14), on PostgreSQL (skipped without a benchmark server).

1. The instructor's queue (`build`, `measure_queue`): a fresh database holds 50,000 aid
   applications of 20,000 persons over five schemes (bulk-created; about 5,000 undecided, in
   every state of the queue, a tenth of them emergencies, the others decided, paid, closed…),
   each with its `aide.deposee` event. The first page of `aids:queue` as an instructor of the
   département, through the Django test client, logged in: p95 over 200 requests after 5
   warm-up requests, with its SQL queries and the Python CPU time of one request.
2. Concurrent grants (`build_grants`, `concurrent_grants`): 1,000 applications in instruction of
   one scheme whose envelope holds 600 of them (100 € each); 32 threads, each with its own
   PostgreSQL connection, released together by a barrier, grant them all through
   `aids.workflows.grant` (the product's path: authority, eligibility, documents, the envelope's
   conditional UPDATE, transition, event, audit, the person's notice). Reported: the wall time
   of the 1,000 attempts, how many were granted (600 expected), and the overspend in euros
   (committed + paid − voted, floored at 0: must be 0).

Figures: `aids_queue_first_page_p95_ms_postgresql` (baseline 150 ms, the goal),
`aids_queue_first_page_queries`, `aids_queue_first_page_python_cpu_ms`,
`aids_concurrent_grants_1000_s`, `aids_concurrent_grants_granted`,
`aids_concurrent_grants_overspend_eur` (baseline 0).
"""

from __future__ import annotations

import json
import os
import sys

from bench.common import figure, migrate, parcours_env, postgres_url, run_measured

APPLICATIONS, UNDECIDED, PERSONS = 50_000, 5_000, 20_000
GRANTS, FITTING, WORKERS = 1_000, 600, 32
REQUESTS, WARM_UP = 200, 5
BASELINE_MS = 150


def _departement_and_instructor(suffix: str = ""):
    from parcours.accounts.models import Agent, Organisation, OrganisationKind, Role
    from parcours.territory.models import Departement

    departement = Departement.objects.filter(code="59").first() or Departement.objects.create(
        code="59", name="Nord"
    )
    organisation = Organisation.objects.create(
        departement=departement,
        kind=OrganisationKind.DEPARTEMENT,
        name=f"Département (banc des aides){suffix}",
    )
    instructor = Agent.objects.create(
        username=f"bench.aides{suffix}", organisation=organisation, role=Role.INSTRUCTEUR_AIDES,
        first_name="I", last_name="Instructeur",
    )  # fmt: skip
    return departement, instructor


def _scheme(code: str, family: str, emergency_hours: int | None = 48):
    import datetime
    from decimal import Decimal

    from parcours.aids.models import AmountKind, Scheme, SchemeVersion

    scheme = Scheme.objects.create(code=code, name=f"Banc {code}", family=family)
    version = SchemeVersion.objects.create(
        scheme=scheme, number=1, valid_from=datetime.date(2020, 1, 1), amount_kind=AmountKind.CEILING,
        amount=Decimal("1000"), service_level_hours=80, emergency_service_level_hours=emergency_hours,
    )  # fmt: skip
    return scheme, version


def build(
    applications: int = APPLICATIONS, undecided: int = UNDECIDED, persons: int = PERSONS, seed: int = 1
) -> dict:
    """The queue's data (see the module docstring); returns the ids `measure_queue` needs."""
    import datetime
    import random
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone

    from parcours.aids import event_kinds
    from parcours.aids.models import AidApplication, AidEvent, ApplicationState, SchemeFamily
    from parcours.aids.models.applications import DECIDED_STATES, QUEUE_STATES
    from parcours.people.models import Person
    from parcours.territory.models import Commune, TerritorialUnit

    rng = random.Random(seed)
    now = timezone.now()
    departement, instructor = _departement_and_instructor()
    units = [
        TerritorialUnit.objects.create(departement=departement, code=f"AU{k}", name=f"Unité aides {k}")
        for k in range(8)
    ]
    communes = Commune.objects.bulk_create(
        Commune(
            insee_code=f"9{k:04d}", departement=departement, name=f"Commune aides {k}", postal_codes=f"9{k:04d}",
            latitude=50.5, longitude=3.0, unit=units[k % 8],
        )
        for k in range(32)
    )  # fmt: skip
    people = Person.objects.bulk_create(
        (
            Person(last_name=f"Aide{k}", first_names="Prénom", birth_date=datetime.date(1970 + k % 35, 1 + k % 12, 1),
                   postal_code="59000", commune=communes[k % len(communes)])
            for k in range(persons)
        ),
        batch_size=5000,
    )  # fmt: skip
    families = (SchemeFamily.YOUTH, SchemeFamily.INSERTION, SchemeFamily.EMERGENCY, SchemeFamily.CHILD_PROTECTION,
                SchemeFamily.INSERTION)  # fmt: skip
    schemes = [_scheme(f"banc-{k}", family) for k, family in enumerate(families)]
    rows = []
    for k in range(applications):
        scheme, version = schemes[k % len(schemes)]
        person = people[k % len(people)]
        is_open = k % (applications // undecided) == 0 if undecided else False
        deposited = now - datetime.timedelta(minutes=k * 7 % (365 * 24 * 60))
        emergency = is_open and rng.random() < 0.1
        state = rng.choice(QUEUE_STATES) if is_open else rng.choice(DECIDED_STATES)
        decided = state in DECIDED_STATES
        rows.append(
            AidApplication(
                person=person, scheme=scheme, version=version, unit_id=communes[k % len(communes)].unit_id,
                state=state, emergency=emergency, requested_amount=Decimal(50 + k % 400), created_at=deposited,
                deposited_at=deposited, due_at=deposited + datetime.timedelta(hours=48 if emergency else 240),
                decided_at=deposited + datetime.timedelta(hours=rng.uniform(2, 300)) if decided else None,
                granted_amount=Decimal(50 + k % 400) if state != ApplicationState.REFUSED and decided else None,
            )
        )  # fmt: skip
    AidApplication.objects.bulk_create(rows, batch_size=5000)
    AidEvent.objects.bulk_create(
        (
            AidEvent(kind=event_kinds.DEPOSITED, occurred_at=a.deposited_at, application=a, person_id=a.person_id,
                     scheme=a.scheme.code, version=1, unit_id=a.unit_id, emergency=a.emergency,
                     amount=a.requested_amount)
            for a in rows
        ),
        batch_size=5000,
    )  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "instructor": instructor.pk,
        "undecided": AidApplication.objects.in_queue().count(),
        "applications": AidApplication.objects.count(),
    }


def measure_queue(setup: dict, requests: int = REQUESTS, warm_up: int = WARM_UP) -> dict:
    """p95 (ms) of the queue's first page alone (in-process test client), its SQL queries and the
    Python CPU time of one request."""
    from django.urls import reverse

    from bench.bench_front_door import _client, _cost, _p95, _timed

    url = reverse("aids:queue")

    def first_page(client) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"File d'instruction : réponse {response.status_code}")

    client = _client(setup["instructor"])
    _timed(first_page, client, warm_up)
    queries, cpu = _cost(first_page, client)
    return {"queue_first_page": _p95(_timed(first_page, client, requests)), "queue_first_page_queries": queries,
            "queue_first_page_cpu_ms": cpu}  # fmt: skip


def build_grants(count: int = GRANTS, fitting: int = FITTING, persons: int = 200) -> dict:
    """`count` applications of 100 € in instruction of one scheme, whose envelope of this year
    holds `fitting` of them; returns their ids, the envelope's and the instructors'."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from parcours.aids.models import AidApplication, ApplicationState, Envelope, SchemeFamily
    from parcours.people.models import Person

    _departement, instructor = _departement_and_instructor("-accords")
    scheme, version = _scheme("banc-accords", SchemeFamily.EMERGENCY)
    now = timezone.now()
    envelope = Envelope.objects.create(
        scheme=scheme, year=timezone.localdate().year, amount_cents=fitting * 10000
    )
    people = Person.objects.bulk_create(
        Person(last_name=f"Accord{k}", first_names="Prénom", birth_date=datetime.date(1990, 1, 1))
        for k in range(persons)
    )
    applications = AidApplication.objects.bulk_create(
        AidApplication(
            person=people[k % persons], scheme=scheme, version=version, state=ApplicationState.INSTRUCTION,
            requested_amount=Decimal("100"), created_at=now, deposited_at=now, instructor=instructor,
        )
        for k in range(count)
    )  # fmt: skip
    return {
        "applications": [a.pk for a in applications],
        "envelope": envelope.pk,
        "instructor": instructor.pk,
    }


def concurrent_grants(setup: dict, workers: int = WORKERS) -> dict:
    """Grant every application of `setup` from `workers` threads at once (each its own connection,
    a barrier to start together); the wall time, the grants, the refusals and the overspend."""
    import queue
    import threading
    import time

    from django.core.exceptions import ValidationError
    from django.db import connection

    from parcours.accounts.models import Agent
    from parcours.aids import workflows
    from parcours.aids.models import AidApplication, Envelope

    agent = Agent.objects.get(pk=setup["instructor"])
    todo: queue.Queue = queue.Queue()
    for pk in setup["applications"]:
        todo.put(pk)
    barrier = threading.Barrier(workers + 1)
    outcomes = {"granted": 0, "exhausted": 0, "other": []}
    lock = threading.Lock()

    def work() -> None:
        try:
            barrier.wait()
            while True:
                try:
                    pk = todo.get_nowait()
                except queue.Empty:
                    return
                application = AidApplication.objects.select_related("scheme", "version", "person").get(pk=pk)
                try:
                    workflows.grant(application, by=agent)
                    outcome = "granted"
                except ValidationError as error:
                    outcome = (
                        "exhausted"
                        if "n'a plus que" in " ".join(error.messages)
                        else " ".join(error.messages)
                    )
                with lock:
                    if outcome in ("granted", "exhausted"):
                        outcomes[outcome] += 1
                    else:
                        outcomes["other"].append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    envelope = Envelope.objects.get(pk=setup["envelope"])
    overspend = max(0, envelope.committed_cents + envelope.consumed_cents - envelope.amount_cents) / 100
    return {
        "grants_s": seconds,
        "granted": outcomes["granted"],
        "exhausted": outcomes["exhausted"],
        "errors": outcomes["other"][:5],
        "overspend_eur": overspend,
        "committed_eur": envelope.committed_cents / 100,
        "amount_eur": envelope.amount_cents / 100,
    }


def _main() -> None:
    import django

    django.setup()
    setup = build()
    result = measure_queue(setup)
    result["undecided"] = setup["undecided"]
    result |= concurrent_grants(build_grants())
    print(json.dumps(result))


def run() -> list[dict]:
    url = postgres_url("aids")
    if url is None:
        return []
    migrate(url)
    env = parcours_env(
        url, DJANGO_SETTINGS_MODULE="parcours.settings", PYTHONPATH=os.getcwd(), ALLOWED_HOSTS="testserver",
        DEBUG="0",
    )  # fmt: skip
    measured = run_measured([sys.executable, "-c", "import bench.bench_aids as b; b._main()"], env=env)
    data = json.loads(measured.stdout.strip().splitlines()[-1])
    return [
        figure(
            "aids_queue_first_page_p95_ms_postgresql", data["queue_first_page"], "ms", BASELINE_MS, "goal"
        ),
        figure("aids_queue_first_page_queries", data["queue_first_page_queries"], "queries"),
        figure("aids_queue_first_page_python_cpu_ms", data["queue_first_page_cpu_ms"], "ms"),
        figure("aids_queue_undecided_applications", data["undecided"], "applications"),
        figure(f"aids_concurrent_grants_{GRANTS}_s", data["grants_s"], "s"),
        figure("aids_concurrent_grants_granted", data["granted"], "grants", FITTING, "fitting"),
        figure("aids_concurrent_grants_overspend_eur", data["overspend_eur"], "EUR", 0, "goal"),
    ]
