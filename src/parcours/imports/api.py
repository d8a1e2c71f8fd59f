"""`/api/v1/imports/`: the reports of imports (counts and per-record statuses, no personal data)."""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from parcours.imports.models import ImportBatch, RecordStatus

router = Router(tags=["Imports"])
IMPORT_ROLES = {"administrateur", "manager", "charge_orientation"}


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
    agent = request.auth
    if not (agent.is_administrator or agent.role in IMPORT_ROLES):
        raise HttpError(
            403, "Les imports sont réservés aux administrateurs, responsables et chargés d'orientation."
        )


@router.get("/", response=list[BatchOut], summary="Derniers imports")
def list_batches(request):
    _check(request)
    return list(ImportBatch.objects.all()[:50])


@router.get("/{batch_id}", response=BatchDetailOut, summary="Compte rendu d'un import")
def batch_detail(request, batch_id: int):
    _check(request)
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    batch.quarantined_records = list(
        batch.records.filter(status=RecordStatus.QUARANTINED).order_by("position")[:1000]
    )
    return batch
