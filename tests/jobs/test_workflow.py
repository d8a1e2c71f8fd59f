import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.jobs.models import ApplicationState, Placement
from tests.accounts.factories import AgentFactory
from tests.jobs.factories import ApplicationFactory, OfferFactory, ProfileFactory


@pytest.fixture
def agent(db):
    return AgentFactory(role="relations_entreprises")


@pytest.fixture
def application(db):
    profile = ProfileFactory()
    return ApplicationFactory(person=profile.person)


def test_full_path_to_a_hire_is_logged(application, agent):
    for name in ("propose", "accept", "send", "interview"):
        application.apply(name, agent, note=f"étape {name}")
    assert application.state == ApplicationState.INTERVIEW
    assert application.proposed_at is not None and application.agreed_at is not None
    application.apply("hire", agent, as_employer=True)
    history = list(application.events.values_list("transition", "from_state", "to_state", "by"))
    assert history == [
        ("propose", "preselectionnee", "proposee", agent.pk),
        ("accept", "proposee", "acceptee", agent.pk),
        ("send", "acceptee", "envoyee", agent.pk),
        ("interview", "envoyee", "entretien", agent.pk),
        ("hire", "entretien", "recrutee", agent.pk),
    ]
    assert application.is_final


@pytest.mark.parametrize(
    ("state", "name", "message"),
    [
        ("preselectionnee", "send", "Impossible de passer de « Présélectionnée » à « Candidature envoyée »."),
        ("proposee", "hire", "Impossible de passer de « Proposée à l'employeur » à « Recrutée »."),
        ("recrutee", "abandon", "Impossible de passer de « Recrutée » à « Abandonnée »."),
        ("refusee", "accept", "Impossible de passer de « Refusée » à « Acceptée par la personne »."),
        ("proposee", "explode", "Transition inconnue : explode."),
    ],
)
def test_invalid_transitions_are_refused(application, agent, state, name, message):
    application.state = state
    application.save()
    with pytest.raises(ValidationError) as error:
        application.apply(name, agent)
    assert error.value.messages == [message]
    assert not application.events.exists()


def test_employer_may_not_act_for_the_person(application, agent):
    application.apply("propose", agent)
    with pytest.raises(ValidationError, match="réservée aux agents"):
        application.apply("accept", agent, as_employer=True)
    application.apply("refuse", agent, as_employer=True, note="Profil trop éloigné")
    assert application.state == ApplicationState.REFUSED


def test_proposal_for_an_expired_offer_is_refused(agent):
    offer = OfferFactory(refreshed_at=timezone.now() - datetime.timedelta(days=61))
    application = ApplicationFactory(offer=offer, person=ProfileFactory().person)
    with pytest.raises(ValidationError) as error:
        application.apply("propose", agent)
    assert error.value.messages == [
        "L'offre n'est plus ouverte (expirée, pourvue ou non publiée) : proposition impossible."
    ]
    assert application.state == ApplicationState.SHORTLISTED


def test_proposal_without_consent_is_refused(agent):
    application = ApplicationFactory(person=ProfileFactory(consents_to_employers=False).person)
    with pytest.raises(ValidationError, match="n'a pas accepté d'être proposée"):
        application.apply("propose", agent)


def test_placement_schedules_follow_ups_at_1_3_and_6_months(application):
    placement = Placement.objects.create(
        application=application, start_date=datetime.date(2026, 1, 31), contract_type="cdi", hours_per_week=35
    )
    assert list(placement.follow_ups.values_list("months", "due_on")) == [
        (1, datetime.date(2026, 2, 28)),
        (3, datetime.date(2026, 4, 30)),
        (6, datetime.date(2026, 7, 31)),
    ]
    first = placement.follow_ups.first()
    assert first.status(today=datetime.date(2026, 2, 1)) == "à venir"
    assert first.status(today=datetime.date(2026, 3, 1)) == "en retard"
    first.done_on = datetime.date(2026, 3, 2)
    assert first.status(today=datetime.date(2026, 3, 5)) == "fait"
