"""The instructor's queue: emergencies first then by deadline, the remaining time, filters,
export, persons audited, and a query count that does not grow with the rows."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.aids import workflows
from parcours.aids.models import AidApplication
from parcours.aids.views_applications import remaining_label
from parcours.core.models import AuditAction, AuditEvent
from tests.aids.factories import EnvelopeFactory, SchemeVersionFactory, deposited, instructor
from tests.conftest import login_verified
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme(two_units):
    version = SchemeVersionFactory(
        clock="calendaire", service_level_hours=240, emergency_service_level_hours=48
    )
    EnvelopeFactory(scheme=version.scheme)
    return version.scheme


def file(scheme, *, emergency=False, hours_ago=0):
    at = timezone.now() - datetime.timedelta(hours=hours_ago)
    return deposited(PersonFactory(), scheme, emergency=emergency, requested_amount=Decimal("50"), at=at)


def test_remaining_time_labels():
    now = timezone.now()
    application = AidApplication(state="deposee", due_at=now + datetime.timedelta(hours=5, minutes=20))
    assert remaining_label(application, now) == "reste 5 h 20"
    application.due_at = now - datetime.timedelta(hours=2)
    assert remaining_label(application, now) == "dépassé de 2 h"
    application.due_at = now + datetime.timedelta(days=3, hours=4)
    assert remaining_label(application, now) == "reste 3 j 4 h"
    application.paused_at = now
    assert remaining_label(application, now) == "délai suspendu"
    application.state = "accordee"
    assert remaining_label(application, now) == ""


def test_emergencies_first_with_their_remaining_time(client, scheme):
    ordinary = file(scheme, hours_ago=100)
    late_emergency = file(scheme, emergency=True, hours_ago=50)
    fresh_emergency = file(scheme, emergency=True, hours_ago=1)
    agent = instructor()
    login_verified(client, agent)
    page = client.get(reverse("aids:queue")).content.decode()
    positions = [
        page.index(f'data-application="{a.pk}"') for a in (late_emergency, fresh_emergency, ordinary)
    ]
    assert positions == sorted(positions)
    assert "dépassé de 2 h" in page and re.search(r"reste 46 h [0-5]\d", page) and "reste 5 j" in page
    shown = set(
        AuditEvent.objects.filter(agent=agent, action=AuditAction.VIEW).values_list("person_id", flat=True)
    )
    assert {ordinary.person_id, late_emergency.person_id, fresh_emergency.person_id} <= shown


def test_filters_and_mine(client, scheme):
    emergency = file(scheme, emergency=True)
    other = file(scheme)
    agent = instructor()
    workflows.apply(other, "start", by=agent)
    login_verified(client, agent)
    page = client.get(reverse("aids:queue"), {"emergency": "oui"}).content.decode()
    assert f'data-application="{emergency.pk}"' in page and f'data-application="{other.pk}"' not in page
    page = client.get(reverse("aids:queue"), {"mine": "on"}).content.decode()
    assert f'data-application="{other.pk}"' in page and f'data-application="{emergency.pk}"' not in page
    page = client.get(reverse("aids:queue"), {"state": "en_instruction"}).content.decode()
    assert f'data-application="{other.pk}"' in page and f'data-application="{emergency.pk}"' not in page


def test_decided_and_drafts_are_not_in_the_queue(client, scheme):
    workflows.create_draft(PersonFactory(), scheme, by=instructor())
    decided = file(scheme)
    agent = instructor()
    workflows.refuse(decided, by=agent, reasons=["autre"], note="x")
    login_verified(client, agent)
    page = client.get(reverse("aids:queue")).content.decode()
    assert "Aucune demande à instruire" in page


def test_export_csv(client, scheme):
    application = file(scheme, emergency=True)
    login_verified(client, instructor())
    response = client.get(reverse("aids:queue"), {"export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert application.reference in response.content.decode("utf-8-sig")


def test_pages_without_counting(client, scheme, settings):
    from parcours.aids import views_applications

    for _ in range(3):
        file(scheme)
    login_verified(client, instructor())
    original = views_applications.Listing.__init__

    def small(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.per_page = 2

    views_applications.Listing.__init__ = small
    try:
        first = client.get(reverse("aids:queue")).content.decode()
        second = client.get(reverse("aids:queue"), {"page": 2}).content.decode()
    finally:
        views_applications.Listing.__init__ = original
    assert "Page suivante" in first and "Page précédente" not in first
    assert "Page précédente" in second and "Page suivante" not in second
    assert first.count("data-application=") == 2 and second.count("data-application=") == 1


def test_query_count_does_not_grow_with_rows(client, scheme, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agent = instructor()
    login_verified(client, agent)
    file(scheme)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("aids:queue"))
    for _ in range(8):
        file(scheme, emergency=True)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("aids:queue"))
    assert "COUNT(" not in " ".join(
        q["sql"] for q in few.captured_queries if "aids_aidapplication" in q["sql"]
    )


def test_a_filer_may_not_see_the_queue(client, two_units):
    from tests.accounts.factories import AgentFactory

    login_verified(client, AgentFactory(role="accueil", units=[two_units["unit_a"]]))
    assert client.get(reverse("aids:queue")).status_code == 403
