import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.core.access import visible_persons
from parcours.orientation.decisions import (
    current_referent_follow,
    decide_orientation,
    decide_reorientation,
    designate_referent,
    request_reorientation,
    sign_contract,
)
from parcours.orientation.models import OrientationDecision
from parcours.orientation.rules import Proposal
from parcours.people.models import Follow
from tests.accounts.factories import AgentFactory
from tests.orientation.factories import FollowUpFactory, RuleFactory

pytestmark = pytest.mark.django_db


def test_overriding_the_proposal_needs_a_reason(departement):
    followup = FollowUpFactory(departement=departement)
    rule = RuleFactory(departement=departement, orientation="professionnelle")
    proposal = Proposal(rule=rule, orientation="professionnelle", evidence={"âge": 25})
    with pytest.raises(ValidationError):
        decide_orientation(followup.person, followup=followup, kind="sociale", organism="ccas", by=None,
                           proposal=proposal)  # fmt: skip
    decision = decide_orientation(
        followup.person, followup=followup, kind="sociale", organism="ccas", by=None, proposal=proposal,
        override_reason="Difficultés de logement signalées en entretien",
    )  # fmt: skip
    assert decision.proposed_by_rule == rule
    assert decision.proposal_evidence == {"âge": 25}
    event = followup.person.events.get(kind="orientation.decidee")
    assert event.data["overridden"] is True


def test_referent_history_and_access(departement):
    followup = FollowUpFactory(departement=departement)
    person = followup.person
    first, second = AgentFactory(role="referent"), AgentFactory(role="referent")
    assert not visible_persons(first).filter(pk=person.pk).exists()

    designate_referent(person, first, by=None, on=timezone.localdate() - datetime.timedelta(days=10))
    assert visible_persons(first).filter(pk=person.pk).exists()
    designate_referent(person, second, by=None)

    assert current_referent_follow(person).agent == second
    assert not visible_persons(first).filter(pk=person.pk).exists()
    assert Follow.objects.filter(person=person, kind="referent").count() == 2  # history kept


def test_referent_designation_is_dated_on_the_day_given(departement):
    person = FollowUpFactory(departement=departement).person
    ten_days_ago = timezone.localdate() - datetime.timedelta(days=10)
    designate_referent(person, AgentFactory(role="referent"), by=None, on=ten_days_ago)
    event = person.events.get(kind="referent.designe")
    assert timezone.localdate(event.occurred_at) == ten_days_ago


def test_contract_dates_are_checked(departement):
    followup = FollowUpFactory(departement=departement)
    with pytest.raises(ValidationError):
        sign_contract(followup.person, kind="cer", objectives="Permis B", starts_on=datetime.date(2026, 5, 1),
                      ends_on=datetime.date(2026, 4, 1), by=None)  # fmt: skip
    contract = sign_contract(followup.person, kind="cer", objectives="Permis B",
                             starts_on=datetime.date(2026, 5, 1), ends_on=datetime.date(2026, 11, 1), by=None)  # fmt: skip
    assert followup.person.events.get(kind="contrat.signe").data["contract"] == contract.pk


def test_reorientation_request_then_decision_keeps_history(departement):
    followup = FollowUpFactory(departement=departement)
    person = followup.person
    referent, charge = AgentFactory(role="referent"), AgentFactory(role="charge_orientation")
    decide_orientation(
        person, followup=followup, kind="professionnelle", organism="france_travail", by=charge
    )

    request = request_reorientation(
        person, requested_kind="sociale", reason="Problèmes de santé", by=referent
    )
    with pytest.raises(ValidationError, match="déjà en attente"):
        request_reorientation(person, requested_kind="sociale", reason="Encore", by=referent)
    with pytest.raises(ValidationError, match="organisme"):
        decide_reorientation(request, accepted=True, by=charge)

    decision = decide_reorientation(request, accepted=True, by=charge, organism="service_social")
    assert decision.kind == "sociale"
    assert decision.reorientation == request
    assert list(OrientationDecision.objects.filter(person=person).values_list("kind", flat=True)) == [
        "sociale",
        "professionnelle",
    ]
    with pytest.raises(ValidationError, match="déjà été traitée"):
        decide_reorientation(request, accepted=False, by=charge, note="non")


def test_refusing_a_reorientation_needs_a_note(departement):
    followup = FollowUpFactory(departement=departement)
    request = request_reorientation(followup.person, requested_kind="sociale", reason="x", by=None)
    with pytest.raises(ValidationError):
        decide_reorientation(request, accepted=False, by=None)
    assert decide_reorientation(request, accepted=False, by=None, note="Orientation adaptée") is None
    request.refresh_from_db()
    assert request.accepted is False
