"""The « Métier (appellation ROME) » field, filled and posted as a browser does: the offer form
(agents and employer portal), the candidate profile and the sector group's needs (issue #11)."""

import pytest
from django.urls import reverse

from parcours.jobs.models import CandidateProfile, JobOffer, OfferStatus, SectorNeed
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.jobs.factories import (
    AIDE_A_DOMICILE,
    EmployerFactory,
    OfferFactory,
    SectorGroupFactory,
    employer_account,
)
from tests.jobs.html_forms import browser_post_data
from tests.people.factories import PersonFactory

CHOSEN = "Aide à domicile [10805]"  # what choosing the suggestion puts in the field


@pytest.fixture
def relations_client(client, two_units):
    agent = AgentFactory(units=[two_units["unit_a"]], role="relations_entreprises")
    return login_verified(client, agent)


def _offer_typed(commune) -> dict:
    return {
        "appellation": CHOSEN,
        "title": "Aide à domicile de jour",
        "commune": str(commune.pk),
        "contract_type": "cdi",
        "hours_per_week": "24",
        "start_date": "2027-01-04",
        "openings": "1",
    }


def test_the_field_is_an_input_with_its_suggestions_not_escaped_text(relations_client):
    html = relations_client.get(reverse("jobs:offer_create")).content.decode()
    assert "&lt;input" not in html and "&lt;datalist" not in html
    assert 'list="id_appellation-suggestions"' in html
    assert '<datalist id="id_appellation-suggestions"></datalist>' in html
    assert f'hx-get="{reverse("jobs:appellations")}"' in html


def test_agent_creates_then_edits_an_offer_as_a_browser_does(relations_client, two_units):
    employer = EmployerFactory()
    url = reverse("jobs:offer_create") + f"?employeur={employer.pk}"
    html = relations_client.get(url).content.decode()
    data = browser_post_data(html, "jobs-form", _offer_typed(two_units["commune_a"]))
    response = relations_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    offer = JobOffer.objects.get(title="Aide à domicile de jour")
    assert offer.appellation_id == AIDE_A_DOMICILE and offer.employer == employer

    edit = reverse("jobs:offer_edit", args=[offer.pk])
    html = relations_client.get(edit).content.decode()
    assert f'value="{CHOSEN}"' in html
    data = browser_post_data(html, "jobs-form", {"title": "Aide à domicile de nuit"})
    assert relations_client.post(edit, data).status_code == 302
    offer.refresh_from_db()
    assert offer.title == "Aide à domicile de nuit" and offer.appellation_id == AIDE_A_DOMICILE


def test_employer_posts_an_offer_from_the_portal_as_a_browser_does(client, two_units):
    employer = EmployerFactory()
    login_verified(client, employer_account(employer))
    url = reverse("jobs:portal_offer_create")
    html = client.get(url).content.decode()
    data = browser_post_data(html, "jobs-form", _offer_typed(two_units["commune_a"]))
    data["publish"] = ["1"]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    offer = JobOffer.objects.get(employer=employer)
    assert offer.appellation_id == AIDE_A_DOMICILE and offer.status == OfferStatus.PUBLISHED


def test_profile_targets_are_chosen_as_a_browser_does(client, agent_a, two_units):
    login_verified(client, agent_a)
    person = PersonFactory(commune=two_units["commune_a"])
    url = reverse("jobs:profile", args=[person.pk])
    html = client.get(url).content.decode()
    data = browser_post_data(
        html, "profile-form", {"target_1": CHOSEN, "mobility_radius_km": "20", "consents_to_employers": "on"}
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    profile = CandidateProfile.objects.get(person=person)
    assert list(profile.target_appellations.values_list("code_ogr", flat=True)) == [AIDE_A_DOMICILE]
    html = client.get(url).content.decode()
    assert f'value="{CHOSEN}"' in html


def test_sector_group_need_is_recorded_as_a_browser_does(relations_client):
    group = SectorGroupFactory()
    url = reverse("jobs:sector_group", args=[group.pk])
    html = relations_client.get(url).content.decode()
    data = browser_post_data(html, "need-form", {"appellation": CHOSEN, "quantity": "3"})
    assert relations_client.post(url, data).status_code == 302
    assert SectorNeed.objects.get(group=group).appellation_id == AIDE_A_DOMICILE


def test_an_unknown_appellation_is_refused_with_a_message(relations_client, two_units):
    offer = OfferFactory(commune=two_units["commune_a"])
    edit = reverse("jobs:offer_edit", args=[offer.pk])
    html = relations_client.get(edit).content.decode()
    data = browser_post_data(html, "jobs-form", {"appellation": "Dompteur de licornes"})
    page = relations_client.post(edit, data).content.decode()
    assert "Métier inconnu du référentiel ROME" in page
