"""Running an import from the web: the upload is saved under var/imports and imported in a
background thread (or inline when settings.PARCOURS_IMPORTS_SYNC is true, as in tests);
the page follows `ImportBatch.processed` / `total`."""

from __future__ import annotations

import logging
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection

from parcours.imports.models import BatchStatus, ImportBatch, ImportKind
from parcours.imports.people import PeopleFileSource
from parcours.imports.runner import FileRejected, run_import
from parcours.rsa.importer import CnafFluxSource

logger = logging.getLogger(__name__)


def upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_upload(uploaded) -> Path:
    suffix = Path(uploaded.name).suffix.lower()[:10]
    target = upload_dir() / f"{uuid.uuid4().hex}{suffix}"
    with open(target, "wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return target


def run_batch(
    batch_id: int, *, file_format: str = "", mapping_path: str | None = None, dry_run: bool = False
):
    """Import the file of a pending batch created by the import page."""
    try:
        batch = ImportBatch.objects.get(pk=batch_id)
        path = Path(batch.upload_path)
        try:
            if batch.kind == ImportKind.CNAF:
                source = CnafFluxSource(path)
            else:
                source = PeopleFileSource(path, file_format=file_format or "csv", mapping_file=mapping_path)
        except FileRejected as rejected:
            batch.status, batch.message = BatchStatus.REJECTED, rejected.message
            batch.save(update_fields=["status", "message"])
            return
        report = run_import(
            source,
            path,
            file_name=batch.file_name,
            agent=batch.created_by,
            dry_run=dry_run,
            batch=None if dry_run else batch,
            with_records="none",
        )
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


def _in_thread(batch_id: int, options: dict) -> None:
    close_old_connections()
    try:
        run_batch(batch_id, **options)
    finally:
        connection.close()


def start(batch: ImportBatch, **options) -> None:
    """Run the import of `batch` in a background thread (inline if PARCOURS_IMPORTS_SYNC)."""
    if getattr(settings, "PARCOURS_IMPORTS_SYNC", False):
        run_batch(batch.pk, **options)
        return
    threading.Thread(target=_in_thread, args=(batch.pk, options), daemon=True).start()
