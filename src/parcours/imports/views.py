import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from parcours.accounts.models import Role
from parcours.core import audit
from parcours.core.access import visible_persons
from parcours.core.models import AuditAction, AuditChannel
from parcours.imports import background, duplicates
from parcours.imports.forms import ImportUploadForm
from parcours.imports.models import (
    DuplicateCandidate,
    DuplicateStatus,
    ImportBatch,
    ImportKind,
    RecordStatus,
)

IMPORT_ROLES = {Role.ADMINISTRATEUR, Role.MANAGER, Role.CHARGE_ORIENTATION}
RECORDS_PER_PAGE = 50
BATCHES_SHOWN = 30


def _require_import_role(agent) -> None:
    if not (agent.is_administrator or agent.role in IMPORT_ROLES):
        raise PermissionDenied(
            "Les imports sont réservés aux administrateurs, responsables et chargés d'orientation."
        )


@login_required
def index(request):
    """Upload a file and list the latest imports."""
    _require_import_role(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        path = background.save_upload(upload)
        mapping_path = None
        if form.cleaned_data["mapping"]:
            mapping_path = str(background.save_upload(form.cleaned_data["mapping"]))
        kind = form.cleaned_data["kind"]
        batch = ImportBatch.objects.create(
            kind=kind,
            file_format=form.cleaned_data["file_format"] if kind == ImportKind.PEOPLE else "vrsb0801",
            file_name=upload.name[:255],
            sha256="",
            dry_run=form.cleaned_data["dry_run"],
            created_by=request.user,
            upload_path=str(path),
        )
        background.start(
            batch,
            file_format=form.cleaned_data["file_format"],
            mapping_path=mapping_path,
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect("imports:detail", batch_id=batch.pk)
    batches = ImportBatch.objects.select_related("created_by")[:BATCHES_SHOWN]
    pending = DuplicateCandidate.objects.pending().count()
    return render(
        request,
        "imports/index.html",
        {"form": form, "batches": batches, "pending_duplicates": pending, "title": "Imports de fichiers"},
    )


@login_required
def detail(request, batch_id: int):
    """The report of an import; while it runs, htmx polls the progress partial."""
    _require_import_role(request.user)
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by", "identical_to"), pk=batch_id)
    status_filter = request.GET.get("statut", RecordStatus.QUARANTINED)
    records = batch.records.all()
    if status_filter in RecordStatus.values:
        records = records.filter(status=status_filter)
    page = Paginator(records.order_by("position"), RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "batch": batch,
        "page_obj": page,
        "status_filter": status_filter,
        "statuses": RecordStatus.choices,
        "title": f"Import n°{batch.pk}",
        "breadcrumb_data": {
            "links": [{"url": "/imports/", "title": "Imports"}],
            "current": f"Import n°{batch.pk}",
        },
    }
    if request.htmx and request.GET.get("partial") == "progress":
        return render(request, "imports/_progress.html", context)
    return render(request, "imports/detail.html", context)


@login_required
def rejected(request, batch_id: int):
    """The quarantined records as a CSV the user can fix and send again."""
    _require_import_role(request.user)
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    records = list(batch.records.filter(status=RecordStatus.QUARANTINED).order_by("position"))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    if batch.kind == ImportKind.PEOPLE:
        headers: list[str] = []
        for record in records:
            for name in (record.raw or {}).get("columns", []):
                if name not in headers:
                    headers.append(name)
        writer.writerow([*headers, "Motif du rejet"])
        for record in records:
            raw = record.raw or {}
            values = dict(zip(raw.get("columns", []), raw.get("values", []), strict=False))
            writer.writerow([*(values.get(h, "") for h in headers), record.reason])
    else:
        writer.writerow(["Ligne", "Dossier (organisme/numéro/matricule)", "N° de demande RSA", "Motif"])
        for record in records:
            writer.writerow(
                [record.line, record.key, (record.raw or {}).get("request_number", ""), record.reason]
            )
    audit.record(request.user, AuditAction.EXPORT, request=request, import_batch=batch.pk, rows=len(records))
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-rejets.csv"'
    return response


@login_required
def duplicate_list(request):
    """The "doublons à vérifier" queue, limited to the persons the agent may see."""
    _require_import_role(request.user)
    status = request.GET.get("statut", DuplicateStatus.PENDING)
    candidates = DuplicateCandidate.objects.filter(status=status).order_by("-created_at", "-id")
    visible = visible_persons(request.user)
    candidates = candidates.filter(
        Q(person__in=visible) | Q(duplicate_id__in=visible.values("pk"))
    ).select_related("person__commune", "decided_by")
    page = Paginator(candidates, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    duplicate_ids = [c.duplicate_id for c in page]
    persons = {p.pk: p for p in visible.filter(pk__in=duplicate_ids).select_related("commune")}
    for candidate in page:
        candidate.duplicate = persons.get(candidate.duplicate_id)
        if candidate.person is not None and not visible.filter(pk=candidate.person_id).exists():
            candidate.person = None
    audit.record(request.user, AuditAction.SEARCH, channel=AuditChannel.WEB, duplicates=page.paginator.count)
    return render(
        request,
        "imports/duplicates.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": DuplicateStatus.choices,
            "title": "Doublons à vérifier",
        },
    )


@login_required
@require_POST
def duplicate_decide(request, candidate_id: int, action: str):
    _require_import_role(request.user)
    visible = visible_persons(request.user)
    candidate = get_object_or_404(
        DuplicateCandidate.objects.filter(Q(person__in=visible) | Q(duplicate_id__in=visible.values("pk"))),
        pk=candidate_id,
    )
    handlers = {"fusionner": duplicates.merge, "separer": duplicates.separate, "annuler": duplicates.undo}
    if action not in handlers:
        raise PermissionDenied
    try:
        handlers[action](candidate, request.user, request=request)
    except duplicates.DecisionRefused as refused:
        messages.error(request, str(refused))
    else:
        labels = {
            "fusionner": "Les deux fiches ont été fusionnées.",
            "separer": "Les deux personnes sont déclarées distinctes.",
            "annuler": "La décision a été annulée.",
        }
        messages.success(request, labels[action])
    return redirect("imports:duplicates")
