import pytest
from django.urls import reverse

from parcours.core.models import AuditAction, AuditEvent
from parcours.jobs.models import Application, ApplicationState, CandidateProfile, Employer
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.jobs.factories import (
    AIDE_A_DOMICILE,
    ApplicationFactory,
    EmployerFactory,
    OfferFactory,
    ProfileFactory,
    SectorGroupFactory,
)
from tests.people.factories import PersonFactory


@pytest.fixture
def agent_client(client, agent_a):
    return login_verified(client, agent_a)


@pytest.fixture
def relations_client(client, two_units):
    """An employer-relations agent: manages employers and offers, reads the statistics."""
    agent = AgentFactory(units=[two_units["unit_a"]], role="relations_entreprises")
    return login_verified(client, agent)


def test_employer_creation_validates_the_siret(relations_client):
    agent_client = relations_client
    url = reverse("jobs:employer_create")
    response = agent_client.post(
        url, {"siret": "73282932000075", "name": "Boulangerie", "naf_code": "10.71C"}
    )
    assert response.status_code == 200
    assert "clé de contrôle incorrecte" in response.content.decode()
    response = agent_client.post(
        url, {"siret": "732 829 320 00074", "name": "Boulangerie", "naf_code": "10.71C"}
    )
    assert response.status_code == 302
    assert Employer.objects.get().siret == "73282932000074"


def test_pages_render(relations_client, two_units):
    agent_client = relations_client
    offer = OfferFactory(commune=two_units["commune_a"])
    group = SectorGroupFactory()
    for url in [
        reverse("jobs:offers"),
        reverse("jobs:offer", args=[offer.pk]),
        reverse("jobs:offer_edit", args=[offer.pk]),
        reverse("jobs:offer_create"),
        reverse("jobs:employers"),
        reverse("jobs:employer", args=[offer.employer_id]),
        reverse("jobs:sector_groups"),
        reverse("jobs:sector_group", args=[group.pk]),
        reverse("jobs:applications"),
        reverse("jobs:statistics"),
    ]:
        assert agent_client.get(url).status_code == 200, url


def test_appellation_autocomplete(agent_client):
    response = agent_client.get(reverse("jobs:appellations"), {"appellation": "aide domicile", "list": "x"})
    html = response.content.decode()
    assert '<datalist id="x">' in html
    assert "Aide à domicile [10805]" in html


