import csv
import datetime
import io
from unittest import mock

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

from parcours.core.models import AuditAction, AuditEvent
from parcours.people.models import Follow
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.people.factories import MemberFactory, PersonFactory

# Home page per role


@pytest.mark.django_db
def test_home_of_accueil_offers_search_and_creation(client, two_units):
    login_verified(client, AgentFactory(role="accueil", units=[two_units["unit_a"]]))
    html = client.get(reverse("core:home")).content.decode()
    assert 'role="search"' in html and 'id="tile-create"' in html
    assert 'id="tile-audit"' not in html


@pytest.mark.django_db
def test_home_of_referent_lists_the_persons_they_follow(client, two_units):
    referent = AgentFactory(role="referent", units=[two_units["unit_a"]])
    followed = PersonFactory(first_names="Suivie", commune=two_units["commune_b"])
    ended = PersonFactory(first_names="Ancienne", commune=two_units["commune_a"])
    Follow.objects.create(person=followed, agent=referent)
    Follow.objects.create(
        person=ended,
        agent=referent,
        started_on=datetime.date(2020, 1, 1),
        ended_on=datetime.date(2021, 1, 1),
    )
    login_verified(client, referent)
    html = client.get(reverse("core:home")).content.decode()
    assert "Les personnes que vous suivez (1)" in html
    assert reverse("people:detail", args=[followed.pk]) in html
    assert "Ancienne" not in html


@pytest.mark.django_db
def test_home_of_charge_orientation_lists_recent_persons_of_their_units(client, two_units):
    agent = AgentFactory(role="charge_orientation", units=[two_units["unit_a"]])
    mine = PersonFactory(first_names="Recente", commune=two_units["commune_a"])
    other = PersonFactory(first_names="Ailleurs", commune=two_units["commune_b"])
    login_verified(client, agent)
    html = client.get(reverse("core:home")).content.decode()
    assert reverse("people:detail", args=[mine.pk]) in html
    assert other.first_names not in html


@pytest.mark.django_db
def test_home_of_manager_counts_persons_and_households_per_unit(client, two_units):
    manager = AgentFactory(role="manager", units=[two_units["unit_a"]])
    people = PersonFactory.create_batch(3, commune=two_units["commune_a"])
    MemberFactory(person=people[0])
    MemberFactory(person=people[1])
    PersonFactory(commune=two_units["commune_b"])
    login_verified(client, manager)
    response = client.get(reverse("core:home"))
    rows = {row["unit"].pk: row for row in response.context["unit_counts"]}
    assert set(rows) == {two_units["unit_a"].pk}
    assert rows[two_units["unit_a"].pk]["persons"] == 3
    assert rows[two_units["unit_a"].pk]["households"] == 2
    assert 'id="unit-counts"' in response.content.decode()


@pytest.mark.django_db
def test_home_of_administrator_links_audit_agents_and_territory(client, departement):
    login_verified(client, AgentFactory(role="administrateur"))
    html = client.get(reverse("core:home")).content.decode()
    assert reverse("core:audit_log") in html
    assert reverse("administration:agents") in html and "/django-admin/" not in html
    assert reverse("territory:overview") in html


# Audit log


@pytest.fixture
def admin_client(client, departement):
    admin = AgentFactory(role="administrateur", username="admin")
    login_verified(client, admin)
    return client


@pytest.fixture
def trail(departement):
    alice = AgentFactory(username="alice")
    bob = AgentFactory(username="bob")
    now = timezone.now()
    # The trail is append-only: the first event is written ten days ago rather than backdated.
    with mock.patch("django.utils.timezone.now", return_value=now - datetime.timedelta(days=10)):
        first = AuditEvent.objects.create(
            agent=alice, agent_label="alice", person_id=101, action="view", channel="web"
        )
    events = [
        first,
        AuditEvent.objects.create(agent=alice, agent_label="alice", action="search", channel="web"),
        AuditEvent.objects.create(
            agent=bob, agent_label="bob", person_id=102, action="update", channel="api"
        ),
        AuditEvent.objects.create(agent=bob, agent_label="bob", person_id=101, action="view", channel="api"),
    ]
    return {"alice": alice, "bob": bob, "events": events}


