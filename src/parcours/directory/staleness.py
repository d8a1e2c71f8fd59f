"""Entries not updated for six months: the « À mettre à jour » flag and the monthly reminder.

A service is stale when its `date_maj` (set by the source on import, or by its structure's agent on
each edit) is more than `STALE_AFTER_MONTHS` (6) months old, or missing (`Service.objects.stale`).
`remind_owners()` (daily task, `core.schedules.DAILY_TASKS`) writes to the active agents of the
organisation owning each stale service's structure, one e-mail per agent whatever the number of
services, through the one notification path (`MessageKind.DIRECTORY_ALERT`, context `text` without
any personal data — a count — and `path`, their services' page). Each service reminded gets
`reminded_at`, and is not reminded again before a month has passed (an edit clears it). Stale
services of structures without an organisation have no one to remind: they stay flagged only.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from parcours.core.dates import add_months
from parcours.core.french import plural
from parcours.directory.models import Service

REMIND_EVERY_MONTHS = 1


def is_stale(service: Service, today: datetime.date | None = None) -> bool:
    """Whether the service shows « À mettre à jour »."""
    return service.is_stale(today or timezone.localdate())


def due_for_reminder(today: datetime.date | None = None):
    """Stale services with an owner, not reminded in the last month."""
    today = today or timezone.localdate()
    last = timezone.make_aware(
        datetime.datetime.combine(add_months(today, -REMIND_EVERY_MONTHS), datetime.time())
    )
    return (
        Service.objects.stale(today)
        .filter(structure__organisation__isnull=False)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=last))
    )


def remind_owners(today: datetime.date | None = None) -> dict[str, int]:
    """Queue and deliver the reminders (see the module docstring); returns counts
    {"services": reminded services, "agents": agents written to}."""
    from parcours.accounts.models import Agent, Role
    from parcours.appointments import notifications
    from parcours.appointments.models import Channel, Message, MessageKind

    today = today or timezone.localdate()
    due = list(due_for_reminder(today).values_list("pk", "structure__organisation_id"))
    if not due:
        return {"services": 0, "agents": 0}
    by_organisation: dict[int, list[int]] = {}
    for pk, organisation_id in due:
        by_organisation.setdefault(organisation_id, []).append(pk)
    agents = (
        Agent.objects.filter(organisation_id__in=by_organisation, is_active=True)
        .exclude(role=Role.EMPLOYEUR)
        .order_by("pk")
    )
    path = reverse("directory:my_services")
    ids, written = [], 0
    with transaction.atomic():
        for agent in agents:
            count = len(by_organisation[agent.organisation_id])
            text = (
                f"{plural(count, 'service')} de votre structure "
                f"{'n’a' if count == 1 else 'n’ont'} pas été mis à jour depuis six mois dans l'annuaire "
                "des services : vérifiez les horaires, contacts et conditions, puis enregistrez."
            )
            for message in notifications.queue(
                MessageKind.DIRECTORY_ALERT,
                [Channel.EMAIL],
                agent=agent,
                context={"text": text, "path": path},
            ):
                ids.append(message.pk)
            written += 1
        reminded = [pk for organisation_id, pks in by_organisation.items() for pk in pks]
        Service.objects.filter(pk__in=reminded).update(reminded_at=timezone.now())
    if ids:
        notifications.deliver(Message.objects.filter(pk__in=ids).order_by("id"))
    return {"services": len(reminded), "agents": written}
