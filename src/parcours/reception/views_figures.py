"""The front door's figures page (/premier-accueil/indicateurs/) and its CSV/XLSX export: the
figures of `reception.figures` for a period, the département or a unit, and optionally a tray.

Same rule as the other indicators (`indicators.scope`): managers see their units' figures,
administrators the whole département. Figures are aggregates: no person is shown."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.models import AuditAction
from parcours.indicators import charts, exports, scope
from parcours.indicators.views import INDICATORS_REFUSAL
from parcours.reception import figures as front_door_figures
from parcours.reception.figure_tables import tables
from parcours.reception.forms_figures import FiguresForm
from parcours.reception.models import Channel, NeedTheme, Tray
from parcours.territory.models import Departement

EXPORT_TYPES = {
    "csv": ("text/csv; charset=utf-8", exports.to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx),
}


def _default_period() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return today - datetime.timedelta(days=90), today


def _trays(chosen: scope.Scope):
    trays = Tray.objects.filter(departement=Departement.objects.current()).select_related("unit")
    if chosen.unit_ids is not None:
        trays = trays.filter(unit_id__in=chosen.unit_ids)
    return list(trays.order_by("name"))


def _filtered(request):
    """(form, scope, trays, figures or None) of the request's filters."""
    chosen = scope.resolve(request.user, request.GET.get("unite", ""))
    trays = _trays(chosen)
    form = FiguresForm(
        request.GET,
        unit_choices=scope.choices_for(request.user),
        tray_choices=[(tray.code, tray.name) for tray in trays],
        default=_default_period(),
    )
    if not form.is_valid():
        return form, chosen, trays, None
    tray = next((t for t in trays if t.code == form.cleaned_data["bannette"]), None)
    result = front_door_figures.compute(
        form.cleaned_data["du"],
        form.cleaned_data["au"],
        unit_ids=chosen.unit_ids,
        tray_id=tray.pk if tray else None,
    )
    return form, chosen, trays, result


# The tables of `figure_tables.tables` the page shows as charts (the exports keep them).
CHARTED_TABLES = frozenset({"front-door-channels", "front-door-themes"})


@agent_may("may_view_indicators", INDICATORS_REFUSAL)
def dashboard(request):
    """The front door's figures of a period, with their definitions and charts."""
    form, chosen, trays, result = _filtered(request)
    context = {"title": "Indicateurs du premier accueil", "form": form, "scope": chosen}
    if result is not None:
        themes = dict(NeedTheme.objects.values_list("code", "label"))
        contacts = result["contacts"]
        context |= {
            "figures": result,
            # Channels and themes are charted, each chart with its data table: not twice.
            "tables": [
                table
                for table in tables(result, trays=trays, themes=themes)
                if table.slug not in CHARTED_TABLES
            ],
            "charts": [
                charts.bar_chart(
                    "chart-front-door-channel",
                    "Sollicitations par canal",
                    [(label, contacts["by_channel"].get(code, 0)) for code, label in Channel.choices],
                    unit_label="Sollicitations",
                ),
                charts.bar_chart(
                    "chart-front-door-theme",
                    "Sollicitations par thématique des besoins",
                    sorted(
                        ((themes.get(code, code), count) for code, count in contacts["by_theme"].items()),
                        key=lambda row: -row[1],
                    ),
                    unit_label="Sollicitations",
                ),
                charts.bar_chart(
                    "chart-front-door-hour",
                    "Sollicitations par heure de la journée",
                    [(f"{hour} h", contacts["by_hour"].get(hour, 0)) for hour in range(7, 21)],
                    unit_label="Sollicitations",
                ),
            ],
            "query": request.GET.urlencode(),
        }
    return render(request, "reception/figures.html", context)


@agent_may("may_view_indicators", INDICATORS_REFUSAL)
def export(request, fmt: str):
    """The figures as CSV or XLSX (one line per dotted key, as docs/indicators.md names them)."""
    if fmt not in EXPORT_TYPES:
        raise Http404("Format inconnu.")
    form, chosen, _trays_shown, result = _filtered(request)
    if result is None:
        return HttpResponse(
            "Filtres invalides : "
            + " ".join(str(error) for errors in form.errors.values() for error in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    audit.record(
        request.user,
        AuditAction.EXPORT,
        request=request,
        export="indicateurs_accueil",
        format=fmt,
        start=result["period"]["start"],
        end=result["period"]["end"],
        unit=chosen.label,
        tray=form.cleaned_data["bannette"],
    )
    content_type, render_file = EXPORT_TYPES[fmt]
    response = HttpResponse(render_file(result), content_type=content_type)
    start, end = (result["period"][key].replace("-", "") for key in ("start", "end"))
    name = f"indicateurs_accueil_{chosen.label or 'departement'}_{start}_{end}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
