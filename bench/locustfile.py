"""The simulated users of the load test (`bench.load`): agents of five roles, and persons
opening the personal link of their invitation.

Locust patches the standard library with gevent when imported, so this module runs in a
process of its own (never import it from Django or from pytest):

    python -m bench.locustfile --host URL --data FILE --users N --seconds S

prints one JSON line: per page, requests, failures, p50 and p95 (ms); in total, requests,
failures, requests per second and the most frequent failures. FILE is the JSON written by
`bench.load` (demo password, invitation tokens, offers, sites, surnames). The module is also
a locustfile for the locust CLI and its web UI:

    LOAD_DATA=FILE locust -f bench/locustfile.py --host URL

Every agent logs in through the real login form (CSRF token included): the demo accounts
skip the second factor because the server runs with PARCOURS_DEMO=1. Pages are named by
what they are (`person_search`, `worklist`…), not by URL: the names are the figures' names.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import random
import re
import sys
import time

import gevent
from locust import HttpUser, between, task
from locust.env import Environment
from locust.stats import StatsEntry

DATA: dict = {}

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PERSON_LINK = re.compile(r'href="/personnes/(\d+)/"')
SEARCH_FORM = re.compile(r'<form\b[^>]*\bid="person-search"[^>]*>', re.S)
FORM_METHOD = re.compile(r'\bmethod="(\w+)"', re.I)
LOGIN_PAGES = ("/comptes/connexion/", "/comptes/second-facteur/")
WORKLISTS = ("echeance", "retard", "absents", "expirees", "sans_creneau")


def load_data(path: str) -> None:
    with open(path) as file:
        DATA.update(json.load(file))


class _Visitor(HttpUser):
    abstract = True
    wait_time = between(1, 4)

    def page(self, name: str, url: str, method: str = "GET", **kwargs) -> str | None:
        """Request a page; anything but a 200 that stays off the login pages is a failure."""
        with self.client.request(method, url, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                error = getattr(response, "error", None)
                detail = f": {type(error).__name__}: {str(error)[:200]}" if error else ""
                response.failure(f"HTTP {response.status_code} on {name}{detail}")
                return None
            if any(path in (response.url or "") for path in LOGIN_PAGES) and name != "login_form":
                response.failure(f"redirected to the login on {name}")
                return None
            response.success()
            return response.text


class _Agent(_Visitor):
    abstract = True
    username = ""

    def on_start(self) -> None:
        self.person_ids: list[int] = []
        self.search_method = "get"
        self.csrf = ""
        form = self.page("login_form", "/comptes/connexion/") or ""
        found = CSRF_FIELD.search(form)
        self.page(
            "login",
            "/comptes/connexion/",
            method="POST",
            data={
                "username": self.username,
                "password": DATA["password"],
                "csrfmiddlewaretoken": found.group(1) if found else "",
                "next": "",
            },
        )
        self.open_search()
        for each_task in dict.fromkeys(self.tasks):  # a first round: every page of the role once
            each_task(self)

    def open_search(self) -> None:
        """The search page: whether the form posts or gets (it changed once), and its CSRF token."""
        html = self.page("person_search", "/personnes/") or ""
        form = SEARCH_FORM.search(html)
        method = FORM_METHOD.search(form.group(0)) if form else None
        self.search_method = method.group(1).lower() if method else "get"
        found = CSRF_FIELD.search(html)
        self.csrf = found.group(1) if found else self.client.cookies.get("csrftoken", "")

    def search(self) -> None:
        """Type a surname into the search form (an htmx request, as the browser sends it)."""
        query = random.choice(DATA["surnames"])
        headers = {"HX-Request": "true", "HX-Target": "search-results"}
        if self.search_method == "post":
            headers["X-CSRFToken"] = self.client.cookies.get("csrftoken", "") or self.csrf
            html = self.page(
                "person_search",
                "/personnes/",
                method="POST",
                data={"q": query, "csrfmiddlewaretoken": self.csrf},
                headers=headers,
            )
        else:
            html = self.page("person_search", "/personnes/", params={"q": query}, headers=headers)
        found = [int(pk) for pk in PERSON_LINK.findall(html or "")]
        if found:
            self.person_ids = found[:20]

    def person(self) -> None:
        if not self.person_ids:
            self.search()
        if self.person_ids:
            self.page("person_page", f"/personnes/{random.choice(self.person_ids)}/")

    def agenda(self) -> None:
        monday = datetime.date.today() + datetime.timedelta(weeks=random.randint(0, 3))
        params = {"site": random.choice(DATA["sites"]), "semaine": monday.isoformat()}
        self.page("agenda", "/agendas/", params=params)

    def worklist(self) -> None:
        self.page("worklist", "/orientation/", params={"liste": random.choice(WORKLISTS)})


class Reception(_Agent):
    """Agent d'accueil: looks persons up, opens their page, checks the agenda."""

    username = "demo.accueil"

    @task(4)
    def search_task(self) -> None:
        self.search()

    @task(3)
    def person_task(self) -> None:
        self.person()

    @task(1)
    def agenda_task(self) -> None:
        self.agenda()


