"""What the job platform's transitions mean for the pathway (called by `jobs.Application.apply`).

`jobs` calls these functions through a lazy import inside `apply` (not a signal): the hire and
its outcome are written in the same transaction, an error in either rolls both back, and a
reader of `apply` sees what a hire does. `accompaniment` imports `jobs` at module level
(`MAX_HOURS_PER_WEEK`, the Placement/Application foreign keys); the lazy import keeps the cycle out.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.accompaniment import workflows
from parcours.accompaniment.models import Accompaniment, ContactMode, Programme

logger = logging.getLogger(__name__)


def _local_day(moment: datetime.datetime | None) -> datetime.date:
    return timezone.localtime(moment).date() if moment else timezone.localdate()


def application_hired(application, *, placement, actor, now: datetime.datetime | None = None):
    """Record the job of a hire (`emploi.debut`), once per application.

    The terms are the placement's when given (start date, contract, hours), else the offer's
    (contract, hours; started on the offer's start date or the hire's day, whichever is later).
    The sector is the offer's ROME code. When the person had left the département on the start
    day, the employer's hire stands (the platform keeps its placement and statistics) but no
    outcome is written in the département's pathway: the refusal is logged (no personal data)
    and None returned."""
    offer = application.offer
    hired_on = _local_day(now)
    if placement is not None:
        started_on, contract_type, hours = (
            placement.start_date,
            placement.contract_type,
            placement.hours_per_week,
        )
    else:
        started_on = max(offer.start_date, hired_on) if offer.start_date else hired_on
        contract_type, hours = offer.contract_type, offer.hours_per_week
    try:
        return workflows.record_job(
            application.person,
            started_on=started_on,
            contract_type=contract_type,
            hours_per_week=hours,
            sector=offer.appellation.rome_id,
            employer_name=offer.employer.name,
            by=actor if getattr(actor, "is_authenticated", False) else None,
            placement=placement,
            application=application,
        )
    except ValidationError:
        logger.info("Embauche (candidature %d) non reportée au parcours : personne partie", application.pk)
        return None


def application_proposed(application, *, actor, now: datetime.datetime | None = None):
    """A proposal to an employer is a contact (`mise_en_relation`) of the person's open coaching,
    counted once per application. Nothing when the person has no open coaching."""
    accompaniment = (
        Accompaniment.objects.open()
        .filter(person_id=application.person_id, programme=Programme.COACHING)
        .first()
    )
    if accompaniment is None:
        return None
    day = max(_local_day(now), accompaniment.started_on)
    return workflows.log_contact(
        accompaniment,
        on=day,
        mode=ContactMode.INTRODUCTION,
        note=f"Proposition à l'offre n°{application.offer_id}",
        by=actor if getattr(actor, "is_authenticated", False) else None,
        application=application,
    )
