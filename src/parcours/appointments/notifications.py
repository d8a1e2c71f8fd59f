"""The one notification path: every message is a `Message` row, delivered by its channel's backend.

- e-mail: Django's mail backend (`EMAIL_BACKEND`: SMTP in production, files in the demo);
- SMS: `PARCOURS_SMS_BACKEND` (dotted path, default `FileSmsBackend`, one line per SMS in var/sms/);
- letter: a one-page PDF rendered by WeasyPrint, handed to `PARCOURS_LETTER_BACKEND`
  (default `FileLetterBackend`, var/letters/<id>.pdf). The envelope window shows only the
  address; nothing outside the letter mentions the RSA.

`queue(...)` creates the messages, `deliver(messages)` sends them and records each one's
status (sent, failed with the error, or skipped for a missing address/number).
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from parcours.appointments.models import Channel, DeliveryStatus, Invitation, Message, MessageKind
from parcours.core.private_files import open_private, write_private

logger = logging.getLogger(__name__)

SUBJECTS = {
    MessageKind.INVITATION: "Prenez rendez-vous avec le Département",
    MessageKind.REMINDER: "Rappel : prenez rendez-vous avec le Département",
    MessageKind.CONVOCATION: "Votre rendez-vous avec le Département",
    MessageKind.CONFIRMATION: "Votre rendez-vous est confirmé",
    MessageKind.NO_FREE_SLOT: "Parcours : aucun créneau libre pour inviter une personne",
    MessageKind.FRONT_DOOR_ALERT: "Parcours : une demande du premier accueil vous attend",
    MessageKind.DIRECTORY_ALERT: "Parcours : l'annuaire des services vous attend",
    MessageKind.AID_DECISION: "Votre demande d'aide au Département : une réponse",
    MessageKind.AID_ALERT: "Parcours : une demande d'aide en urgence vous attend",
}


class MissingContact(Exception):
    """The recipient has no address for this channel."""


def sms_folder() -> Path:
    return Path(getattr(settings, "PARCOURS_SMS_DIR", settings.VAR_DIR / "sms"))


def letter_folder() -> Path:
    return Path(getattr(settings, "PARCOURS_LETTER_DIR", settings.VAR_DIR / "letters"))


class FileSmsBackend:
    """Appends each SMS to var/sms/<day>.log (demo and tests), readable by the server's user only."""

    def send(self, phone: str, text: str) -> str:
        path = sms_folder() / f"{timezone.localdate():%Y-%m-%d}.log"
        with open_private(path, "a", encoding="utf-8") as out:
            out.write(f"{timezone.now().isoformat()}\t{phone}\t{text}\n")
        return str(path)


class FileLetterBackend:
    """Writes each letter's PDF to var/letters/ (demo and tests), readable by the server's user only."""

    def send(self, message: Message, pdf: bytes) -> str:
        return str(write_private(letter_folder() / f"courrier-{message.pk}.pdf", pdf))


def _backend(setting: str, default: str):
    return import_string(getattr(settings, setting, default))()


def booking_url(invitation: Invitation) -> str:
    path = reverse("booking:invitation", args=[invitation.link_token])
    return settings.PARCOURS_BASE_URL.rstrip("/") + path


def queue(
    kind: str,
    channels: list[str],
    *,
    invitation: Invitation | None = None,
    person=None,
    agent=None,
    context: dict | None = None,
) -> list[Message]:
    """Create one pending message per channel (no personal data is copied into `context`)."""
    person = person or (invitation.person if invitation else None)
    return Message.objects.bulk_create(
        Message(
            channel=channel, kind=kind, invitation=invitation, person=person, agent=agent,
            context=context or {},
        )
        for channel in channels
    )  # fmt: skip


def render_letter_pdf(message: Message) -> bytes:
    from weasyprint import HTML

    html = render_to_string("appointments/letters/letter.html", _context(message))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _context(message: Message) -> dict:
    context = dict(message.context)
    context.update(
        message=message, person=message.person, agent=message.agent, subject=SUBJECTS[message.kind]
    )
    invitation = message.invitation
    if invitation is not None:
        context["invitation"] = invitation
        context["url"] = booking_url(invitation)
        booking = invitation.bookings.filter(cancelled_at__isnull=True).select_related("slot__site").first()
        context["booking"] = booking
        context["site"] = booking.slot.site if booking else invitation.site
    context["base_url"] = settings.PARCOURS_BASE_URL.rstrip("/")
    context["today"] = timezone.localdate()
    context["sender"] = settings.DEFAULT_FROM_EMAIL
    return context


def render_text(template_name: str, context: dict) -> str:
    """A plain-text message (e-mail body, SMS): rendered without HTML escaping, so that « l'agent »
    is not sent as « l&#x27;agent »."""
    from django.template import Context
    from django.template.loader import get_template

    return get_template(template_name).template.render(Context(context, autoescape=False))


def _send_one(message: Message) -> str:
    person, agent = message.person, message.agent
    if message.channel == Channel.EMAIL:
        address = agent.email if agent else (person.email if person else "")
        if not address:
            raise MissingContact("aucune adresse e-mail")
        context = _context(message)
        body = render_text(f"appointments/messages/{message.kind}.txt", context)
        mail = EmailMultiAlternatives(SUBJECTS[message.kind], body, to=[address])
        mail.send()
        return "e-mail"
    if message.channel == Channel.SMS:
        if not person or not person.phone:
            raise MissingContact("aucun numéro de téléphone")
        text = render_text(f"appointments/messages/{message.kind}.sms.txt", _context(message)).strip()
        return _backend("PARCOURS_SMS_BACKEND", "parcours.appointments.notifications.FileSmsBackend").send(
            person.phone, text
        )
    if message.channel == Channel.LETTER:
        if not person or not person.address or not person.postal_code:
            raise MissingContact("aucune adresse postale")
        pdf = render_letter_pdf(message)
        return _backend(
            "PARCOURS_LETTER_BACKEND", "parcours.appointments.notifications.FileLetterBackend"
        ).send(message, pdf)
    raise ValueError(f"Canal inconnu : {message.channel}")


def deliver(messages) -> dict[str, int]:
    """Send pending messages; each one's status, date and error are saved. Returns counts by status."""
    from parcours.privacy.restriction import restricted_person_ids

    counts: dict[str, int] = {}
    # A person under a restriction of processing gets nothing: their messages stay pending.
    restricted = set(restricted_person_ids().values_list("person_id", flat=True))
    for message in messages:
        if message.status != DeliveryStatus.PENDING or message.person_id in restricted:
            continue
        try:
            message.reference = _send_one(message)[:300]
            message.status, message.sent_at = DeliveryStatus.SENT, timezone.now()
        except MissingContact as missing:
            message.status, message.error = DeliveryStatus.SKIPPED, str(missing)
        except Exception as error:  # a backend failure must not stop the other messages
            logger.warning(
                "Échec d'envoi du message %s (%s) : %s", message.pk, message.channel, type(error).__name__
            )
            message.status, message.error = DeliveryStatus.FAILED, str(error)[:300]
        message.save(update_fields=["status", "sent_at", "error", "reference"])
        counts[message.status] = counts.get(message.status, 0) + 1
    return counts


def deliver_pending(older_than: datetime.datetime | None = None) -> dict[str, int]:
    """Deliver every pending message (used by the commands)."""
    pending = Message.objects.filter(status=DeliveryStatus.PENDING).select_related(
        "person__commune", "agent", "invitation__site__commune", "invitation__person"
    )
    if older_than:
        pending = pending.filter(created_at__lte=older_than)
    return deliver(pending.order_by("id").iterator(chunk_size=200))