def listed(response) -> set[int]:
    return {event.pk for event in response.context["page_obj"]}


@pytest.mark.django_db
def test_audit_log_is_for_administrators_only(client, two_units, agent_a):
    login_verified(client, agent_a)
    response = client.get(reverse("core:audit_log"))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()
    assert client.get(reverse("core:audit_export")).status_code == 403


@pytest.mark.django_db
def test_audit_log_filters(admin_client, trail):
    e = trail["events"]
    url = reverse("core:audit_log")
    assert listed(admin_client.get(url, {"agent": trail["bob"].pk})) == {e[2].pk, e[3].pk}
    assert listed(admin_client.get(url, {"person": 101})) == {e[0].pk, e[3].pk}
    assert listed(admin_client.get(url, {"action": "view"})) == {e[0].pk, e[3].pk}
    assert listed(admin_client.get(url, {"channel": "api"})) == {e[2].pk, e[3].pk}
    today = timezone.localdate().isoformat()
    recent = listed(admin_client.get(url, {"start": today, "end": today}))
    assert e[0].pk not in recent and {e[1].pk, e[2].pk, e[3].pk} <= recent
    old_day = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    assert listed(admin_client.get(url, {"start": old_day, "end": old_day})) == {e[0].pk}


@pytest.mark.django_db
def test_audit_log_is_paginated(admin_client, departement):
    AuditEvent.objects.bulk_create(AuditEvent(agent_label="x", action="view") for _ in range(120))
    html = admin_client.get(reverse("core:audit_log"), {"action": "view", "page": 2}).content.decode()
    assert "fr-pagination" in html
    assert "action=view" in html and "page=3" in html


@pytest.mark.django_db
def test_audit_export_is_filtered_and_audited(admin_client, trail):
    response = admin_client.get(reverse("core:audit_export"), {"agent": trail["bob"].pk})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";")
    )
    assert rows[0][:3] == ["date", "agent", "action"]
    assert [row[1] for row in rows[1:]] == ["bob", "bob"]
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.agent.username == "admin"
    assert export.detail["rows"] == 2 and export.detail["filters"] == {"agent": trail["bob"].pk}


# Error pages


def test_500_page_renders_without_the_database():
    # No django_db mark: any query would fail this test.
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Le service rencontre un problème" in html and 'lang="fr"' in html


@pytest.mark.django_db
def test_404_page_is_in_french(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@pytest.mark.django_db
def test_404_page_is_in_french_even_with_debug(client, settings, two_units):
    """The demo runs with DEBUG: an unknown address, or a person outside the agent's scope, shows
    the French page, never Django's technical page (which lists the URL map)."""
    settings.DEBUG = True
    unknown = client.get("/nulle-part/")
    assert unknown.status_code == 404 and "Page introuvable" in unknown.text
    assert "URLconf" not in unknown.text
    login_verified(client, AgentFactory(role="accueil", units=[two_units["unit_a"]]))
    elsewhere = PersonFactory(commune=two_units["commune_b"])
    refused = client.get(reverse("people:detail", args=[elsewhere.pk]))
    assert refused.status_code == 404 and "Page introuvable" in refused.text
    assert "Technical" not in refused.text and "URLconf" not in refused.text
    assert client.get("/personnes").status_code == 301  # APPEND_SLASH still redirects


@pytest.mark.django_db
def test_a_nul_character_in_the_query_string_is_a_clear_400(client, agent_a):
    """Found by fuzzing: PostgreSQL refuses NUL in text, so a view reading it answered 500."""
    login_verified(client, agent_a)
    response = client.get("/emploi/?q=a%00b")
    assert response.status_code == 400
    assert "caractère nul" in response.content.decode()
