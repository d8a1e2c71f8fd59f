"""Running an import: one framework for every kind of file.

A *source* (the CNAF flux reader in `rsa.importer`, the beneficiary-file reader in
`imports.people`) knows how to validate its file and how to apply a list of records;
`run_import` does the rest, the same way for all:

- the file's SHA-256 is computed first; an identical file already imported completely
  changes nothing (a new batch says so, every record "unchanged");
- `source.prepare()` reads the file and may reject it (`FileRejected`) before anything
  changes; a source that goes on validating while its records are applied (the CNAF flux)
  says so with a `validated` property, and nothing is committed until it is true: a file
  rejected late changes nothing either;
- records are applied in chunks; each chunk, its `ImportRecord` rows and the batch's
  counts and `committed_position` are committed in one transaction. After a crash
  (even `kill -9`) running the same file again resumes the unfinished batch after its
  last committed chunk, so the final state is the one of an uninterrupted run;
- `dry_run` runs everything in a transaction that is rolled back: nothing changes, not
  even the list of imports.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from parcours.core import audit
from parcours.core.models import AuditAction, AuditChannel
from parcours.imports.bulk import insert_rows
from parcours.imports.models import BatchStatus, ImportBatch, ImportRecord, RecordStatus

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_INTERNAL_ERROR = 1
EXIT_REJECTED = 2
# Batches being imported by this process (the import page runs imports in threads).
_ACTIVE: set[int] = set()
RECORD_COLUMNS = ["batch_id", "position", "line", "key", "status", "reason", "raw"]


class FileRejected(Exception):
    """The whole file is refused; `message` is in French and names the line and element."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class SourceRecord:
    position: int
    key: str
    line: int | None
    payload: Any


@dataclass
class Outcome:
    status: str
    reason: str = ""
    raw: Any = None


class ImportSource(Protocol):
    kind: str
    file_format: str
    chunk_size: int

    def prepare(self) -> int:
        """Read and validate the file (or start to: see `validated`); raise FileRejected; return
        the number of records (an estimate is corrected at the end)."""

    def batch_fields(self) -> dict:
        """Extra ImportBatch fields known after prepare() (reference date…)."""

    def records(self) -> Iterator[SourceRecord]:
        """The records, in file order, positions 0, 1, 2…"""

    def apply(self, records: list[SourceRecord], batch: ImportBatch) -> list[Outcome]:
        """Apply a chunk (inside a transaction) and return one outcome per record."""

    def close(self) -> None: ...


@dataclass
class ImportReport:
    """What an import did, for the command line (`--json`) and the import page."""

    status: str
    message: str = ""
    file_name: str = ""
    kind: str = ""
    batch_id: int | None = None
    dry_run: bool = False
    identical_to: int | None = None
    total: int = 0
    counts: dict = field(default_factory=lambda: dict.fromkeys(RecordStatus.values, 0))
    records: list[dict] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.status == BatchStatus.REJECTED:
            return EXIT_REJECTED
        if self.status == BatchStatus.FAILED:
            return EXIT_INTERNAL_ERROR
        return EXIT_OK

    def as_dict(self) -> dict:
        return {
            "file": self.file_name,
            "kind": self.kind,
            "status": self.status,
            "message": self.message,
            "batch": self.batch_id,
            "dry_run": self.dry_run,
            "identical_to": self.identical_to,
            "total": self.total,
            "counts": self.counts,
            "records": self.records,
        }


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _record_dicts(batch: ImportBatch, which: str) -> list[dict]:
    records = batch.records.order_by("position")
    if which == "quarantined":
        records = records.filter(status=RecordStatus.QUARANTINED)
    return [
        {"position": r.position, "line": r.line, "key": r.key, "status": r.status, "reason": r.reason}
        for r in records.iterator(chunk_size=2000)
    ]


def run_import(
    source: ImportSource,
    path: str | Path,
    *,
    file_name: str | None = None,
    agent=None,
    dry_run: bool = False,
    batch: ImportBatch | None = None,
    with_records: str = "all",
    on_progress: Callable[[ImportBatch], None] | None = None,
) -> ImportReport:
    """Import one file with `source`; see the module docstring for the contract.

    `batch` is an ImportBatch created beforehand (by the import page) to follow progress;
    `with_records` is "all", "quarantined" or "none": which per-record statuses the report lists."""
    path = Path(path)
    file_name = file_name or path.name
    try:
        if dry_run:
            report = None
            with transaction.atomic():
                report = _run(source, path, file_name, agent, True, batch, with_records, on_progress)
                transaction.set_rollback(True)
            report.batch_id = None
            return report
        return _run(source, path, file_name, agent, False, batch, with_records, on_progress)
    finally:
        source.close()


