"""The daily retention task (schedule in core/schedules.py): `run_retention()`.

In order: persons archived earlier who are active again go back to the active base; persons
inactive past their active periods go to the intermediate archive; archived persons past every
archive period are anonymised; the files past their retention are deleted (`core.retention`) and
the raw rows of old imports are cleared. Work is done in batches of `batch_size` persons, each
committed on its own: a run interrupted is resumed by the next one (the state is in
`PersonArchive`), and its `RetentionRun` keeps the counts reached. The report holds counts per
category, never a name.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter

from django.conf import settings
from django.utils import timezone

from parcours.privacy import categories, lifecycle
from parcours.privacy.models import RetentionRun, RunStatus

logger = logging.getLogger(__name__)
BATCH_SIZE = 1000


def run_retention(now: datetime.datetime | None = None, *, batch_size: int = BATCH_SIZE) -> dict:
    """One retention run as of `now`; returns its counts (also saved in a `RetentionRun`)."""
    now = now or timezone.now()
    _close_interrupted(now)
    run = RetentionRun.objects.create(as_of=now, periods=_periods())
    persons: Counter = Counter(reactivated=0, archived=0, anonymised=0)
    rows: Counter = Counter()

    def save() -> None:
        run.counts = {
            "persons": dict(persons),
            "categories": {code: rows.get(code, 0) for code in categories.BY_CODE},
        }
        run.save(update_fields=["counts"])

    try:
        archived = sorted(lifecycle.archived_ids())
        for start in range(0, len(archived), batch_size):
            back = lifecycle.to_reactivate(now, archived[start : start + batch_size])
            persons["reactivated"] += lifecycle.reactivate(back) if back else 0
        save()
        for ids in _batches(lifecycle.archivable(now), lifecycle.not_archived_ids(), batch_size):
            persons["archived"] += lifecycle.archive(ids, now=now, run=run)
            save()
        for ids in _batches(lifecycle.anonymisable(now), lifecycle.archived_ids(), batch_size):
            rows.update(lifecycle.anonymise(ids, now=now))
            persons["anonymised"] += len(ids)
            save()
        rows["fichiers"] += _purge_files(now)
        save()
    except Exception as error:
        run.status, run.error, run.finished_at = RunStatus.FAILED, type(error).__name__[:300], timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        logger.warning("Conservation des données : passage %s interrompu (%s)", run.pk, type(error).__name__)
        raise
    run.status, run.finished_at = RunStatus.DONE, timezone.now()
    run.save(update_fields=["status", "finished_at"])
    return run.counts


def _batches(queryset, candidates, size: int):
    """Lists of at most `size` ids of `queryset`, by increasing id, among `candidates` (a cheap
    superset: ids of the persons not archived yet, or archived and not anonymised). Each batch
    asks `queryset` about its own ids only (`pk IN (…)`: the database checks the conditions for
    those rows, by index), when its turn comes: a person who became active meanwhile (a new event,
    a follow-up opened) is left alone. (One query over every person lets PostgreSQL misjudge the
    many NOT EXISTS conditions and pick a plan that takes hours on a département.)"""
    candidates = sorted(candidates)
    for start in range(0, len(candidates), size):
        chunk = candidates[start : start + size]
        ids = list(queryset.filter(pk__in=chunk).order_by("pk").values_list("pk", flat=True))
        if ids:
            yield ids


def _purge_files(now: datetime.datetime) -> int:
    from parcours.core.retention import purge_personal_files
    from parcours.imports.models import ImportRecord

    deleted = sum(purge_personal_files(now).values())
    cutoff = now - datetime.timedelta(days=settings.PARCOURS_UPLOAD_RETENTION_DAYS)
    cleared = ImportRecord.objects.filter(batch__started_at__lt=cutoff, raw__isnull=False).update(raw=None)
    return deleted + cleared


def _periods() -> dict:
    return {category.code: list(category.periods()) for category in categories.CATEGORIES}


def _close_interrupted(now: datetime.datetime) -> None:
    """Runs left "running" longer than the queue's timeout died: say so."""
    limit = now - datetime.timedelta(seconds=settings.Q_CLUSTER.get("timeout", 3600))
    RetentionRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=limit).update(
        status=RunStatus.FAILED, error="interrompu", finished_at=now
    )
