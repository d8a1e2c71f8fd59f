"""The aids' daily job (django-q2, `core.schedules.DAILY_TASKS`): monthly payments whose yearly
certificate is missing are suspended, those whose certificate came back are resumed
(`aids.payments.review_certificates`, idempotent)."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from parcours.aids.payments import payments_to_review, review_certificates

logger = logging.getLogger(__name__)


def review_payment_certificates(today: datetime.date | None = None) -> dict[str, int]:
    """Review the payments due within `payments.CERTIFICATE_HORIZON_DAYS` of `today`."""
    today = today or timezone.localdate()
    suspended, resumed = review_certificates(payments_to_review(today))
    logger.info("aids payments reviewed: %d suspended, %d resumed", suspended, resumed)
    return {"suspended": suspended, "resumed": resumed}