class OrientationOfficer(_Agent):
    """Chargé d'orientation: worklists first, then persons and agendas."""

    username = "demo.orientation"

    @task(4)
    def worklist_task(self) -> None:
        self.worklist()

    @task(2)
    def search_task(self) -> None:
        self.search()

    @task(2)
    def person_task(self) -> None:
        self.person()

    @task(1)
    def agenda_task(self) -> None:
        self.agenda()


class Referent(_Agent):
    """Référent de parcours: the caseload and the persons in it."""

    username = "demo.referent"

    @task(3)
    def caseload_task(self) -> None:
        html = self.page("caseload", "/orientation/portefeuille/")
        found = [int(pk) for pk in PERSON_LINK.findall(html or "")]
        if found:
            self.person_ids = found

    @task(3)
    def person_task(self) -> None:
        self.person()

    @task(2)
    def search_task(self) -> None:
        self.search()


class EmployerRelations(_Agent):
    """Chargé de relations entreprises: ranks the candidates of offers."""

    username = "demo.entreprises"

    @task(3)
    def candidates_task(self) -> None:
        self.page("offer_candidates", f"/emploi/offres/{random.choice(DATA['offers'])}/candidats/")

    @task(1)
    def search_task(self) -> None:
        self.search()


class Manager(_Agent):
    """Responsable d'équipe: the indicators dashboard, worklists and agendas."""

    username = "demo.manager"

    @task(2)
    def indicators_task(self) -> None:
        today = datetime.date.today()
        start = random.choice(
            [datetime.date(today.year, 1, 1), today - datetime.timedelta(days=90), today.replace(day=1)]
        )
        self.page("indicators", "/indicateurs/", params={"du": start.isoformat(), "au": today.isoformat()})

    @task(2)
    def worklist_task(self) -> None:
        self.worklist()

    @task(1)
    def agenda_task(self) -> None:
        self.agenda()


class InvitedPerson(_Visitor):
    """A person opening the personal link of an invitation (no account)."""

    wait_time = between(2, 6)

    def on_start(self) -> None:
        self.booking_task()

    @task
    def booking_task(self) -> None:
        self.page("booking", f"/rdv/{random.choice(DATA['tokens'])}/")


USERS = (
    (Reception, 4),
    (OrientationOfficer, 4),
    (Referent, 4),
    (EmployerRelations, 3),
    (Manager, 2),
    (InvitedPerson, 3),
)


def allocate(users: int) -> list[int]:
    """Users per class, in proportion to the weights, at least one each (so every page is reached)."""
    if users < len(USERS):
        raise ValueError(f"at least {len(USERS)} users are needed, one per kind")
    total = sum(weight for _, weight in USERS)
    counts = [max(1, users * weight // total) for _, weight in USERS]
    order = sorted(range(len(USERS)), key=lambda i: -USERS[i][1])
    i = 0
    while sum(counts) != users:
        index = order[i % len(order)]
        if sum(counts) < users:
            counts[index] += 1
        elif counts[index] > 1:
            counts[index] -= 1
        i += 1
    return counts


def _entry_figures(entry: StatsEntry) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "p50_ms": entry.get_response_time_percentile(0.5) if entry.num_requests else None,
        "p95_ms": entry.get_response_time_percentile(0.95) if entry.num_requests else None,
        "max_ms": entry.max_response_time if entry.num_requests else None,
    }


def swarm(host: str, users: int, seconds: float) -> dict:
    """Run `users` simulated users against `host` for `seconds`; return the figures."""
    classes = []
    for (cls, _), count in zip(USERS, allocate(users), strict=True):
        cls.fixed_count = count
        classes.append(cls)
    env = Environment(user_classes=classes, host=host)
    runner = env.create_local_runner()
    started = time.monotonic()
    runner.start(users, spawn_rate=max(1.0, users / 5))
    gevent.sleep(seconds)
    runner.quit()
    elapsed = time.monotonic() - started
    pages: dict[str, StatsEntry] = {}
    for entry in env.stats.entries.values():
        merged = pages.setdefault(entry.name, StatsEntry(env.stats, entry.name, "", True))
        merged.extend(entry)
    total = env.stats.total
    failures = sorted(env.stats.errors.values(), key=lambda e: -e.occurrences)
    return {
        "seconds": round(elapsed, 1),
        "users": users,
        "pages": {name: _entry_figures(entry) for name, entry in sorted(pages.items())},
        "requests": total.num_requests,
        "failures": total.num_failures,
        "requests_per_s": round(total.num_requests / elapsed, 2),
        "failure_messages": [
            {"name": e.name, "method": e.method, "error": str(e.error), "occurrences": e.occurrences}
            for e in failures[:10]
        ],
    }


if os.environ.get("LOAD_DATA"):  # used as a locustfile by the locust CLI
    load_data(os.environ["LOAD_DATA"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    load_data(args.data)
    print(json.dumps(swarm(args.host, args.users, args.seconds)), flush=True)


if __name__ == "__main__":
    main()
