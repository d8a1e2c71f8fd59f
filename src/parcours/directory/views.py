"""Pages of the directory: the search (list, map, export), a service's page, a structure agent's
services and their edit, the import of data·inclusion / DORA files.

The search's query layer is `directory.search`; views only read the form and render. A service of
another structure answers 404 on its edit page, and the refusal is audited."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.listings import Column, Listing
from parcours.core.models import AuditAction
from parcours.directory import hours
from parcours.directory import search as directory_search
from parcours.directory.forms import DirectoryImportForm, SearchForm, ServiceForm
from parcours.directory.models import Category, Service
from parcours.directory.staleness import is_stale
from parcours.territory.geo import distance_km
from parcours.territory.models import Commune

USE_REFUSAL = "L'annuaire des services est réservé aux professionnels."
EDIT_REFUSAL = (
    "La mise à jour de l'annuaire est réservée aux administrateurs, aux responsables d'équipe et aux agents "
    "des structures partenaires (pour leurs propres services)."
)
IMPORT_REFUSAL = "L'import de l'annuaire est réservé aux administrateurs et aux responsables d'équipe."
REPORT_RECORDS = 200


def _columns(centre) -> dict[str, Column]:
    columns = {
        "nom": Column("Service", lambda s: s.nom, ("nom",)),
        "structure": Column("Structure", lambda s: s.structure.nom, ("structure__nom",)),
        "categorie": Column("Catégorie", lambda s: s.get_category_display(), ("category",)),
        "commune": Column("Commune", lambda s: s.commune.name if s.commune else "", ("commune__name",)),
    }
    if centre is not None:
        columns["distance"] = Column(
            "Distance (km)",
            lambda s: round(distance_km(centre, s.point), 1) if s.point else None,
            ("distance_sq",),
        )
    columns.update(
        {
            "horaires": Column("Horaires", lambda s: s.hours_summary),
            "telephone": Column("Téléphone", lambda s: s.telephone or s.structure.telephone),
            "maj": Column("Mis à jour le", lambda s: s.date_maj, ("date_maj",)),
        }
    )
    return columns


@agent_may("may_use_directory", USE_REFUSAL)
def search(request):
    """The search form and its results: a sortable, paginated list (nearest first when a commune or
    a point is given), its CSV/XLSX export, and the page's services on a map."""
    form = SearchForm(request.GET or None)
    invalid = form.is_bound and not form.is_valid()
    criteria = form.criteria() if form.is_bound and not invalid else directory_search.Criteria()
    centre = criteria.centre
    services = directory_search.search(criteria)
    if invalid:  # never list the whole directory as if the criteria had been applied
        services = services.none()
    if request.GET.get("export"):
        services = services.select_related("structure", "commune")
    else:
        services = services.prefetch_related("structure", "commune")
    listing = Listing(
        request,
        services,
        _columns(centre),
        default_sort="distance" if centre else "nom",
        name="annuaire",
        person_id=lambda service: None,
    )
    if listing.export_format:
        return listing.export()
    page = listing.page
    mode = form.cleaned_data.get("mode", "") if form.is_bound and form.is_valid() else ""
    directory_search.decorate(page.object_list, centre, mode)
    today = timezone.localdate()
    for service in page.object_list:
        service.stale = is_stale(service, today)
    person_id = request.GET.get("personne", "")
    context = {
        "form": form,
        "invalid": invalid,
        "coordinates_open": bool(
            request.GET.get("latitude")
            or request.GET.get("longitude")
            or "latitude" in form.errors
            or "longitude" in form.errors
            or form.non_field_errors()
        ),
        "listing": listing,
        "page_obj": page,
        "centre": centre,
        "radius": criteria.radius_km,
        "map_svg": _map(page.object_list, centre),
        "person_id": int(person_id) if person_id.isdigit() else None,
        "may_orient": getattr(request.user, "may_orient_to_services", False),
        "title": "Annuaire des services",
    }
    return render(request, "directory/search.html", context)


def _map(services, centre):
    """The page's services on the département's map (D2's `directory.maps`), or "" when no contour
    is shipped for the département."""
    try:
        from parcours.directory import maps
    except ImportError:  # pragma: no cover - the hook stays when maps are not installed
        return ""
    departement = settings.PARCOURS_DEPARTEMENT
    if not maps.available(departement):
        return ""
    points = [
        maps.Point(s.latitude, s.longitude, f"{s.nom} — {s.structure.nom}") for s in services if s.point
    ]
    if centre is not None:
        points.append(maps.Point(centre[0], centre[1], "Centre de la recherche", kind="centre"))
    return maps.render_svg(
        departement,
        points=points,
        title="Services de la page sur la carte du département",
        description="Chaque point est un service de la liste ci-dessous, qui donne les mêmes informations.",
        id_prefix="carte-annuaire",
    )


