"""The ranked candidates of an offer as a table (issue #11): score and components as columns,
sorted, filtered and paginated by the server, the explanation on demand, audited."""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.core.models import AuditAction, AuditEvent
from parcours.jobs import candidate_table
from tests.conftest import login_verified
from tests.jobs.factories import (
    AIDE_A_DOMICILE,
    ApplicationFactory,
    ExperienceFactory,
    OfferFactory,
    ProfileFactory,
)
from tests.people.factories import PersonFactory
from tests.territory.factories import CommuneFactory

ROW = re.compile(r'<tr data-person-id="(\d+)">')


@pytest.fixture
def agent_client(client, agent_a):
    return login_verified(client, agent_a)


@pytest.fixture
def offer(two_units):
    return OfferFactory(commune=two_units["commune_a"])


def _candidates(commune, count: int, *, first: int = 0) -> list:
    """`count` candidates for the offer with different experience and availability."""
    today = timezone.localdate()
    profiles = []
    for i in range(first, first + count):
        profile = ProfileFactory(
            person=PersonFactory(commune=commune),
            targets=[AIDE_A_DOMICILE],
            available_from=today + datetime.timedelta(days=(0, 20, 60)[i % 3]),
        )
        if i % 4:
            ExperienceFactory(profile=profile, rome_id="K1304", years=i % 4)
        profiles.append(profile)
    return profiles


def _rows(page: str) -> list[int]:
    return [int(pk) for pk in ROW.findall(page)]


def _get(client, offer, **params) -> str:
    response = client.get(reverse("jobs:offer_candidates", args=[offer.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_table_pages_by_score_with_components_and_explanations(agent_client, agent_a, offer, two_units):
    profiles = _candidates(two_units["commune_a"], 25)
    page = _get(agent_client, offer)
    assert "25 candidat·es — page 1 sur 2" in " ".join(page.split())
    rows = _rows(page)
    assert len(rows) == candidate_table.PER_PAGE
    for key in ("score", "rome", "experience", "hours", "availability", "rotation", "km", "disponible"):
        assert f'data-sort-key="{key}"' in page
    assert 'aria-sort="descending"' in page
    assert "<summary>Détail du score</summary>" in page
    assert "Même appellation ROME que l&#x27;offre : +40" in page
    second = _rows(_get(agent_client, offer, page=2))
    assert len(second) == 5 and not set(rows) & set(second)
    assert set(rows) | set(second) == {p.person_id for p in profiles}
    # Best first: scores never increase down the pages.
    scores = [int(s) for s in re.findall(r"<strong>(-?\d+)</strong>", page)]
    assert scores == sorted(scores, reverse=True)
    # Audited: one VIEW per person shown on the page, not per person ranked.
    shown = AuditEvent.objects.filter(action=AuditAction.VIEW, agent=agent_a).values_list(
        "person_id", flat=True
    )
    assert sorted(set(shown)) == sorted(set(rows) | set(second))
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, agent=agent_a).count() == 25


def test_sorting_by_a_component_or_the_availability_is_done_by_the_server(agent_client, offer, two_units):
    profiles = {p.person_id: p for p in _candidates(two_units["commune_a"], 12)}
    page = _get(agent_client, offer, tri="-experience")
    years = [
        profiles[pk].experiences.first().years if profiles[pk].experiences.exists() else 0
        for pk in _rows(page)
    ]
    assert years == sorted(years, reverse=True)
    page = _get(agent_client, offer, tri="disponible")
    days = [profiles[pk].available_from for pk in _rows(page)]
    assert days == sorted(days)
    # An unknown key falls back to the score.
    assert _rows(_get(agent_client, offer, tri="nom")) == _rows(_get(agent_client, offer))


def test_sort_links_keep_the_filters_and_carry_no_personal_data(agent_client, offer, two_units):
    _candidates(two_units["commune_a"], 3)
    page = _get(agent_client, offer, max_km="30", min_score="10", proposed="non", page="1")
    links = re.findall(r'<a href="(\?[^"]*)"\s+title="Trier', page)
    assert links
    for link in links:
        query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
        assert set(query) == {"max_km", "min_score", "proposed", "tri"}
        assert all(re.fullmatch(r"-?[\w]+", value[0]) for value in query.values())


def test_filters_minimum_score_already_proposed_and_unit(agent_client, agent_a, offer, two_units):
    profiles = _candidates(two_units["commune_a"], 6)
    ApplicationFactory(offer=offer, person=profiles[0].person)
    all_rows = _rows(_get(agent_client, offer))
    assert _rows(_get(agent_client, offer, proposed="oui")) == [profiles[0].person_id]
    assert profiles[0].person_id not in _rows(_get(agent_client, offer, proposed="non"))
    assert "Déjà présélectionné·e" in _get(agent_client, offer, proposed="oui")
    page = _get(agent_client, offer, min_score="200")
    assert _rows(page) == [] and "Aucun candidat ne correspond" in page
    assert _rows(_get(agent_client, offer, unit=two_units["unit_b"].pk)) == []
    assert sorted(_rows(_get(agent_client, offer, unit=two_units["unit_a"].pk))) == sorted(all_rows)


def test_distance_filter_and_column(agent_client, offer, two_units):
    far = CommuneFactory(
        departement=two_units["commune_a"].departement,
        unit=two_units["unit_a"],
        latitude=two_units["commune_a"].latitude + 0.2,
        longitude=two_units["commune_a"].longitude,
    )
    near = _candidates(two_units["commune_a"], 1)[0]
    distant = _candidates(far, 1, first=1)[0]
    page = _get(agent_client, offer, tri="-km")
    assert _rows(page) == [distant.person_id, near.person_id]
    assert _rows(_get(agent_client, offer, max_km="5")) == [near.person_id]


def test_the_table_page_runs_a_bounded_number_of_queries(
    agent_client, offer, two_units, django_assert_max_num_queries
):
    _candidates(two_units["commune_a"], 5)
    _get(agent_client, offer)  # warm the session and caches
    # 17 measured: session, agent, second factor, offer, ranking (7), profiles, applications,
    # audit (2), units of the filter.
    with django_assert_max_num_queries(18) as few:
        _get(agent_client, offer, tri="-distance")
    _candidates(two_units["commune_a"], 30, first=5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        _get(agent_client, offer, tri="-distance", page="2")
