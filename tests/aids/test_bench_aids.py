"""A short run of the aids' benchmark (bench/bench_aids.py, `make bench`): small sizes, no timing
asserted; the bulk data keeps the models' invariants, the queue's first page answers with its
undecided applications, and concurrent grants through the workflows never overspend."""

import pytest
from django.db import connection

from bench.bench_aids import build, build_grants, concurrent_grants, measure_queue
from parcours.aids.models import AidApplication, AidEvent, ApplicationState, Envelope

pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)
def test_short_aids_bench_measures_the_queue_and_grants_without_overspend():
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark's figures are PostgreSQL's: run under scripts/with_postgres.py")
    setup = build(applications=2_000, undecided=200, persons=200)
    assert setup["applications"] == 2_000 and setup["undecided"] == 200
    assert AidEvent.objects.filter(kind="aide.deposee").count() == 2_000

    result = measure_queue(setup, requests=3, warm_up=1)
    assert result["queue_first_page"] > 0 and result["queue_first_page_cpu_ms"] > 0
    assert result["queue_first_page_queries"] <= 20

    grants = build_grants(count=50, fitting=30, persons=20)
    outcome = concurrent_grants(grants, workers=8)
    assert outcome["errors"] == []
    assert (outcome["granted"], outcome["exhausted"]) == (30, 20)
    assert outcome["overspend_eur"] == 0
    envelope = Envelope.objects.get(pk=grants["envelope"])
    assert envelope.committed_cents == envelope.amount_cents == 30 * 10_000
    assert (
        AidApplication.objects.filter(pk__in=grants["applications"], state=ApplicationState.GRANTED).count()
        == 30
    )
