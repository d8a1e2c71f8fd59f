"""Dashboards: who sees what, exports, the contractualisation report, the API."""

import pytest
from django.urls import reverse

from parcours.accounts.models import ApiToken
from parcours.core.models import AuditAction, AuditEvent
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.indicators.factories import entrant, event
from tests.people.factories import PersonFactory

PERIOD = {"du": "2019-01-01", "au": "2019-12-31"}


@pytest.fixture
def histories(two_units):
    for commune, delay in ((two_units["commune_a"], "2019-03-05"), (two_units["commune_b"], "2019-03-21")):
        person = PersonFactory(commune=commune)
        entrant(person, "2019-03-01")
        event(person, "rdv.honore", delay, "10:00")
    return two_units


@pytest.fixture
def manager_a(histories):
    return AgentFactory(role="manager", units=[histories["unit_a"]])


def test_manager_sees_their_unit(client, manager_a):
    login_verified(client, manager_a)
    response = client.get(reverse("indicators:dashboard"), PERIOD)
    assert response.status_code == 200
    assert response.context["stats"]["entrants"]["count"] == 1
    assert response.context["stats"]["delay_first_interview"]["mean_days"] == 4.0
    html = response.content.decode()
    assert 'data-key="entrants.count">1<' in html
    assert "<svg" in html and "Personnes devenues soumises" in html  # charts and definitions


def test_manager_of_unit_a_cannot_see_unit_b(client, manager_a):
    login_verified(client, manager_a)
    assert client.get(reverse("indicators:dashboard"), PERIOD | {"unite": "B"}).status_code == 403
    assert client.get(reverse("indicators:export", args=["csv"]), PERIOD | {"unite": "B"}).status_code == 403
    response = client.get(reverse("indicators:dashboard"), PERIOD | {"unite": "A"})
    assert response.context["stats"]["period"]["unit"] == "A"


def test_administrator_sees_the_departement(client, histories):
    login_verified(client, AgentFactory(role="administrateur"))
    response = client.get(reverse("indicators:dashboard"), PERIOD)
    assert response.context["stats"]["entrants"]["count"] == 2
    unit_b = client.get(reverse("indicators:dashboard"), PERIOD | {"unite": "B"})
    assert unit_b.context["stats"]["delay_first_interview"]["mean_days"] == 20.0


@pytest.mark.parametrize("role", ["referent", "accueil", "coach_emploi", "employeur"])
def test_other_roles_are_refused(client, histories, role):
    login_verified(client, AgentFactory(role=role, units=[histories["unit_a"]]))
    assert client.get(reverse("indicators:dashboard"), PERIOD).status_code == 403
    assert client.get(reverse("indicators:contractualisation")).status_code == 403
    assert client.get(reverse("indicators:export", args=["xlsx"]), PERIOD).status_code == 403


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("csv", "text/csv; charset=utf-8", b"key,value"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("ods", "application/vnd.oasis.opendocument.spreadsheet", b"PK"),
    ],
)
def test_exports_are_audited(client, manager_a, fmt, content_type, magic):
    login_verified(client, manager_a)
    response = client.get(reverse("indicators:export", args=[fmt]), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content.startswith(magic)
    assert AuditEvent.objects.filter(agent=manager_a, action=AuditAction.EXPORT, detail__format=fmt).exists()


def test_contractualisation_report(client, manager_a):
    login_verified(client, manager_a)
    response = client.get(reverse("indicators:contractualisation"), {"annee": 2019})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tableau 1" in html and "Tableau 6" in html
    assert response.context["stats"]["drees"]["table_1"]["population"] == 1


def test_invalid_period_shows_an_error(client, manager_a):
    login_verified(client, manager_a)
    response = client.get(reverse("indicators:dashboard"), {"du": "2019-12-31", "au": "2019-01-01"})
    assert response.status_code == 200
    assert "stats" not in response.context
    assert "précède son début" in response.content.decode()


def test_api_scopes_like_the_dashboards(client, manager_a):
    _, raw = ApiToken.issue(manager_a, "test")
    headers = {"Authorization": f"Bearer {raw}"}
    response = client.get("/api/v1/indicateurs/", PERIOD, headers=headers)
    assert response.status_code == 200
    assert response.json()["entrants"]["count"] == 1
    assert client.get("/api/v1/indicateurs/", PERIOD | {"unite": "B"}, headers=headers).status_code == 403
    _, referent_token = ApiToken.issue(AgentFactory(role="referent"), "test")
    refused = client.get(
        "/api/v1/indicateurs/", PERIOD, headers={"Authorization": f"Bearer {referent_token}"}
    )
    assert refused.status_code == 403


def test_dashboard_opens_on_the_latest_year_with_data_in_french(client, manager_a):
    """Histories of 2019 only: no period asked, the dashboard shows 2019 (not an empty current year),
    French dates, labels without internal keys, and each chart with its data table."""
    login_verified(client, manager_a)
    response = client.get(reverse("indicators:dashboard"))
    assert response.status_code == 200
    assert response.context["stats"]["entrants"]["count"] == 1
    html = response.content.decode()
    assert "Du 1 janvier 2019 au 31 décembre 2019" in " ".join(html.split())
    period = html.split('id="indicator-period"')[1].split("</p>")[0]
    assert "2019-01-01" not in period
    assert "<code>entrants.count</code>" not in html and ">Clé<" not in html
    assert 'aria-describedby="chart-entrants-month-table"' in html
    assert 'id="chart-entrants-month-table"' in html and "mars 2019" in html
    assert "2019-03" not in html
    # The exports carry the period shown.
    assert "du=2019-01-01&amp;au=2019-12-31" in html


def test_contractualisation_opens_on_the_latest_year_with_data(client, manager_a):
    login_verified(client, manager_a)
    response = client.get(reverse("indicators:contractualisation"))
    assert response.context["year"] == 2019


def test_default_period_is_this_year_when_the_log_is_empty(db):
    import datetime

    from parcours.indicators.periods import default_period

    today = datetime.date(2026, 11, 22)
    assert default_period(today) == (datetime.date(2026, 1, 1), today)
