"""A short run of the front door's benchmark (bench/bench_front_door.py, `make bench`): tiny sizes,
no timing asserted; the bulk data keeps the models' invariants and both measured requests answer
as an agent would see them (the tray's page, a contact with two needs recorded and routed), alone
through the test client and concurrently through gunicorn (several worker processes) over HTTP."""

import os
import tempfile
from pathlib import Path

import pytest
from django.db import connection

from bench.bench_front_door import build, measure, measure_served, served_data
from bench.load import gunicorn
from parcours.reception.models import Contact, ItemState, TrayItem

pytestmark = pytest.mark.postgres


def _served_env() -> dict:
    """The test's own environment, on the test database (its rows are committed: transaction=True)."""
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    return dict(
        os.environ,
        DATABASE_URL=f"{server}/{connection.settings_dict['NAME']}",
        ALLOWED_HOSTS="testserver,127.0.0.1",
        SECURE_COOKIES="0",
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="parcours.settings",
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_short_front_door_bench_measures_both_requests_alone_and_served_concurrently():
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark's figures are PostgreSQL's: run under scripts/with_postgres.py")
    setup = build(closed=300, open_items=60, persons=40)
    assert TrayItem.objects.filter(state=ItemState.CLOSED).count() == 300
    assert TrayItem.objects.open().count() == 60
    assert not TrayItem.objects.filter(state=ItemState.CLOSED, outcome="").exists()
    contacts = Contact.objects.count()

    result = measure(setup, requests=4, warm_up=1)

    assert set(result) == {
        "tray_first_page",
        "contact_creation",
        "tray_first_page_queries",
        "tray_first_page_cpu_ms",
        "contact_creation_queries",
        "contact_creation_cpu_ms",
    }
    assert all(value > 0 for value in result.values())
    # The counts the reception tests pin, on PostgreSQL (BEGIN and COMMIT of the tray page's audit
    # included: two more than inside the tests' transaction).
    assert result["contact_creation_queries"] <= 18 and result["tray_first_page_queries"] <= 12
    # 1 warm-up + 1 costed + 4 timed: each a contact with two needs.
    assert Contact.objects.count() - contacts == 1 + 1 + 4

    served = served_data(setup, clients=2)
    with (
        tempfile.TemporaryDirectory() as workdir,
        gunicorn(_served_env(), Path(workdir) / "gunicorn.log", workers=2, threads=1) as (url, _),
    ):
        concurrent = measure_served(url, served, clients=2, per_client=2)

    assert set(concurrent) == {
        "tray_first_page_2_clients",
        "contact_creation_2_clients",
        "tray_first_page_requests_per_s_2_clients",
        "contact_creation_requests_per_s_2_clients",
    }
    assert all(value > 0 for value in concurrent.values())
    # Then 2 clients × (1 warm-up + 2 timed) contacts, through gunicorn.
    created = Contact.objects.count() - contacts
    assert created == 6 + 2 * 3
    assert (
        TrayItem.objects.filter(contact__in=Contact.objects.order_by("-pk")[:created]).count() == 2 * created
    )