def test_profile_form_saves_targets_experience_and_consent(agent_client, two_units):
    person = PersonFactory(commune=two_units["commune_a"])
    data = {
        "target_1": "Aide à domicile [10805]",
        "education_level": "3",
        "has_driving_licence": "on",
        "mobility_radius_km": "25",
        "mobility_means": "voiture",
        "childcare_hours_per_week": "30",
        "consents_to_employers": "on",
        "exp-TOTAL_FORMS": "2",
        "exp-INITIAL_FORMS": "0",
        "exp-0-rome": "K1304",
        "exp-0-years": "4",
        "exp-1-rome": "",
        "exp-1-years": "",
    }
    response = agent_client.post(reverse("jobs:profile", args=[person.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    profile = CandidateProfile.objects.get(person=person)
    assert list(profile.target_appellations.values_list("code_ogr", flat=True)) == [AIDE_A_DOMICILE]
    assert list(profile.experiences.values_list("rome_id", "years")) == [("K1304", 4)]
    assert profile.consents_to_employers and profile.consent_recorded_at is not None
    assert profile.hours_limit == 30
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, person=person).exists()

    data["exp-0-rome"] = "Z9999"
    response = agent_client.post(reverse("jobs:profile", args=[person.pk]), data)
    assert "Code ROME inconnu" in response.content.decode()


def test_profile_of_a_person_outside_the_agents_scope_is_404(agent_client, two_units):
    stranger = PersonFactory(commune=two_units["commune_b"])
    assert agent_client.get(reverse("jobs:profile", args=[stranger.pk])).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, person=stranger).exists()


def test_ranked_candidates_page_then_shortlist_and_propose(agent_client, agent_a, two_units):
    offer = OfferFactory(commune=two_units["commune_a"])
    profile = ProfileFactory(person=PersonFactory(commune=two_units["commune_a"]), targets=[AIDE_A_DOMICILE])
    page = agent_client.get(reverse("jobs:offer_candidates", args=[offer.pk])).content.decode()
    assert profile.person.full_name in page
    assert "Même appellation ROME que l&#x27;offre : +40" in page

    response = agent_client.post(
        reverse("jobs:shortlist", args=[offer.pk, profile.person_id]), {"score": "90"}
    )
    application = Application.objects.get(offer=offer, person=profile.person)
    assert response.status_code == 302 and application.score == 90
    agent_client.post(reverse("jobs:application_transition", args=[application.pk, "propose"]))
    application.refresh_from_db()
    assert application.state == ApplicationState.PROPOSED
    page = agent_client.get(reverse("jobs:application", args=[application.pk])).content.decode()
    assert "Présélectionnée → Proposée à l&#x27;employeur" in page

    # An invalid transition is refused with a message, the state unchanged.
    response = agent_client.post(
        reverse("jobs:application_transition", args=[application.pk, "send"]), follow=True
    )
    assert "Impossible de passer" in response.content.decode()
    application.refresh_from_db()
    assert application.state == ApplicationState.PROPOSED


def test_hire_records_placement(agent_client, two_units, agent_a):
    person = PersonFactory(commune=two_units["commune_a"])
    application = ApplicationFactory(person=person, state=ApplicationState.INTERVIEW)
    response = agent_client.post(
        reverse("jobs:application_transition", args=[application.pk, "hire"]),
        {"start_date": "2026-12-01", "contract_type": "cdd", "hours_per_week": "30"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.HIRED
    assert application.placement.follow_ups.count() == 3
    follow_up = application.placement.follow_ups.first()
    agent_client.post(
        reverse("jobs:follow_up", args=[follow_up.pk]), {"done_on": "2027-01-02", "still_employed": "1"}
    )
    follow_up.refresh_from_db()
    assert follow_up.still_employed is True and follow_up.done_by == agent_a


def test_ranked_offers_for_a_person_page(agent_client, two_units):
    profile = ProfileFactory(person=PersonFactory(commune=two_units["commune_a"]), targets=[AIDE_A_DOMICILE])
    offer = OfferFactory(commune=two_units["commune_a"], title="Auxiliaire de vie à Communeville")
    page = agent_client.get(reverse("jobs:profile_offers", args=[profile.person_id])).content.decode()
    assert offer.title in page and "Simuler les revenus" in page


def test_no_matching_nor_shortlist_under_a_restriction_of_processing(agent_client, agent_a, two_units):
    from parcours.privacy.restriction import set_restriction

    profile = ProfileFactory(person=PersonFactory(commune=two_units["commune_a"]), targets=[AIDE_A_DOMICILE])
    offer = OfferFactory(commune=two_units["commune_a"], title="Auxiliaire de vie à Communeville")
    set_restriction(profile.person, reason="Opposition en cours d'examen", by=agent_a)

    page = agent_client.get(reverse("jobs:profile_offers", args=[profile.person_id]), follow=True)
    assert offer.title not in page.content.decode() and "limitation du traitement" in page.content.decode()
    response = agent_client.post(reverse("jobs:shortlist", args=[offer.pk, profile.person_id]), follow=True)
    assert "limitation du traitement" in response.content.decode()
    assert not Application.objects.filter(person=profile.person).exists()


def test_statistics_count_by_month_group_and_unit(relations_client, two_units):
    agent_client = relations_client
    group = SectorGroupFactory(name="GOME Soins")
    offer = OfferFactory(employer=EmployerFactory(sector_group=group), commune=two_units["commune_a"])
    application = ApplicationFactory(
        offer=offer, person=ProfileFactory(person__commune=two_units["commune_b"]).person
    )
    application.apply("propose", AgentFactory())
    page = agent_client.get(reverse("jobs:statistics")).content.decode()
    assert "GOME Soins" in page and "Unité A" in page and "Unité B" in page


def test_agent_records_an_interview_date_from_the_application_page(agent_client, two_units):
    person = PersonFactory(commune=two_units["commune_a"])
    application = ApplicationFactory(person=person, state=ApplicationState.PROPOSED)
    url = reverse("jobs:application", args=[application.pk])
    page = agent_client.get(url).content.decode()
    assert 'id="id_interview_interview_at"' in page and 'id="id_hire_start_date"' not in page
    agent_client.post(
        reverse("jobs:application_transition", args=[application.pk, "interview"]),
        {"interview_at": "2027-02-01T14:00"},
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.INTERVIEW and application.interview_at is not None
    page = agent_client.get(url).content.decode()
    assert "Entretien le 01/02/2027 à 14:00" in page and 'id="id_hire_start_date"' in page