@agent_may("may_use_directory", USE_REFUSAL)
def service_detail(request, service_id: int):
    """A service's page: hours in French, contacts, zone d'éligibilité, structure."""
    service = get_object_or_404(Service.objects.select_related("structure", "commune"), pk=service_id)
    zone = list(Commune.objects.filter(insee_code__in=service.zone_eligibilite or []).order_by("name"))
    named = {commune.insee_code for commune in zone}
    editable = (
        request.user.may_edit_directory
        and Service.objects.editable_by(request.user).filter(pk=service.pk).exists()
    )
    person_id = request.GET.get("personne", "")
    context = {
        "service": service,
        "schedule": hours.describe(service.horaires_accueil),
        "open_now": service.is_open_at(timezone.now()) if service.horaires_accueil else None,
        "zone": [commune.name for commune in zone]
        + [c for c in service.zone_eligibilite or [] if c not in named],
        "stale": is_stale(service),
        "editable": editable,
        "labels": _labels(service),
        "person_id": int(person_id) if person_id.isdigit() else None,
        "may_orient": getattr(request.user, "may_orient_to_services", False),
        "title": service.nom,
        "breadcrumb_data": {
            "links": [{"url": "/annuaire/", "title": "Annuaire des services"}],
            "current": service.nom,
        },
    }
    return render(request, "directory/service_detail.html", context)


def _labels(service: Service) -> dict[str, list[str]]:
    """The French labels of the service's schema codes, field by field."""
    from data_inclusion.schema import v1

    enums = {
        "thematiques": v1.Thematique,
        "types": v1.TypeService,
        "frais": v1.Frais,
        "publics": v1.Public,
        "modes_accueil": v1.ModeAccueil,
        "modes_mobilisation": v1.ModeMobilisation,
    }
    labels = {}
    for name, enum in enums.items():
        members = enum._value2member_map_
        labels[name] = [
            members[code].label if code in members else code for code in getattr(service, name) or []
        ]
    return labels


MY_COLUMNS = {
    "nom": Column("Service", lambda s: s.nom, ("nom",)),
    "structure": Column("Structure", lambda s: s.structure.nom, ("structure__nom",)),
    "maj": Column("Mis à jour le", lambda s: s.date_maj, ("date_maj",)),
    "relance": Column("Dernier rappel", lambda s: s.reminded_at, ("reminded_at",)),
}


@agent_may("may_edit_directory", EDIT_REFUSAL)
def my_services(request):
    """The services the agent may update, the oldest updates first (« À mettre à jour » marked)."""
    services = Service.objects.editable_by(request.user).open().select_related("structure")
    listing = Listing(
        request, services, MY_COLUMNS, default_sort="maj", name="mes-services", person_id=lambda s: None
    )
    if listing.export_format:
        return listing.export()
    page = listing.page
    today = timezone.localdate()
    for service in page.object_list:
        service.stale = is_stale(service, today)
    context = {"listing": listing, "page_obj": page, "title": "Mes services dans l'annuaire"}
    return render(request, "directory/my_services.html", context)


@agent_may("may_edit_directory", EDIT_REFUSAL)
def service_edit(request, service_id: int):
    """Edit one of the agent's structures' services; another structure's service answers 404 (audited)."""
    service = (
        Service.objects.editable_by(request.user).select_related("structure").filter(pk=service_id).first()
    )
    if service is None:
        audit.record(request.user, AuditAction.DENIED, request=request, directory_service=service_id)
        raise Http404("Service introuvable parmi ceux que vous pouvez modifier.")
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(
            request.user,
            AuditAction.UPDATE,
            request=request,
            directory_service=service.pk,
            fields=sorted(form.changed_data),
        )
        messages.success(request, "Le service est à jour : merci !")
        return redirect("directory:service", service_id=service.pk)
    context = {
        "form": form,
        "service": service,
        "title": f"Modifier « {service.nom} »",
        "breadcrumb_data": {
            "links": [
                {"url": "/annuaire/", "title": "Annuaire des services"},
                {"url": f"/annuaire/services/{service.pk}/", "title": service.nom},
            ],
            "current": "Modifier",
        },
    }
    return render(request, "directory/service_form.html", context)


@agent_may("may_import_directory", IMPORT_REFUSAL)
def import_page(request):
    """Upload a data·inclusion / DORA export and import it at once (through `imports.runner`);
    the report lists the quarantined records with their reasons. The uploaded file is deleted
    once imported."""
    from parcours.directory.importer import import_file
    from parcours.imports import background

    form = DirectoryImportForm(
        request.POST or None, request.FILES or None, upload_refused=getattr(request, "upload_refused", "")
    )
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            path = background.save_upload(upload)
        except background.UploadNotSaved as error:
            form.add_error("file", str(error))
        else:
            try:
                report = import_file(
                    path, agent=request.user, dry_run=form.cleaned_data["dry_run"], file_name=upload.name
                )
            finally:
                Path(path).unlink(missing_ok=True)
    context = {
        "form": form,
        "report": report,
        "quarantined": [r for r in (report.records if report else []) if r["status"] == "quarantined"][
            :REPORT_RECORDS
        ],
        "categories": Category.choices,
        "title": "Importer dans l'annuaire",
    }
    return render(request, "directory/import.html", context)
