"""Expiry of offers not refreshed for 60 days, with a warning to the employer at 50 days."""

from __future__ import annotations

import datetime
import logging

from django.core.mail import send_mail
from django.utils import timezone

from parcours.jobs.models import JobOffer, OfferStatus
from parcours.jobs.models.offers import EXPIRY_DAYS

logger = logging.getLogger(__name__)


def _warn(offer: JobOffer) -> None:
    organisation = offer.employer.organisation
    recipients = (
        [a.email for a in organisation.agents.filter(is_active=True) if a.email]
        if organisation is not None
        else []
    )
    recipients += [c.email for c in offer.employer.contacts.all() if c.email]
    if recipients:
        expires = timezone.localdate(offer.refreshed_at + datetime.timedelta(days=EXPIRY_DAYS))
        send_mail(
            f"Votre offre « {offer.title} » expire le {expires:%d/%m/%Y}",
            f"Votre offre « {offer.title} » n'a pas été actualisée depuis 50 jours. Sans actualisation "
            f"depuis votre espace employeur, elle sera retirée le {expires:%d/%m/%Y}.",
            None,
            sorted(set(recipients)),
        )


def expire_offers(now: datetime.datetime | None = None) -> dict[str, int]:
    """Warn about offers 50 days old without refresh, expire those 60 days old. Idempotent."""
    now = now or timezone.now()
    warned = 0
    for offer in JobOffer.objects.to_warn(now).select_related("employer__organisation"):
        _warn(offer)
        offer.expiry_warned_at = now
        offer.save(update_fields=["expiry_warned_at"])
        warned += 1
    expired = JobOffer.objects.to_expire(now).update(status=OfferStatus.EXPIRED, expired_at=now)
    logger.info("Offres : %d alertes d'expiration, %d offres expirées", warned, expired)
    return {"warned": warned, "expired": expired}
