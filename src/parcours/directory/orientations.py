"""The only writer of orientations to a service and of their pathway events (`people.PersonEvent`,
source "annuaire").

- `send` → `orientation_service.envoyee` {category, origin}: an agent orients a person to a
  service, with the person's consent; the structure's agents are notified.
- `validate` → `orientation_service.validee` {category, sent_on}
- `refuse` → `orientation_service.refusee` {category, sent_on, refusal}: an agent of the
  structure's organisation answers (nobody else may).
- `expire_overdue` → `orientation_service.expiree` {category, sent_on}: the daily task, for the
  orientations left open `expiry_days()` days.

Each function raises `ValidationError` with a French message an agent can act on, logs the
transition (`ServiceOrientationEvent`), audits the change (fields named, never values) and tells
the other side through the one notification path (`appointments.notifications`, kind
`DIRECTORY_ALERT`, a sentence without personal data and the page to open).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from parcours.core import audit
from parcours.core.models import AuditAction
from parcours.directory.models import ServiceOrientation, ServiceOrientationEvent
from parcours.directory.models.orientations import (
    COMMENT_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    ConsentMode,
    OrientationOrigin,
    OrientationState,
    RefusalReason,
)
from parcours.people import event_kinds as ev
from parcours.people.models import PersonEvent

SOURCE = "annuaire"


def _day(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _event(orientation: ServiceOrientation, kind: str, at: datetime.datetime, **data) -> PersonEvent:
    data = {"category": orientation.service.category, **data}
    return PersonEvent.objects.create(
        person_id=orientation.person_id, kind=kind, occurred_at=at, source=SOURCE, data=data
    )


def _sent_on(orientation: ServiceOrientation) -> str:
    return timezone.localdate(orientation.sent_at).isoformat()


def _notify(agents, text: str, path: str) -> None:
    """Queue one e-mail per agent (DIRECTORY_ALERT: `text` holds no personal data) and deliver
    them once the transaction commits."""
    from parcours.appointments import notifications
    from parcours.appointments.models import Channel, Message, MessageKind

    ids = []
    for agent in agents:
        for message in notifications.queue(
            MessageKind.DIRECTORY_ALERT, [Channel.EMAIL], agent=agent, context={"text": text, "path": path}
        ):
            ids.append(message.pk)
    if ids:
        transaction.on_commit(
            lambda: notifications.deliver(Message.objects.filter(pk__in=ids).order_by("id"))
        )


def structure_agents(service):
    """The active agents of the organisation of `service`'s structure (none when it has none)."""
    from parcours.accounts.models import Agent, Role

    organisation_id = service.structure.organisation_id
    if organisation_id is None:
        return Agent.objects.none()
    return Agent.objects.filter(organisation_id=organisation_id, is_active=True).exclude(role=Role.EMPLOYEUR)


def send_refusal(agent, person, service) -> str | None:
    """Why `agent` may not orient `person` to `service` now (None when they may): a closed
    service, a person under restriction of processing, an orientation to it already open."""
    from parcours.privacy.restriction import is_restricted

    if not agent.may_orient_to_services:
        return "Votre rôle ne permet pas d'orienter une personne vers un service de l'annuaire."
    if service.is_closed:
        return (
            f"Le service « {service.nom} » a fermé le {_day(service.closed_on)} : l'orientation ne peut "
            "pas être envoyée. Cherchez un autre service dans l'annuaire."
        )
    if is_restricted(person.pk):
        return (
            "La personne a demandé la limitation du traitement de ses données : aucune orientation ne peut "
            "être envoyée tant que la limitation est active (« Données personnelles » sur la fiche)."
        )
    if ServiceOrientation.objects.open().filter(person=person, service=service).exists():
        return (
            f"Une orientation vers « {service.nom} » est déjà ouverte pour cette personne : attendez la "
            "réponse de la structure (ou son expiration) avant d'en envoyer une autre."
        )
    return None


@transaction.atomic
def send(
    agent,
    person,
    service,
    *,
    origin: str,
    consent_given: bool,
    consent_on: datetime.date | None,
    consent_mode: str,
    message: str = "",
    need=None,
    now: datetime.datetime | None = None,
    request=None,
) -> ServiceOrientation:
    """Orient `person` to `service` on behalf of `agent` (who may see the person: the view checked).

    Refused (ValidationError) for a closed service, a person under restriction of processing, an
    orientation to the same service still open, or without the person's consent (given, dated, oral
    or written). `message` is what the structure reads (1000 characters at most)."""
    from parcours.directory.models import Service

    now = now or timezone.now()
    service = Service.objects.select_for_update().select_related("structure").get(pk=service.pk)
    refusal = send_refusal(agent, person, service)
    if refusal:
        raise ValidationError(refusal)
    if not consent_given or consent_on is None or consent_mode not in ConsentMode.values:
        raise ValidationError(
            "Recueillez le consentement de la personne avant d'envoyer l'orientation : cochez-le, "
            "indiquez sa date et sa forme (orale ou écrite)."
        )
    if consent_on > timezone.localdate(now):
        raise ValidationError(f"La date du consentement ({_day(consent_on)}) ne peut pas être dans le futur.")
    if origin not in OrientationOrigin.values:
        raise ValidationError(f"Origine de l'orientation inconnue : {origin}.")
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            f"Le message fait {len(message)} caractères : {MESSAGE_MAX_LENGTH} au plus, raccourcissez-le."
        )
    orientation = ServiceOrientation.objects.create(
        person=person,
        service=service,
        need=need,
        origin=origin,
        sent_by=agent,
        sent_at=now,
        consent_given=True,
        consent_on=consent_on,
        consent_mode=consent_mode,
        message=message,
    )
    ServiceOrientationEvent.objects.create(
        orientation=orientation,
        transition="send",
        from_state="",
        to_state=OrientationState.OPEN,
        by=agent,
        at=now,
    )
    _event(orientation, ev.SERVICE_ORIENTATION_SENT, now, origin=origin)
    audit.record(
        agent,
        AuditAction.CREATE,
        person=person,
        request=request,
        model="directory.ServiceOrientation",
        object_id=orientation.pk,
        fields=["orientation vers un service"],
    )
    _notify(
        structure_agents(service),
        f"Une nouvelle orientation vers votre service « {service.nom} » vous attend dans Parcours.",
        reverse("directory:orientation_detail", args=[orientation.pk]),
    )
    return orientation


