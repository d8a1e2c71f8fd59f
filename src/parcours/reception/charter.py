"""Signatures of the charter of the premier accueil social inconditionnel (the only writer of
`CharterSignature`), recorded by administrators.

An organisation has at most one open signature (no end date) at a time. A signature in force
(`CharterSignature.objects.in_force()`) lets the organisation's professionals designate a
référent de parcours and be designated (`reception.referents`), and gives a partner its tray.
Ending a signature stops new designations from that day; the référents already designated stay
until someone ends or replaces them (the person's consent was given to them, not to the charter).
Both changes are audited (`ORGANISATION_SAVED`, with what changed).
"""

from __future__ import annotations

import datetime

from django.db import transaction

from parcours.core import audit
from parcours.core.models import AuditAction
from parcours.reception.models import CharterSignature


class CharterError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def sign(agent, organisation, *, on: datetime.date, request=None) -> CharterSignature:
    """Record that `organisation` signed the charter on `on`; refused while it has an open one."""
    with transaction.atomic():
        open_one = (
            CharterSignature.objects.select_for_update()
            .filter(organisation=organisation, ended_on__isnull=True)
            .first()
        )
        if open_one is not None:
            raise CharterError(
                f"{organisation} a déjà signé la charte le {open_one.signed_on:%d/%m/%Y} : "
                "mettez fin à cette signature avant d'en enregistrer une autre."
            )
        signature = CharterSignature.objects.create(organisation=organisation, signed_on=on)
        audit.record(
            agent,
            AuditAction.ORGANISATION_SAVED,
            request=request,
            organisation=organisation.pk,
            charter="signed",
        )
    return signature


def end(agent, signature: CharterSignature, *, on: datetime.date, request=None) -> CharterSignature:
    """End `signature` on `on` (after its signature day); refused when already ended."""
    with transaction.atomic():
        locked = CharterSignature.objects.select_for_update().get(pk=signature.pk)
        if locked.ended_on is not None:
            raise CharterError(f"Cette signature a déjà pris fin le {locked.ended_on:%d/%m/%Y}.")
        if on <= locked.signed_on:
            raise CharterError(f"La fin doit suivre la signature du {locked.signed_on:%d/%m/%Y}.")
        locked.ended_on = on
        locked.save(update_fields=["ended_on"])
        audit.record(
            agent,
            AuditAction.ORGANISATION_SAVED,
            request=request,
            organisation=locked.organisation_id,
            charter="ended",
        )
    return locked
