"""The periodic schedules of the task queue (django-q2), created without anyone running a command.

`ensure_schedules()` runs after every `migrate` (post_migrate, see core/apps.py): it creates or
updates, by name, one daily `django_q.Schedule` per entry of `DAILY_TASKS`, at the local time
(Europe/Paris) given by settings.PARCOURS_SCHEDULE_TIMES, and one every-N-minutes Schedule per
entry of `PERIODIC_TASKS` (N read from the setting it names). The cluster (`parcours qcluster`)
runs them. A later daily job is one more line in `DAILY_TASKS` and one more time in settings.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class DailyTask:
    name: str  # the Schedule's name, unique
    func: str  # dotted path of the function the cluster calls
    time_setting: str  # key of settings.PARCOURS_SCHEDULE_TIMES


DAILY_TASKS = [
    DailyTask("Créneaux des semaines à venir", "parcours.appointments.tasks.generate_slots_ahead", "slots"),
    DailyTask(
        "Orientation : suivis, invitations, relances, convocations",
        "parcours.orientation.tasks.run_daily_pipeline",
        "orientation",
    ),
    DailyTask("Expiration des offres d'emploi", "parcours.jobs.expiry.expire_offers", "offers"),
    # Archives, anonymises, then deletes the files past their retention (core.retention inside).
    DailyTask(
        "Conservation des données : archivage, anonymisation, fichiers échus",
        "parcours.privacy.tasks.run_retention",
        "retention",
    ),
    DailyTask(
        "Fin des accompagnements après clôture des droits ou départ",
        "parcours.accompaniment.tasks.close_after_rights_events",
        "accompaniment",
    ),
    DailyTask(
        "Purge de conservation du journal d'audit",
        "parcours.core.audit_chain.purge_expired",
        "audit_retention",
    ),
    DailyTask(
        "Annuaire : expiration des orientations vers un service restées sans réponse",
        "parcours.directory.orientations.expire_overdue",
        "directory_orientations",
    ),
    DailyTask(
        "Annuaire : rappel des services à mettre à jour",
        "parcours.directory.tasks.remind_stale_services",
        "directory_staleness",
    ),
    DailyTask(
        "Aides : paiements mensuels suspendus ou repris selon le justificatif périodique",
        "parcours.aids.tasks.review_payment_certificates",
        "aids_payments",
    ),
]


@dataclass(frozen=True)
class PeriodicTask:
    """A job run every few minutes."""

    name: str  # the Schedule's name, unique
    func: str  # dotted path of the function the cluster calls
    minutes_setting: str  # name of the setting holding the period, in minutes


PERIODIC_TASKS = [
    PeriodicTask(
        "Scellement du journal d'audit", "parcours.core.audit_chain.seal", "PARCOURS_AUDIT_SEAL_MINUTES"
    ),
    PeriodicTask(
        "Premier accueil : demandes en retard signalées aux responsables",
        "parcours.reception.tasks.escalate_overdue",
        "PARCOURS_FRONT_DOOR_ESCALATION_MINUTES",
    ),
]


def next_run_at(hh_mm: str, now: datetime.datetime | None = None) -> datetime.datetime:
    """The next local time `hh_mm` ("06:30") after `now`, as an aware datetime."""
    now = timezone.localtime(now)
    hour, minute = (int(part) for part in hh_mm.split(":"))
    candidate = timezone.make_aware(datetime.datetime.combine(now.date(), datetime.time(hour, minute)))
    if candidate <= now:
        candidate = timezone.make_aware(
            datetime.datetime.combine(now.date() + datetime.timedelta(days=1), datetime.time(hour, minute))
        )
    return candidate


def ensure_schedules() -> int:
    """Create or update the daily schedules (idempotent); returns how many exist."""
    from django_q.models import Schedule

    times = settings.PARCOURS_SCHEDULE_TIMES
    for task in DAILY_TASKS:
        hh_mm = times[task.time_setting]
        schedule = Schedule.objects.filter(name=task.name).first()
        if schedule is not None and schedule.func == task.func and _time_of(schedule) == hh_mm:
            continue  # unchanged: its next run stays as the cluster set it
        Schedule.objects.update_or_create(
            name=task.name,
            defaults={
                "func": task.func,
                "schedule_type": Schedule.DAILY,
                "repeats": -1,
                "next_run": next_run_at(hh_mm),
            },
        )
    for task in PERIODIC_TASKS:
        minutes = int(getattr(settings, task.minutes_setting))
        schedule = Schedule.objects.filter(name=task.name).first()
        if schedule is not None and schedule.func == task.func and schedule.minutes == minutes:
            continue
        Schedule.objects.update_or_create(
            name=task.name,
            defaults={
                "func": task.func,
                "schedule_type": Schedule.MINUTES,
                "minutes": minutes,
                "repeats": -1,
                "next_run": timezone.now() + datetime.timedelta(minutes=minutes),
            },
        )
    return len(DAILY_TASKS) + len(PERIODIC_TASKS)


def _time_of(schedule) -> str:
    return timezone.localtime(schedule.next_run).strftime("%H:%M") if schedule.next_run else ""


def ensure_schedules_after_migrate(sender, app_config=None, using="default", **kwargs) -> None:
    """post_migrate receiver: once the queue's tables exist, ensure the schedules."""
    if getattr(app_config, "label", None) != "django_q" or using != "default":
        return
    ensure_schedules()
