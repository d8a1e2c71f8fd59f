"""A short run of the load test (bench.load): 6 users (one per kind) for 10 s against gunicorn and
PostgreSQL; every page is reached and no request fails. The 10-minute run is `make load`."""

import os

import pytest

from bench.load import PAGES, run_load

pytestmark = pytest.mark.postgres


@pytest.fixture
def server_url():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("needs PostgreSQL: run under scripts/with_postgres.py")
    return url


def test_short_load_run_reaches_every_page_without_error(server_url):
    result = run_load(server_url, seconds=10, users=6)

    assert result["failures"] == 0, result["failure_messages"]
    assert {page for page, stats in result["pages"].items() if stats["requests"]} >= set(PAGES)
