"""Issue #11 item 5: lists sort, paginate and export (CSV/XLSX) in the database."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from parcours.appointments.booking import book, record_attendance
from parcours.core.models import AuditAction, AuditEvent
from parcours.orientation.decisions import decide_orientation, designate_referent
from tests.accounts.factories import AgentFactory
from tests.appointments.factories import SlotFactory
from tests.conftest import login_verified
from tests.orientation.factories import FollowUpFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def charge(two_units):
    return AgentFactory(role="charge_orientation", units=[two_units["unit_a"]])


def overdue(two_units, departement, count, **kwargs):
    opened = timezone.localdate() - datetime.timedelta(days=40)
    return [
        FollowUpFactory(
            departement=departement, person__commune=two_units["commune_a"], rights_opened_on=opened, **kwargs
        )
        for _ in range(count)
    ]


def test_a_worklist_of_more_than_a_page_is_paginated_and_counted(client, charge, two_units, departement):
    overdue(two_units, departement, 55)
    login_verified(client, charge)
    first = client.get(reverse("orientation:worklist"), {"liste": "retard"}).text
    assert "55 suivis" in first and "page=2" in first
    second = client.get(reverse("orientation:worklist"), {"liste": "retard", "page": 2}).text
    assert second.count('href="/orientation/suivis/') == 5


def test_a_worklist_sorts_by_name_both_ways(client, charge, two_units, departement):
    overdue(two_units, departement, 1, person__last_name="Zola")
    overdue(two_units, departement, 1, person__last_name="Aubert")
    login_verified(client, charge)
    url = reverse("orientation:worklist")
    ascending = client.get(url, {"liste": "retard", "tri": "personne"}).text
    descending = client.get(url, {"liste": "retard", "tri": "-personne"}).text
    assert ascending.index("AUBERT") < ascending.index("ZOLA")
    assert descending.index("ZOLA") < descending.index("AUBERT")
    assert 'aria-sort="descending"' in descending


def test_the_absents_worklist_filters_the_status_in_the_database(
    client, charge, two_units, departement, django_assert_max_num_queries
):
    absent, _other = overdue(two_units, departement, 2)
    booking = book(SlotFactory(starts_at=timezone.now() + datetime.timedelta(minutes=5)), absent)
    booking.slot.starts_at = timezone.now() - datetime.timedelta(minutes=30)
    booking.slot.save()
    record_attendance(booking, "absent", by=charge)
    login_verified(client, charge)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("orientation:worklist"), {"liste": "absents"}).text
    assert "1 suivi<" in page and absent.person.full_name in page


def test_a_worklist_exports_every_row_neutralised_and_audited(client, charge, two_units, departement):
    overdue(two_units, departement, 55)
    overdue(two_units, departement, 1, person__first_names="=HYPERLINK(1)")
    login_verified(client, charge)
    response = client.get(reverse("orientation:worklist"), {"liste": "retard", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Personne", "Commune"] and len(rows) == 57
    assert any(row[0].startswith("'=HYPERLINK") for row in rows)
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.detail["rows"] == 56 and export.detail["list"] == "orientation-retard"
    assert (
        AuditEvent.objects.filter(action=AuditAction.VIEW, detail__export="orientation-retard").count() == 56
    )

    xlsx = client.get(reverse("orientation:worklist"), {"liste": "retard", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 57
    assert isinstance(sheet.cell(row=2, column=4).value, datetime.datetime)  # the due date, a date


def test_the_caseload_and_the_reorientation_queue_sort_and_export(client, charge, two_units, departement):
    referent = AgentFactory(role="referent", units=[two_units["unit_a"]])
    for followup in overdue(two_units, departement, 3):
        decide_orientation(followup.person, kind="sociale", organism="ccas", by=charge, followup=followup)
        designate_referent(followup.person, referent, by=charge)
    login_verified(client, referent)
    page = client.get(reverse("orientation:caseload"), {"tri": "-depuis"}).text
    assert "3 personnes suivies" in page and "Sociale — CCAS" in page
    export = client.get(reverse("orientation:caseload"), {"export": "csv"})
    assert export.content.decode("utf-8-sig").count("Sociale — CCAS") == 3
    login_verified(client, charge)
    queue = client.get(reverse("orientation:reorientations"), {"export": "xlsx"})
    assert queue.status_code == 200 and queue["Content-Disposition"].endswith('.xlsx"')


def test_the_job_lists_sort_and_export(client, two_units):
    from tests.jobs.factories import EmployerFactory

    EmployerFactory(name="Zinc et fils")
    EmployerFactory(name="=Atelier")
    manager = AgentFactory(role="relations_entreprises", units=[two_units["unit_a"]])
    login_verified(client, manager)
    page = client.get(reverse("jobs:employers"), {"tri": "-nom"}).text
    assert page.index("Zinc et fils") < page.index("=Atelier")
    export = client.get(reverse("jobs:employers"), {"export": "csv"}).content.decode("utf-8-sig")
    assert "'=Atelier" in export and "Zinc et fils" in export
    for name in ("jobs:offers", "jobs:applications"):
        response = client.get(reverse(name), {"export": "xlsx", "tri": "-creee"})
        assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')


def test_the_imports_list_is_paginated_and_exported(client, two_units):
    from parcours.imports.models import ImportBatch

    manager = AgentFactory(role="manager", units=[two_units["unit_a"]])
    for number in range(31):  # the page showed the latest 30 only
        ImportBatch.objects.create(kind="people", file_name=f"f{number}.csv", sha256="", created_by=manager)
    login_verified(client, manager)
    page = client.get(reverse("imports:index"), {"tri": "fichier"}).text
    assert "f0.csv" in page and "page=" not in page  # 31 rows: one page of 50
    export = client.get(reverse("imports:index"), {"export": "csv"}).content.decode("utf-8-sig")
    assert export.count(".csv") == 31


@pytest.mark.parametrize("url_name", ["orientation:caseload", "orientation:reorientations"])
def test_list_queries_do_not_grow_with_rows(
    client, charge, two_units, departement, django_assert_max_num_queries, url_name
):
    from parcours.orientation.decisions import request_reorientation

    referent = AgentFactory(role="referent", units=[two_units["unit_a"]])

    def add(count):
        for followup in overdue(two_units, departement, count):
            decide_orientation(followup.person, kind="sociale", organism="ccas", by=charge, followup=followup)
            designate_referent(followup.person, referent, by=charge)
            request_reorientation(
                followup.person, requested_kind="professionnelle", reason="Projet", by=referent
            )

    login_verified(client, referent if url_name == "orientation:caseload" else charge)
    add(1)
    with django_assert_max_num_queries(25) as few:
        client.get(reverse(url_name))
    add(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse(url_name)).text
    assert "7 " in page
