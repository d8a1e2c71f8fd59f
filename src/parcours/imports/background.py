"""Running an import from the web: the upload is saved under var/imports and imported as a
task of the queue (django-q2, `parcours qcluster`; inline when settings.PARCOURS_IMPORTS_SYNC
or the queue's "sync" is true, as in tests); the page follows `ImportBatch.processed` / `total`.
A CNAF import then opens the follow-ups of the persons it made soumis à droits et devoirs."""

from __future__ import annotations

import errno
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_q.tasks import async_task

from parcours.core.private_files import open_private, private_directory
from parcours.imports.models import BatchStatus, ImportBatch, ImportKind
from parcours.imports.people import PeopleFileSource
from parcours.imports.runner import FileRejected, run_import
from parcours.orientation.followups import open_followups_after_import
from parcours.rsa.importer import CnafFluxSource

logger = logging.getLogger(__name__)


def upload_dir() -> Path:
    """var/imports/: the uploaded files, readable by the server's user only (and deleted after
    PARCOURS_UPLOAD_RETENTION_DAYS by `parcours purge-files`)."""
    return private_directory(Path(settings.VAR_DIR) / "imports")


DISK_FULL_MESSAGE = (
    "Le fichier n'a pas pu être enregistré : l'espace disque du serveur est plein. Aucun import "
    "n'a été lancé. Réessayez plus tard ; si cela se reproduit, prévenez l'administrateur de Parcours."
)


class UploadNotSaved(Exception):
    """The upload could not be stored for lack of space; nothing of it was kept."""


def save_upload(uploaded) -> Path:
    """Store an upload under var/imports. On a full disk (or quota), raise UploadNotSaved and
    leave no partial file."""
    suffix = Path(uploaded.name).suffix.lower()[:10]
    target = upload_dir() / f"{uuid.uuid4().hex}{suffix}"
    try:
        with open_private(target, "wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
    except OSError as error:
        target.unlink(missing_ok=True)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise UploadNotSaved(DISK_FULL_MESSAGE) from error
        raise
    return target


def save_uploads(uploaded, mapping=None) -> tuple[Path, str | None]:
    """Store the file and its optional mapping file: both, or neither (UploadNotSaved)."""
    path = save_upload(uploaded)
    try:
        return path, str(save_upload(mapping)) if mapping else None
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def run_batch(
    batch_id: int, *, file_format: str = "", mapping_path: str | None = None, dry_run: bool = False
):
    """Import the file of a pending batch created by the import page."""
    try:
        batch = ImportBatch.objects.get(pk=batch_id)
        path = Path(batch.upload_path)
        agent = batch.created_by
        try:
            # The same permissions as the page that created the batch, checked again here: the
            # account may have changed in between, and no batch runs without an agent.
            if agent is None or not agent.is_active or not agent.may_import:
                raise FileRejected("L'agent qui a lancé cet import n'a pas (ou plus) le droit d'importer.")
            if batch.kind == ImportKind.CNAF:
                if not agent.may_import_cnaf:
                    raise FileRejected("Le flux CNAF ne peut être importé que par un administrateur.")
                source = CnafFluxSource(path)
            else:
                source = PeopleFileSource(
                    path, file_format=file_format or "csv", mapping_file=mapping_path, agent=agent
                )
        except FileRejected as rejected:
            batch.status, batch.message = BatchStatus.REJECTED, rejected.message
            batch.save(update_fields=["status", "message"])
            return
        report = run_import(
            source,
            path,
            file_name=batch.file_name,
            agent=agent,
            dry_run=dry_run,
            batch=None if dry_run else batch,
            with_records="none",
        )
        if batch.kind == ImportKind.CNAF:
            open_followups_after_import(report.batch_id)
        if dry_run:
            # The simulation rolled everything back; only its counts are kept, on this batch.
            ImportBatch.objects.filter(pk=batch_id).update(
                status=report.status,
                message=report.message or "Simulation terminée : aucune donnée n'a été modifiée.",
                total=report.total,
                processed=report.total,
                **report.counts,
            )
    except Exception:
        logger.exception("Import %s en échec", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(status=BatchStatus.FAILED, message="Erreur interne.")


def start(batch: ImportBatch, **options) -> None:
    """Queue the import of `batch` (run it inline if PARCOURS_IMPORTS_SYNC)."""
    if getattr(settings, "PARCOURS_IMPORTS_SYNC", False):
        run_batch(batch.pk, **options)
        return
    # Queued once the batch is committed: a worker (with the Redis broker, at once) must find it.
    transaction.on_commit(
        lambda: async_task(
            "parcours.imports.background.run_batch",
            batch.pk,
            group="imports",
            task_name=f"import-{batch.pk}",
            **options,
        )
    )
