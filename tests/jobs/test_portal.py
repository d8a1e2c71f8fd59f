from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from parcours.core.models import AuditAction, AuditEvent
from parcours.jobs.models import ApplicationState, JobOffer, OfferStatus, Placement
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.jobs.factories import ApplicationFactory, OfferFactory, ProfileFactory, employer_account


@pytest.fixture
def setup(db):
    offer = OfferFactory()
    account = employer_account(offer.employer)
    agent = AgentFactory(role="relations_entreprises")
    profile = ProfileFactory(person__last_name="Martinval", person__phone="0601020304")
    application = ApplicationFactory(offer=offer, person=profile.person)
    application.apply("propose", agent)
    return {
        "offer": offer,
        "account": account,
        "agent": agent,
        "profile": profile,
        "application": application,
    }


def test_employer_sees_a_pseudonymised_profile_until_the_person_agrees(client, setup):
    login_verified(client, setup["account"])
    application, profile = setup["application"], setup["profile"]

    page = client.get(reverse("jobs:portal")).content.decode()
    assert profile.pseudonym in page and "Martinval".upper() not in page.upper()
    page = client.get(reverse("jobs:portal_proposal", args=[application.pk])).content.decode()
    assert profile.pseudonym in page and "MARTINVAL" not in page.upper()
    assert "0601020304" not in page

    application.apply("accept", setup["agent"])
    page = client.get(reverse("jobs:portal_proposal", args=[application.pk])).content.decode()
    assert "MARTINVAL" in page.upper()
    page = client.get(reverse("jobs:portal_person", args=[profile.person_id])).content.decode()
    assert "0601020304" in page
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, agent=setup["account"], person=profile.person
    ).exists()


def test_employer_reaching_a_person_without_consent_gets_404_and_is_audited(client, setup):
    login_verified(client, setup["account"])
    person_id = setup["profile"].person_id
    response = client.get(reverse("jobs:portal_person", args=[person_id]))
    assert response.status_code == 404
    denial = AuditEvent.objects.get(action=AuditAction.DENIED, agent=setup["account"])
    assert denial.person_id == person_id and denial.detail["employer"] == setup["offer"].employer_id


def test_employer_cannot_see_other_employers_proposals_nor_shortlists(client, setup):
    other = ApplicationFactory(person=ProfileFactory().person)  # another employer's offer
    shortlisted = ApplicationFactory(offer=setup["offer"], person=ProfileFactory().person)
    login_verified(client, setup["account"])
    assert client.get(reverse("jobs:portal_proposal", args=[other.pk])).status_code == 404
    assert client.get(reverse("jobs:portal_proposal", args=[shortlisted.pk])).status_code == 404
    assert client.get(reverse("jobs:portal_person", args=[other.person_id])).status_code == 404


def test_employer_answers_a_proposal(client, setup):
    login_verified(client, setup["account"])
    application = setup["application"]
    response = client.post(
        reverse("jobs:portal_transition", args=[application.pk, "refuse"]), {"note": "Poste pourvu"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.REFUSED
    assert application.events.last().by == setup["account"]


def test_employer_posts_and_refreshes_an_offer(client, setup):
    login_verified(client, setup["account"])
    employer = setup["offer"].employer
    data = {
        "appellation": "Aide à domicile [10805]",
        "title": "Aide à domicile de nuit",
        "commune": setup["offer"].commune_id,
        "contract_type": "cdd",
        "hours_per_week": "30",
        "start_date": "2026-12-01",
        "openings": "2",
        "qualification_level": "0",
        "publish": "1",
    }
    assert client.post(reverse("jobs:portal_offer_create"), data).status_code == 302
    offer = JobOffer.objects.get(title="Aide à domicile de nuit")
    assert offer.employer == employer and offer.status == OfferStatus.PUBLISHED
    assert client.post(reverse("jobs:portal_offer_refresh", args=[offer.pk])).status_code == 302
    other_offer = OfferFactory()
    assert client.post(reverse("jobs:portal_offer_refresh", args=[other_offer.pk])).status_code == 404


def test_agents_pages_are_closed_to_employers(client, setup):
    login_verified(client, setup["account"])
    assert client.get(reverse("jobs:offers")).status_code == 403
    assert client.get(reverse("jobs:profile", args=[setup["profile"].person_id])).status_code == 403


def test_employer_schedules_an_interview_then_hires_through_the_state_machine(client, setup):
    """Issue #11: the portal could only refuse. The interview and the hire are employer
    transitions of `Application.apply`, logged, and the hire records the placement."""
    login_verified(client, setup["account"])
    application, account = setup["application"], setup["account"]
    page = client.get(reverse("jobs:portal_proposal", args=[application.pk])).content.decode()
    assert "Fixer un entretien" in page and 'type="datetime-local"' in page

    response = client.post(
        reverse("jobs:portal_transition", args=[application.pk, "interview"]),
        {"interview_at": "2027-01-05T10:30", "note": "Au siège"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.INTERVIEW
    assert (
        application.interview_at.astimezone(ZoneInfo("Europe/Paris")).strftime("%d/%m %H:%M") == "05/01 10:30"
    )
    page = client.get(reverse("jobs:portal_proposal", args=[application.pk])).content.decode()
    assert "Entretien le 05/01/2027 à 10:30" in page and "Recruter" in page

    response = client.post(
        reverse("jobs:portal_transition", args=[application.pk, "hire"]),
        {"start_date": "2027-01-18", "contract_type": "cdi", "hours_per_week": "24"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.HIRED
    placement = Placement.objects.get(application=application)
    assert placement.recorded_by == account and placement.follow_ups.count() == 3
    assert list(application.events.values_list("transition", "from_state", "to_state", "by")) == [
        ("propose", "preselectionnee", "proposee", setup["agent"].pk),
        ("interview", "proposee", "entretien", account.pk),
        ("hire", "entretien", "recrutee", account.pk),
    ]
    assert (
        AuditEvent.objects.filter(action=AuditAction.UPDATE, agent=account, person=application.person).count()
        == 2
    )


def test_employer_answers_need_their_details_and_follow_the_state_machine(client, setup):
    login_verified(client, setup["account"])
    application = setup["application"]
    url = reverse("jobs:portal_transition", args=[application.pk, "interview"])
    page = unescape(client.post(url, {}, follow=True).content.decode())
    assert "Précisez la date et l'heure de l'entretien." in page
    hire = reverse("jobs:portal_transition", args=[application.pk, "hire"])
    data = {"start_date": "2027-01-18", "contract_type": "cdi", "hours_per_week": "24"}
    page = unescape(client.post(hire, data, follow=True).content.decode())
    assert "Impossible de passer de « Proposée à l'employeur » à « Recrutée »." in page
    accept = reverse("jobs:portal_transition", args=[application.pk, "accept"])
    page = client.post(accept, {}, follow=True).content.decode()
    assert "réservée aux agents" in page
    application.refresh_from_db()
    assert application.state == ApplicationState.PROPOSED and not Placement.objects.exists()