def _run(source, path, file_name, agent, dry_run, batch, with_records, on_progress) -> ImportReport:
    if hasattr(source, "start"):
        source.start()  # a source that reads in the background starts while the file is hashed
    sha = file_sha256(path)
    report = ImportReport(status=BatchStatus.RUNNING, file_name=file_name, kind=source.kind, dry_run=dry_run)
    if not dry_run:
        identical = ImportBatch.objects.completed_identical(source.kind, sha).exclude(
            pk=getattr(batch, "pk", None)
        )
        identical = identical.filter(identical_to__isnull=True).order_by("-pk").first()
        if identical is not None:
            return _identical(source, sha, file_name, agent, batch, identical, report)
        running = (
            ImportBatch.objects.filter(
                kind=source.kind,
                sha256=sha,
                dry_run=False,
                status__in=[BatchStatus.RUNNING, BatchStatus.FAILED],
            )
            .exclude(pk=getattr(batch, "pk", None))
            .order_by("-pk")
            .first()
        )
        if (
            running is not None
            and running.status == BatchStatus.RUNNING
            and _pid_alive(running.pid)
            and (running.pid != os.getpid() or running.pk in _ACTIVE)
        ):
            report.status = BatchStatus.REJECTED
            report.message = (
                f"Un import de ce même fichier est déjà en cours (import n°{running.pk}). "
                "Attendez sa fin avant de relancer."
            )
            if batch is not None:
                batch.status, batch.message, batch.finished_at = report.status, report.message, timezone.now()
                batch.save(update_fields=["status", "message", "finished_at"])
                report.batch_id = batch.pk
            return report
        if running is not None:
            batch = running if batch is None else _take_over(running, batch)
    if batch is None:
        batch = ImportBatch.objects.create(
            kind=source.kind,
            file_format=source.file_format,
            file_name=file_name[:255],
            sha256=sha,
            dry_run=dry_run,
            created_by=agent if getattr(agent, "is_authenticated", False) else None,
        )
    batch.sha256 = sha
    batch.status = BatchStatus.RUNNING
    batch.pid = os.getpid()
    batch.message = ""
    batch.save(update_fields=["sha256", "status", "pid", "message"])
    report.batch_id = batch.pk
    _ACTIVE.add(batch.pk)
    try:
        try:
            total = source.prepare()
        except FileRejected as rejected:
            batch.status = BatchStatus.REJECTED
            batch.message = rejected.message
            batch.finished_at = timezone.now()
            batch.save(update_fields=["status", "message", "finished_at"])
            report.status, report.message = batch.status, batch.message
            return report
        for name, value in source.batch_fields().items():
            setattr(batch, name, value)
        batch.total = total
        batch.save(update_fields=["total", *source.batch_fields().keys()])
        if on_progress:
            on_progress(batch)
        in_memory: list[dict] = []
        try:
            _apply_chunks(source, batch, in_memory if dry_run else None, on_progress)
        except FileRejected as rejected:
            # Only a source that validates while it is applied gets here, and nothing of the
            # file was committed (see `_apply_chunks`).
            batch.refresh_from_db()
            batch.status = BatchStatus.REJECTED
            batch.message = rejected.message
            batch.finished_at = timezone.now()
            batch.save(update_fields=["status", "message", "finished_at"])
            report.status, report.message = batch.status, batch.message
            return report
        if batch.total != batch.processed:
            batch.total = batch.processed  # prepare() gave an estimate
            batch.save(update_fields=["total"])
        batch.status = BatchStatus.DONE
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "finished_at"])
        audit.record(
            agent,
            AuditAction.UPDATE,
            channel=AuditChannel.CLI if agent is None else AuditChannel.WEB,
            import_batch=batch.pk,
            kind=source.kind,
            counts=batch.counts(),
        )
    except Exception as error:
        logger.exception("Import %s en échec", batch.pk)
        if not dry_run:
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=BatchStatus.FAILED,
                message=f"Erreur interne ({type(error).__name__}) : l'import peut être relancé, "
                "il reprendra après le dernier lot enregistré.",
                finished_at=timezone.now(),
            )
            batch.refresh_from_db()
        report.status, report.message = BatchStatus.FAILED, f"Erreur interne ({type(error).__name__})."
        return report
    finally:
        _ACTIVE.discard(batch.pk)
        source.close()
    report.status = batch.status
    report.total = batch.total
    report.counts = batch.counts()
    if with_records != "none":
        if dry_run:
            report.records = [r for r in in_memory if with_records == "all" or r["status"] == "quarantined"]
        else:
            report.records = _record_dicts(batch, with_records)
    if dry_run:
        report.message = "Simulation : aucune donnée n'a été modifiée."
    elif batch.quarantined:
        plural = "s" if batch.quarantined > 1 else ""
        report.message = (
            f"{batch.quarantined} enregistrement{plural} mis en quarantaine, le reste est importé."
        )
    return report


