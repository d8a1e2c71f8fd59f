"""What an agent may do next on a follow-up, given its derived status and the agent's role.

The follow-up page shows where the person stands (`FollowUpActions.next_step`) and only the
forms of `FollowUpActions` that are true: an action the role does not hold, or that the status
makes pointless (deciding twice, convoking a person who already has an appointment, asking a
reorientation before any orientation), is not offered. Behind the forms, the views check the
role (`agent_may`) and `orientation.decisions` refuses or absorbs a repeated action (a second
decision on the follow-up, an identical contract, a second pending reorientation request).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from parcours.orientation.status import Status

# Statuses from which the person may be convoked to an appointment.
CONVOCABLE = {Status.TO_INVITE, Status.INVITED, Status.INVITATION_EXPIRED, Status.ABSENT, Status.EXCUSED}


@dataclass
class FollowUpActions:
    next_step: str
    attendance: list = field(default_factory=list)  # bookings whose attendance may be recorded now
    convoke: bool = False
    decide: bool = False
    designate_referent: bool = False
    sign_contract: bool = False
    request_reorientation: bool = False
    decide_reorientation: bool = False

    @property
    def any(self) -> bool:
        return bool(
            self.attendance
            or self.convoke
            or self.decide
            or self.designate_referent
            or self.sign_contract
            or self.request_reorientation
        )


def _next_step(status: str, *, decided: bool, has_referent: bool, has_contract: bool, pending: bool) -> str:
    if status == Status.CLOSED:
        return "Le suivi est clos : aucune action n'est attendue."
    if pending:
        return "Une demande de réorientation attend la décision d'un chargé d'orientation."
    if decided:
        if not has_referent:
            return "La personne est orientée : un référent est à désigner."
        if not has_contract:
            return "Le référent est désigné : le contrat (CER, PPAE…) est à signer."
        return "La personne est orientée, suivie par son référent et sous contrat."
    return {
        Status.TO_INVITE: "La personne est à inviter ou à convoquer à un rendez-vous d'orientation.",
        Status.INVITED: "La personne est invitée : elle doit prendre rendez-vous.",
        Status.INVITATION_EXPIRED: "L'invitation a expiré sans rendez-vous : convoquez la personne.",
        Status.BOOKED: "Un rendez-vous est pris : la présence sera notée le jour du rendez-vous.",
        Status.HONOURED: "Le rendez-vous a eu lieu : l'orientation est à décider.",
        Status.ABSENT: "La personne était absente : convoquez-la de nouveau ou décidez sur dossier.",
        Status.EXCUSED: "La personne s'est excusée : convoquez-la de nouveau.",
    }.get(status, "")


def actions_for(
    agent,
    followup,
    status: str,
    *,
    bookings,
    decided: bool,
    has_referent: bool,
    has_contract: bool,
    pending: bool,
) -> FollowUpActions:
    """The actions `agent` may take next on `followup` (see the module docstring)."""
    is_open = followup.closed_at is None
    followup_decided = status == Status.ORIENTED
    today = timezone.localdate()
    live = [b for b in bookings if b.cancelled_at is None and not b.attendance]
    actions = FollowUpActions(
        next_step=_next_step(
            status, decided=decided, has_referent=has_referent, has_contract=has_contract, pending=pending
        )
    )
    if agent.may_decide_orientation and is_open:
        actions.attendance = [b for b in live if timezone.localdate(b.slot.starts_at) <= today]
        actions.convoke = not followup_decided and not live and status in CONVOCABLE
        actions.decide = not followup_decided
    actions.designate_referent = agent.may_decide_orientation and decided
    actions.sign_contract = agent.may_sign_contracts and decided and has_referent
    actions.request_reorientation = agent.may_request_reorientation and decided and not pending
    actions.decide_reorientation = agent.may_decide_orientation and pending
    return actions
