"""Schemathesis fuzzing of the /api/v1/ API (see tests/fuzz/fuzzing.py): as an administrator and as a
référent, no generated request, valid or not, may end in a server error.

In the suite: 30 examples per operation, role and mode, derandomised (about a minute).
`make fuzz` runs it longer on PostgreSQL (FUZZ_MAX_EXAMPLES, new examples at each run) and
writes the counts to var/fuzz.json."""

import json
import os
from pathlib import Path

import pytest

from parcours.accounts.models import Role
from tests.accounts.factories import AgentFactory
from tests.api.sessions import bearer
from tests.fuzz.fuzzing import fuzz_api, max_examples_from_env
from tests.jobs.factories import OfferFactory
from tests.people.factories import MemberFactory, PersonFactory
from tests.territory.factories import SiteFactory


@pytest.fixture
def api_data(departement, two_units):
    """A little of everything the API serves, so that some generated ids hit real records."""
    persons = [PersonFactory(commune=two_units[f"commune_{u}"]) for u in "aabb"]
    for person in persons[:2]:
        MemberFactory(person=person)
    SiteFactory(departement=departement, commune=two_units["commune_a"])
    OfferFactory(commune=two_units["commune_a"])
    admin = AgentFactory(role=Role.ADMINISTRATEUR, units=[two_units["unit_a"], two_units["unit_b"]])
    referent = AgentFactory(role=Role.REFERENT, units=[two_units["unit_a"]])
    return {"administrateur": bearer(admin), "referent": bearer(referent)}


@pytest.mark.django_db
def test_no_generated_request_ends_in_a_server_error(api_data):
    full_run = "FUZZ_MAX_EXAMPLES" in os.environ
    report = fuzz_api(api_data, max_examples_from_env(30), seed=None if full_run else 0)

    if full_run:
        out = Path(os.environ.get("FUZZ_REPORT", "var/fuzz.json"))
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    assert report.operations >= 15
    assert not report.failures, (
        f"{len(report.failures)} server errors: {report.as_dict()['failed_operations']}\n\n{report.describe()}"
    )


# The server errors the fuzzing found, kept as plain regression tests.
@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path",
    [
        (
            "get",
            "/api/v1/rdv/sites/1/creneaux-libres/?days=-3541575017793352810367897567232",
        ),  # OverflowError
        ("get", "/api/v1/rdv/sites/5849804168045397016576/creneaux-libres/"),  # SQLite: int too large
        ("post", "/api/v1/personnes/recherche?page=127576204818821201920"),  # OFFSET overflow
        ("get", "/api/v1/personnes/?page=127576204818821201920"),
    ],
)
def test_numbers_out_of_range_are_refused(client, api_data, method, path):
    headers = api_data["referent"]
    if method == "post":
        response = client.post(path, data="{}", content_type="application/json", headers=headers)
    else:
        response = client.get(path, headers=headers)
    assert response.status_code == 422


@pytest.mark.django_db
def test_a_nul_character_in_a_search_is_refused(client, api_data):
    """PostgreSQL refuses NUL in a text parameter: every request carrying one in its URL is
    refused before any view (parcours.core.request_hygiene), whatever the database."""
    response = client.get("/api/v1/territoire/communes?q=Lil%00le", headers=api_data["referent"])
    assert response.status_code == 400
    assert "caractère nul" in response.content.decode()