def _chunks(source, batch: ImportBatch) -> Iterator[list[SourceRecord]]:
    """The records not committed yet, by chunks."""
    # PARCOURS_IMPORT_CHUNK_SIZE tunes the size of committed chunks (tests use small ones).
    chunk_size = int(os.environ.get("PARCOURS_IMPORT_CHUNK_SIZE") or source.chunk_size)
    chunk: list[SourceRecord] = []
    for record in source.records():
        if record.position <= batch.committed_position:
            continue
        chunk.append(record)
        if len(chunk) >= chunk_size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _apply_chunks(source, batch: ImportBatch, in_memory: list | None, on_progress) -> None:
    """Apply and commit the records chunk by chunk.

    A source may still be validating its file while its first records are applied (the CNAF
    flux is read in a second process); until its `validated` is true, the chunks stay in one
    uncommitted transaction, so that a file rejected late (FileRejected raised by `records()`
    or `validated`) changes nothing. From then on each chunk commits on its own."""
    chunks = _chunks(source, batch)
    with _fewer_collections():
        if not getattr(source, "validated", True):
            with transaction.atomic():
                for chunk in chunks:
                    _commit(source, batch, chunk, in_memory)
                    if on_progress:
                        on_progress(batch)
                    if source.validated:
                        break
        for chunk in chunks:
            _commit(source, batch, chunk, in_memory)
            if on_progress:
                on_progress(batch)


@contextmanager
def _fewer_collections():
    """An import allocates millions of short-lived objects and hardly any cycle: the cyclic
    garbage collector, left at its default threshold, would spend a tenth of the time walking
    them. Objects alive before the import are set aside, and collections are made rarer."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _take_over(interrupted: ImportBatch, batch: ImportBatch) -> ImportBatch:
    """The import page's new batch resumes an interrupted import of the same file."""
    with transaction.atomic():
        interrupted.records.update(batch=batch)
        for name in ("total", "processed", "committed_position", *RecordStatus.values):
            setattr(batch, name, getattr(interrupted, name))
        batch.save()
        interrupted.status = BatchStatus.FAILED
        interrupted.message = f"Interrompu ; repris par l'import n°{batch.pk}."
        interrupted.finished_at = timezone.now()
        interrupted.save(update_fields=["status", "message", "finished_at"])
    return batch


def _identical(source, sha, file_name, agent, batch, identical, report) -> ImportReport:
    values = {
        "kind": source.kind,
        "file_format": source.file_format,
        "file_name": file_name[:255],
        "sha256": sha,
        "status": BatchStatus.DONE,
        "identical_to": identical,
        "total": identical.total,
        "processed": identical.total,
        "unchanged": identical.total,
        "reference_date": identical.reference_date,
        "flux_type": identical.flux_type,
        "message": (
            f"Ce fichier a déjà été importé entièrement (import n°{identical.pk} du "
            f"{timezone.localtime(identical.started_at):%d/%m/%Y à %H:%M}) : rien n'a changé."
        ),
        "finished_at": timezone.now(),
        "created_by": agent if getattr(agent, "is_authenticated", False) else None,
    }
    if batch is None:
        batch = ImportBatch.objects.create(**values)
    else:
        for name, value in values.items():
            setattr(batch, name, value)
        batch.save()
    source.close()
    report.status, report.message, report.batch_id = batch.status, batch.message, batch.pk
    report.identical_to = identical.pk
    report.total = batch.total
    report.counts = batch.counts()
    return report


def _commit(source, batch: ImportBatch, chunk: list[SourceRecord], in_memory: list | None) -> None:
    with transaction.atomic():
        outcomes = source.apply(chunk, batch)
        rows = []
        for record, outcome in zip(chunk, outcomes, strict=True):
            quarantined = outcome.status == RecordStatus.QUARANTINED
            rows.append(
                (
                    batch.pk,
                    record.position,
                    record.line,
                    record.key[:100],
                    outcome.status,
                    outcome.reason,
                    outcome.raw if quarantined else None,
                )
            )
            if in_memory is not None:
                in_memory.append(
                    {
                        "position": record.position,
                        "line": record.line,
                        "key": record.key,
                        "status": outcome.status,
                        "reason": outcome.reason,
                    }
                )
        insert_rows(ImportRecord, RECORD_COLUMNS, rows, returning=False)
        counts = Counter(o.status for o in outcomes)
        ImportBatch.objects.filter(pk=batch.pk).update(
            processed=F("processed") + len(chunk),
            committed_position=chunk[-1].position,
            **{status: F(status) + counts.get(status, 0) for status in RecordStatus.values},
        )
    batch.processed += len(chunk)
    batch.committed_position = chunk[-1].position
    for status in RecordStatus.values:
        setattr(batch, status, getattr(batch, status) + counts.get(status, 0))
