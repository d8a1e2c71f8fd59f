import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.access import visible_persons
from parcours.core.listings import Column, Listing
from parcours.core.models import AuditAction, AuditChannel
from parcours.core.spreadsheet_safety import neutralised
from parcours.imports import background, duplicates
from parcours.imports.forms import ImportUploadForm
from parcours.imports.models import (
    DuplicateCandidate,
    DuplicateStatus,
    ImportBatch,
    ImportKind,
    RecordStatus,
)

RECORDS_PER_PAGE = 50
BATCH_COLUMNS = {
    "numero": Column("N°", lambda b: b.pk, ("id",)),
    "date": Column("Date", lambda b: b.started_at, ("started_at",)),
    "type": Column("Type", lambda b: b.get_kind_display(), ("kind",)),
    "fichier": Column("Fichier", lambda b: b.file_name, ("file_name",)),
    "statut": Column(
        "Statut", lambda b: b.get_status_display() + (" (simulation)" if b.dry_run else ""), ("status",)
    ),
    "crees": Column("Créés", lambda b: b.created, ("created",)),
    "maj": Column("Mis à jour", lambda b: b.updated, ("updated",)),
    "inchanges": Column("Inchangés", lambda b: b.unchanged, ("unchanged",)),
    "quarantaine": Column("Quarantaine", lambda b: b.quarantined, ("quarantined",)),
    "par": Column("Par", lambda b: str(b.created_by or "commande"), ("created_by__last_name",)),
}


IMPORT_REFUSAL = "Les imports sont réservés aux administrateurs, responsables et chargés d'orientation."
may_import = agent_may("may_import", IMPORT_REFUSAL)


@may_import
def index(request):
    """Upload a file and list the latest imports the agent may read."""
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        agent=request.user,
        upload_refused=getattr(request, "upload_refused", ""),
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            path, mapping_path = background.save_uploads(upload, form.cleaned_data["mapping"])
        except background.UploadNotSaved as error:  # disk full: no file kept, no batch created
            form.add_error("file", str(error))
        else:
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
    batches = ImportBatch.objects.visible_to(request.user).select_related("created_by")
    listing = Listing(
        request, batches, BATCH_COLUMNS, default_sort="-date", name="imports", person_id=lambda batch: None
    )
    if listing.export_format:
        return listing.export()
    pending = DuplicateCandidate.objects.pending().count()
    context = {
        "form": form,
        "page_obj": listing.page,
        "listing": listing,
        "pending_duplicates": pending,
        "title": "Imports de fichiers",
    }
    return render(request, "imports/index.html", context)


@may_import
def detail(request, batch_id: int):
    """The report of an import; while it runs, htmx polls the progress partial."""
    batch = _batch_for(request, batch_id, ImportBatch.objects.select_related("created_by", "identical_to"))
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
    # The report quotes rejected rows (names, birth dates): its reading is traced.
    audit.record(request.user, AuditAction.VIEW, request=request, import_batch=batch.pk, page=page.number)
    return render(request, "imports/detail.html", context)


@may_import
def rejected(request, batch_id: int):
    """The quarantined records as a CSV the user can fix and send again (cells that a spreadsheet
    would run as formulas are neutralised: they come from the uploaded file)."""
    batch = _batch_for(request, batch_id)
    records = list(batch.records.filter(status=RecordStatus.QUARANTINED).order_by("position"))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    if batch.kind in (ImportKind.PEOPLE, ImportKind.DIRECTORY):
        headers: list[str] = []
        for record in records:
            for name in (record.raw or {}).get("columns", []):
                if name not in headers:
                    headers.append(name)
        writer.writerow(neutralised([*headers, "Motif du rejet"]))
        for record in records:
            raw = record.raw or {}
            values = dict(zip(raw.get("columns", []), raw.get("values", []), strict=False))
            writer.writerow(neutralised([*(values.get(h, "") for h in headers), record.reason]))
    else:
        writer.writerow(["Ligne", "Dossier (organisme/numéro/matricule)", "N° de demande RSA", "Motif"])
        for record in records:
            writer.writerow(
                neutralised(
                    [record.line, record.key, (record.raw or {}).get("request_number", ""), record.reason]
                )
            )
    audit.record(request.user, AuditAction.EXPORT, request=request, import_batch=batch.pk, rows=len(records))
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-rejets.csv"'
    return response


@may_import
def duplicate_list(request):
    """The "doublons à vérifier" queue, limited to the persons the agent may see."""
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
    shown = [
        pk
        for c in page
        for pk in (c.person_id if c.person else None, c.duplicate_id if c.duplicate else None)
    ]
    audit.record_shown(request.user, shown, request=request)
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


@may_import
@require_POST
def duplicate_decide(request, candidate_id: int, action: str):
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
        if isinstance(refused, duplicates.OutOfScope):
            audit.record(request.user, AuditAction.DENIED, request=request, duplicate_candidate=candidate.pk)
        messages.error(request, str(refused))
    else:
        labels = {
            "fusionner": "Les deux fiches ont été fusionnées.",
            "separer": "Les deux personnes sont déclarées distinctes.",
            "annuler": "La décision a été annulée.",
        }
        messages.success(request, labels[action])
    return redirect("imports:duplicates")


def _batch_for(request, batch_id: int, queryset=None) -> ImportBatch:
    """The batch if the agent may read its report, else 404 (the refusal audited)."""
    queryset = queryset if queryset is not None else ImportBatch.objects.all()
    batch = queryset.visible_to(request.user).filter(pk=batch_id).first()
    if batch is None:
        audit.record(request.user, AuditAction.DENIED, request=request, import_batch=batch_id)
        raise Http404("Import introuvable.")
    return batch