def may_answer(agent, orientation: ServiceOrientation) -> bool:
    """Only an agent of the organisation of the service's structure answers an orientation."""
    organisation_id = orientation.service.structure.organisation_id
    return (
        agent is not None
        and agent.is_active
        and agent.is_professional
        and organisation_id is not None
        and agent.organisation_id == organisation_id
    )


def _answer(
    agent, orientation: ServiceOrientation, name: str, *, now, request, **kwargs
) -> ServiceOrientation:
    if not may_answer(agent, orientation):
        raise ValidationError("Seuls les agents de la structure qui reçoit l'orientation peuvent y répondre.")
    orientation = (
        ServiceOrientation.objects.select_for_update()
        .select_related("service__structure")
        .get(pk=orientation.pk)
    )
    orientation.apply(name, agent, now=now, **kwargs)
    return orientation


@transaction.atomic
def validate(
    agent, orientation: ServiceOrientation, *, now: datetime.datetime | None = None, request=None
) -> ServiceOrientation:
    """The structure accepts the person: the orientation is *validée*; its sender is told."""
    now = now or timezone.now()
    orientation = _answer(agent, orientation, "validate", now=now, request=request)
    _event(orientation, ev.SERVICE_ORIENTATION_VALIDATED, now, sent_on=_sent_on(orientation))
    _audit_answer(agent, orientation, request, ["orientation vers un service : validée"])
    _tell_sender(orientation, "a été validée par la structure")
    return orientation


@transaction.atomic
def refuse(
    agent,
    orientation: ServiceOrientation,
    *,
    reason: str,
    comment: str = "",
    now: datetime.datetime | None = None,
    request=None,
) -> ServiceOrientation:
    """The structure declines, with a reason of `RefusalReason` (a comment is required for « autre »)."""
    now = now or timezone.now()
    comment = (comment or "").strip()
    if reason not in RefusalReason.values:
        raise ValidationError("Choisissez le motif du refus dans la liste.")
    if reason == RefusalReason.OTHER and not comment:
        raise ValidationError("Précisez le motif du refus en commentaire (motif « autre »).")
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            f"Le commentaire fait {len(comment)} caractères : {COMMENT_MAX_LENGTH} au plus, raccourcissez-le."
        )
    orientation = _answer(
        agent, orientation, "refuse", now=now, request=request, reason=reason, comment=comment
    )
    _event(orientation, ev.SERVICE_ORIENTATION_REFUSED, now, sent_on=_sent_on(orientation), refusal=reason)
    _audit_answer(
        agent,
        orientation,
        request,
        ["orientation vers un service : refusée"],
    )
    _tell_sender(
        orientation, f"a été refusée par la structure (motif : {RefusalReason(reason).label.lower()})"
    )
    return orientation


def _audit_answer(agent, orientation: ServiceOrientation, request, fields: list[str]) -> None:
    audit.record(
        agent,
        AuditAction.UPDATE,
        person=orientation.person,
        request=request,
        model="directory.ServiceOrientation",
        object_id=orientation.pk,
        fields=fields,
    )


def _tell_sender(orientation: ServiceOrientation, what: str) -> None:
    sender = orientation.sent_by
    if sender is None or not sender.is_active:
        return
    _notify(
        [sender],
        f"L'orientation n°{orientation.pk} vers le service « {orientation.service.nom} » {what}.",
        reverse("people:detail", args=[orientation.person_id]),
    )


def expire_overdue(now: datetime.datetime | None = None) -> int:
    """Expire the orientations left open `expiry_days()` days (the daily task); returns how many.

    Each one in its own transaction: a failure leaves the others expired."""
    now = now or timezone.now()
    count = 0
    overdue = ServiceOrientation.objects.overdue(now).select_related("service__structure", "sent_by")
    for orientation in overdue.order_by("id").iterator(chunk_size=200):
        with transaction.atomic():
            orientation.apply("expire", None, now=now)
            _event(orientation, ev.SERVICE_ORIENTATION_EXPIRED, now, sent_on=_sent_on(orientation))
            audit.record(
                None,
                AuditAction.UPDATE,
                person=orientation.person,
                model="directory.ServiceOrientation",
                object_id=orientation.pk,
                fields=["orientation vers un service : expirée"],
            )
            _tell_sender(orientation, "a expiré sans réponse de la structure")
        count += 1
    return count
