"""The référent de parcours: designate one, end one (the only writer of `ParcoursReferent`).

One lead professional per person, from any organisation that signed the charter of the premier
accueil social inconditionnel (`CharterSignature.objects.in_force()`; the département's own
organisation signs it too), designated with the person's recorded consent. Contract of
`designate`:
- the designating agent holds `may_designate_parcours_referent`; the view has already checked
  that they may see the person (`core.access.get_person_for`);
- the référent is an active professional whose organisation has a signature in force today;
- the consent is dated (not in the future) and its form is one of `ConsentMode`;
- the person's current référent, if any, is ended the same day with the reason « remplacé »
  (a `REFERENT_ENDED` event), and their `people.Follow` of kind `ParcoursReferent.FOLLOW_KIND`
  ends too;
- the new référent gets such a Follow (they see the person through the one access rule), a
  `REFERENT_DESIGNATED` event is written (`FrontDoorEvent`: person, the person's unit, the
  organisation's kind and the consent's form — no free text), and the change is audited.

Both functions raise `ReferentError` (a French message the agent can act on) and run in one
transaction; the unique constraint `one_active_parcours_referent` settles two designations at
once (the second one is told to reload the page).
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from parcours.core import audit
from parcours.core.models import AuditAction
from parcours.people.models import Follow
from parcours.reception import event_kinds
from parcours.reception.models import CharterSignature, FrontDoorEvent, ParcoursReferent
from parcours.reception.models.referents import ConsentMode


class ReferentError(Exception):
    """A designation or an end refused; `message` says why, in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class EndReason(models.TextChoices):
    """Why a référent de parcours ends (`ParcoursReferent.end_reason` keeps the label; the event
    keeps the code, a controlled vocabulary)."""

    REPLACED = "remplace", "remplacé"
    PATHWAY_ENDED = "fin_parcours", "fin de l'accompagnement de la personne"
    CONSENT_WITHDRAWN = "retrait_accord", "la personne retire son accord"
    PERSON_MOVED = "demenagement", "la personne a déménagé"
    REFERENT_LEFT = "depart_referent", "départ du référent"
    OTHER = "autre", "autre motif"


def signatory_organisation_ids(on: datetime.date | None = None):
    """A subquery of the ids of the organisations whose charter signature is in force on `on`."""
    return CharterSignature.objects.in_force(on).values("organisation_id")


def eligible_referents(on: datetime.date | None = None):
    """The agents who may be designated référent de parcours: active professionals (no employer
    account) of an organisation whose signature is in force, by organisation then name."""
    from parcours.accounts.models import Agent, Role

    return (
        Agent.objects.filter(is_active=True, organisation_id__in=signatory_organisation_ids(on))
        .exclude(role=Role.EMPLOYEUR)
        .select_related("organisation")
        .order_by("organisation__name", "last_name", "first_name", "pk")
    )


def current(person) -> ParcoursReferent | None:
    """The person's active référent de parcours, if any."""
    return (
        ParcoursReferent.objects.active()
        .filter(person=person)
        .select_related("agent", "organisation")
        .first()
    )


