"""`/api/v1/imports/`: the reports of imports (counts and per-record statuses, no personal data)."""

import datetime

from ninja import Router, Schema
from ninja.errors import HttpError

from parcours.accounts.permissions import allows
from parcours.core import audit
from parcours.core.models import AuditAction
from parcours.imports.models import ImportBatch, RecordStatus

router = Router(tags=["Imports"])


class RecordOut(Schema):
    position: int
    line: int | None
    key: str
    status: str
    reason: str


class BatchOut(Schema):
    id: int
    kind: str
    file_name: str
    status: str
    message: str
    dry_run: bool
    reference_date: datetime.date | None
    total: int
    processed: int
    created: int
    updated: int
    unchanged: int
    quarantined: int
    started_at: datetime.datetime
    finished_at: datetime.datetime | None


class BatchDetailOut(BatchOut):
    quarantined_records: list[RecordOut]


def _check(request) -> None:
    if not allows(request.auth, "may_import"):
        audit.record(request.auth, AuditAction.DENIED, request=request, permission="may_import")
        raise HttpError(
            403, "Les imports sont réservés aux administrateurs, responsables et chargés d'orientation."
        )


@router.get("/", response=list[BatchOut], summary="Derniers imports")
def list_batches(request):
    _check(request)
    return list(ImportBatch.objects.visible_to(request.auth)[:50])


@router.get("/{batch_id}", response=BatchDetailOut, summary="Compte rendu d'un import")
def batch_detail(request, batch_id: int):
    _check(request)
    batch = ImportBatch.objects.visible_to(request.auth).filter(pk=batch_id).first()
    if batch is None:
        audit.record(request.auth, AuditAction.DENIED, request=request, import_batch=batch_id)
        raise HttpError(404, "Import introuvable.")
    audit.record(request.auth, AuditAction.VIEW, request=request, import_batch=batch.pk)
    batch.quarantined_records = list(
        batch.records.filter(status=RecordStatus.QUARANTINED).order_by("position")[:1000]
    )
    return batch
