"""Orientation decisions, référents, contracts and reorientations.

History is kept by adding rows: a new decision never edits an old one, a new référent
ends the previous `people.Follow(kind="referent")` instead of replacing it.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from parcours.core import audit
from parcours.orientation import events
from parcours.orientation.models import (
    Contract,
    FollowUp,
    OrientationDecision,
    ReorientationRequest,
)
from parcours.orientation.rules import Proposal
from parcours.people.models import Follow

REFERENT = "referent"


def decide_orientation(
    person,
    *,
    kind: str,
    organism: str,
    by,
    followup: FollowUp | None = None,
    organism_name: str = "",
    proposal: Proposal | None = None,
    override_reason: str = "",
    reorientation: ReorientationRequest | None = None,
    at: datetime.datetime | None = None,
) -> OrientationDecision:
    """Record an orientation; overriding the proposal requires a reason (ValidationError otherwise).

    A follow-up is oriented once: the same decision sent again (a double submission) returns the
    decision already recorded, a different one is refused (a reorientation changes it)."""
    if followup is not None and reorientation is None:
        with transaction.atomic():
            FollowUp.objects.select_for_update().filter(pk=followup.pk).first()  # one decision at a time
            existing = OrientationDecision.objects.filter(
                followup=followup, reorientation__isnull=True
            ).first()
            if existing is None:
                return _decide(person, kind=kind, organism=organism, by=by, followup=followup,
                               organism_name=organism_name, proposal=proposal, override_reason=override_reason,
                               reorientation=None, at=at)  # fmt: skip
        if (existing.kind, existing.organism, existing.organism_name) == (
            kind,
            organism,
            organism_name.strip(),
        ):
            return existing
        raise ValidationError(
            "Une orientation est déjà enregistrée pour ce suivi : pour la changer, demandez une réorientation."
        )
    return _decide(person, kind=kind, organism=organism, by=by, followup=followup, organism_name=organism_name,
                   proposal=proposal, override_reason=override_reason, reorientation=reorientation, at=at)  # fmt: skip


def _decide(
    person, *, kind, organism, by, followup, organism_name, proposal, override_reason, reorientation, at
):
    decision = OrientationDecision(
        person=person,
        followup=followup,
        kind=kind,
        organism=organism,
        organism_name=organism_name,
        proposed_kind=proposal.orientation if proposal else "",
        proposed_by_rule=proposal.rule if proposal else None,
        proposal_evidence=proposal.evidence if proposal else {},
        override_reason=override_reason.strip(),
        reorientation=reorientation,
        decided_by=by,
        decided_at=at or timezone.now(),
    )
    decision.full_clean(exclude=["person", "followup", "decided_by", "proposed_by_rule", "reorientation"])
    if followup is not None and followup.closed_at:
        raise ValidationError("Ce suivi est clos : l'orientation ne peut plus y être enregistrée.")
    decision.save()
    events.record(
        person,
        events.ORIENTATION_DECIDED,
        decision.decided_at,
        decision=decision.pk,
        followup=followup.pk if followup else None,
        orientation=kind,
        organism=organism,
        proposed=decision.proposed_kind,
        overridden=bool(decision.proposed_kind and decision.proposed_kind != kind),
        reorientation=bool(reorientation),
    )
    audit.record_changes(by, person, ["orientation"], created=True)
    return decision


def current_referent_follow(person) -> Follow | None:
    return Follow.objects.active().filter(person=person, kind=REFERENT).select_related("agent").first()


def designate_referent(person, agent, *, by, on: datetime.date | None = None) -> Follow:
    """Make `agent` the person's référent from `on`; the previous référent's follow ends that day."""
    when = events.on_day(on)
    on = on or timezone.localdate()
    with transaction.atomic():
        current = current_referent_follow(person)
        if current and current.agent_id == agent.pk:
            return current
        Follow.objects.active(on).filter(person=person, kind=REFERENT).update(ended_on=on)
        follow = Follow.objects.create(person=person, agent=agent, kind=REFERENT, started_on=on)
    events.record(person, events.REFERENT_DESIGNATED, when, referent=agent.pk, follow=follow.pk)
    audit.record_changes(by, person, ["referent"], created=True)
    return follow


def sign_contract(
    person,
    *,
    kind: str,
    objectives: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    by,
    referent=None,
    decision: OrientationDecision | None = None,
) -> Contract:
    """Record a signed contract; the same contract sent again (a double submission) is returned
    as it was recorded, not added twice."""
    existing = Contract.objects.filter(person=person, kind=kind, starts_on=starts_on, ends_on=ends_on).first()
    if existing is not None:
        return existing
    contract = Contract(
        person=person,
        decision=decision,
        kind=kind,
        objectives=objectives,
        starts_on=starts_on,
        ends_on=ends_on,
        referent=referent,
        recorded_by=by,
    )
    contract.full_clean(exclude=["person", "decision", "referent", "recorded_by"])
    contract.save()
    events.record(
        person,
        events.CONTRACT_SIGNED,
        contract.signed_at,
        contract=contract.pk,
        contract_kind=kind,
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat(),
    )
    audit.record_changes(by, person, ["contrat"], created=True)
    return contract


def request_reorientation(person, *, requested_kind: str, reason: str, by) -> ReorientationRequest:
    """A référent asks for a reorientation; only one request may be pending per person."""
    if not reason.strip():
        raise ValidationError("Indiquez le motif de la demande de réorientation.")
    if ReorientationRequest.objects.pending().filter(person=person).exists():
        raise ValidationError("Une demande de réorientation est déjà en attente pour cette personne.")
    current = OrientationDecision.objects.filter(person=person).first()
    request = ReorientationRequest.objects.create(
        person=person, current_decision=current, requested_kind=requested_kind, reason=reason.strip(),
        requested_by=by,
    )  # fmt: skip
    events.record(
        person,
        events.REORIENTATION_REQUESTED,
        request.requested_at,
        request=request.pk,
        orientation=requested_kind,
    )
    audit.record_changes(by, person, ["demande de réorientation"], created=True)
    return request


def decide_reorientation(
    request: ReorientationRequest,
    *,
    accepted: bool,
    by,
    note: str = "",
    organism: str = "",
    organism_name: str = "",
) -> OrientationDecision | None:
    """Accept (a new decision is recorded, with the requested orientation) or refuse with a note."""
    if request.decided_at:
        raise ValidationError("Cette demande a déjà été traitée.")
    if not accepted and not note.strip():
        raise ValidationError("Indiquez le motif du refus.")
    if accepted and not organism:
        raise ValidationError("Indiquez l'organisme de la nouvelle orientation.")
    with transaction.atomic():
        request.accepted, request.decision_note = accepted, note.strip()
        request.decided_by, request.decided_at = by, timezone.now()
        request.save()
        decision = None
        if accepted:
            decision = decide_orientation(
                request.person,
                kind=request.requested_kind,
                organism=organism,
                organism_name=organism_name,
                by=by,
                reorientation=request,
            )
    events.record(
        request.person,
        events.REORIENTATION_DECIDED,
        request.decided_at,
        request=request.pk,
        accepted=accepted,
    )
    return decision