def designate(
    agent,
    person,
    *,
    referent_agent,
    consent_on: datetime.date | None,
    consent_mode: str,
    request=None,
) -> ParcoursReferent:
    """Make `referent_agent` the person's référent de parcours (see the module's contract)."""
    today = timezone.localdate()
    if not agent.may_designate_parcours_referent:
        raise ReferentError(
            "Seul un professionnel d'une organisation signataire de la charte d'accueil peut désigner "
            "un référent de parcours."
        )
    _check_referent(referent_agent, today)
    if consent_on is None:
        raise ReferentError("Indiquez la date à laquelle la personne a donné son accord.")
    if consent_on > today:
        raise ReferentError("La date de l'accord de la personne ne peut pas être dans le futur.")
    if consent_mode not in ConsentMode.values:
        raise ReferentError("Indiquez la forme de l'accord de la personne (oral ou écrit).")
    try:
        with transaction.atomic():
            previous = ParcoursReferent.objects.active().select_for_update().filter(person=person).first()
            if previous is not None and previous.agent_id == referent_agent.pk:
                raise ReferentError(f"{referent_agent} est déjà le référent de parcours de la personne.")
            if previous is not None:
                _end(agent, previous, EndReason.REPLACED, today, request=request)
            referent = ParcoursReferent.objects.create(
                person=person,
                agent=referent_agent,
                organisation_id=referent_agent.organisation_id,
                consent_on=consent_on,
                consent_mode=consent_mode,
                designated_by=agent,
                started_on=today,
            )
            Follow.objects.create(
                person=person, agent=referent_agent, kind=ParcoursReferent.FOLLOW_KIND, started_on=today
            )
            FrontDoorEvent.objects.create(
                kind=event_kinds.REFERENT_DESIGNATED,
                occurred_at=timezone.now(),
                person=person,
                unit_id=_unit_id(person),
                data={
                    "organisation_kind": referent_agent.organisation.kind,
                    "consent_mode": consent_mode,
                },
            )
            audit.record(
                agent,
                AuditAction.CREATE,
                person=person,
                request=request,
                parcours_referent=referent.pk,
                referent_agent=referent_agent.pk,
            )
    except IntegrityError:
        raise ReferentError(
            "Un autre agent vient de désigner un référent de parcours pour cette personne : "
            "rechargez la page pour le voir."
        ) from None
    return referent


def end(agent, referent: ParcoursReferent, *, reason: str, request=None) -> ParcoursReferent:
    """End `referent` today for `reason` (an `EndReason`), with their Follow; writes the event and
    the audit. Refused for a référent already ended."""
    if not agent.may_designate_parcours_referent:
        raise ReferentError(
            "Seul un professionnel d'une organisation signataire de la charte d'accueil peut mettre fin "
            "à un référent de parcours."
        )
    if reason not in EndReason.values:
        raise ReferentError("Choisissez le motif de fin.")
    with transaction.atomic():
        locked = ParcoursReferent.objects.select_for_update().get(pk=referent.pk)
        if locked.ended_on is not None:
            raise ReferentError(f"Ce référent de parcours a déjà pris fin le {locked.ended_on:%d/%m/%Y}.")
        _end(agent, locked, reason, timezone.localdate(), request=request)
    return locked


def _check_referent(referent_agent, today: datetime.date) -> None:
    if referent_agent is None:
        raise ReferentError("Choisissez le professionnel qui sera référent de parcours.")
    if not referent_agent.is_active or referent_agent.is_employer:
        raise ReferentError(
            f"{referent_agent} ne peut pas être référent de parcours (compte inactif ou employeur)."
        )
    if referent_agent.organisation_id is None:
        raise ReferentError(
            f"{referent_agent} n'est rattaché·e à aucune organisation : demandez à un administrateur de "
            "compléter son compte, ou choisissez un autre professionnel."
        )
    if (
        not CharterSignature.objects.in_force(today)
        .filter(organisation_id=referent_agent.organisation_id)
        .exists()
    ):
        raise ReferentError(
            f"L'organisation de {referent_agent} ({referent_agent.organisation}) n'a pas de signature en "
            "cours de la charte d'accueil : choisissez un professionnel d'une organisation signataire."
        )


def _end(agent, referent: ParcoursReferent, reason: str, on: datetime.date, *, request=None) -> None:
    referent.ended_on = max(on, referent.started_on)
    referent.end_reason = EndReason(reason).label
    referent.save(update_fields=["ended_on", "end_reason"])
    Follow.objects.filter(
        person_id=referent.person_id,
        agent_id=referent.agent_id,
        kind=ParcoursReferent.FOLLOW_KIND,
        ended_on__isnull=True,
    ).update(ended_on=referent.ended_on)
    FrontDoorEvent.objects.create(
        kind=event_kinds.REFERENT_ENDED,
        occurred_at=timezone.now(),
        person_id=referent.person_id,
        data={"reason": reason},
    )
    audit.record(
        agent,
        AuditAction.UPDATE,
        person=referent.person,
        request=request,
        parcours_referent=referent.pk,
        ended=reason,
    )


def _unit_id(person) -> int | None:
    commune = person.commune if person.commune_id else None
    return commune.unit_id if commune is not None else None
