import datetime

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.models import AuditAction
from parcours.indicators import charts, definitions, exports, periods, report, scope
from parcours.indicators.events import ORIENTATION_TYPES
from parcours.indicators.forms import PeriodForm, YearForm
from parcours.indicators.stats import compute

EXPORT_TYPES = {
    "csv": ("text/csv; charset=utf-8", exports.to_csv),
    "json": ("application/json", exports.to_json),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", exports.to_ods),
}


INDICATORS_REFUSAL = "Les indicateurs sont réservés aux responsables d'équipe et aux administrateurs."


def _scope(request) -> scope.Scope:
    return scope.resolve(request.user, request.GET.get("unite", ""))


@agent_may("may_view_indicators", INDICATORS_REFUSAL)
def dashboard(request):
    """Every indicator of a period, for a unit or the département, with their definitions."""
    chosen = _scope(request)
    form = PeriodForm(
        request.GET, unit_choices=scope.choices_for(request.user), default=periods.default_period()
    )
    context = {"title": "Indicateurs", "form": form, "scope": chosen, "common": definitions.COMMON}
    if form.is_valid():
        start, end = form.cleaned_data["du"], form.cleaned_data["au"]
        stats = compute(start, end, unit_ids=chosen.unit_ids, unit_label=chosen.label)
        context |= {
            "stats": stats,
            "start": start,
            "end": end,
            "chosen_by_default": not request.GET.get("du") and not request.GET.get("au"),
            "sections": definitions.sections_with_values(stats),
            "charts": _charts(stats),
            "breakdowns": _breakdowns(stats),
            "query": f"du={start.isoformat()}&au={end.isoformat()}&unite={chosen.label}",
        }
    return render(request, "indicators/dashboard.html", context)


@agent_may("may_view_indicators", INDICATORS_REFUSAL)
def contractualisation(request):
    """The "rapport de contractualisation": a calendar year's figures the State asks for, and the
    DREES OARSA tables on 31 December."""
    chosen = _scope(request)
    today = timezone.localdate()
    default_year = min(periods.latest_year_with_data(today), today.year - 1)
    form = YearForm(request.GET, unit_choices=scope.choices_for(request.user), default=default_year)
    context = {
        "title": "Rapport de contractualisation",
        "form": form,
        "scope": chosen,
        "common": definitions.COMMON,
    }
    if form.is_valid():
        year = form.cleaned_data["annee"]
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        stats = compute(start, end, unit_ids=chosen.unit_ids, unit_label=chosen.label)
        context |= {
            "stats": stats,
            "year": year,
            "sections": definitions.sections_with_values(stats),
            "tables": report.drees_sections(stats["drees"]),
            "export_query": f"du={start.isoformat()}&au={end.isoformat()}&unite={chosen.label}",
        }
    return render(request, "indicators/contractualisation.html", context)


@agent_may("may_view_indicators", INDICATORS_REFUSAL)
def export(request, fmt: str):
    """The dashboard's figures as CSV, JSON, XLSX or ODS (audited)."""
    if fmt not in EXPORT_TYPES:
        raise Http404("Format inconnu.")
    chosen = _scope(request)
    form = PeriodForm(
        request.GET, unit_choices=scope.choices_for(request.user), default=periods.default_period()
    )
    if not form.is_valid():
        return HttpResponse("Période invalide.", status=400, content_type="text/plain; charset=utf-8")
    start, end = form.cleaned_data["du"], form.cleaned_data["au"]
    stats = compute(start, end, unit_ids=chosen.unit_ids, unit_label=chosen.label)
    content_type, render_file = EXPORT_TYPES[fmt]
    audit.record(
        request.user,
        AuditAction.EXPORT,
        request=request,
        export="indicateurs",
        format=fmt,
        start=start.isoformat(),
        end=end.isoformat(),
        unit=chosen.label,
    )
    response = HttpResponse(render_file(stats), content_type=content_type)
    name = f"indicateurs_{chosen.label or 'departement'}_{start:%Y%m%d}_{end:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _charts(stats: dict) -> list[charts.Chart]:
    breakdowns = stats["breakdowns"]
    by_type = stats["orientations"]["by_type"]
    return [
        charts.bar_chart(
            "chart-entrants-month",
            "Nouveaux entrants par mois",
            [(periods.month_label(row["key"]), row["entrants"]) for row in breakdowns["month"]],
            unit_label="Entrants",
        ),
        charts.bar_chart(
            "chart-delay-unit",
            "Délai moyen jusqu'au premier entretien, par unité (jours)",
            [
                (row["label"], row["mean_delay_first_interview_days"])
                for row in breakdowns["unit"]
                if row["entrants"]
            ],
            "jours",
            unit_label="Jours",
        ),
        charts.bar_chart(
            "chart-orientation-type",
            "Décisions d'orientation par type",
            [(ORIENTATION_TYPES[key], value) for key, value in by_type.items()],
            unit_label="Décisions",
        ),
    ]


def _breakdowns(stats: dict) -> list[dict]:
    titles = {
        "unit": "Par unité territoriale",
        "site": "Par site du premier entretien",
        "month": "Par mois d'entrée",
        "age_band": "Par tranche d'âge (à l'entrée)",
        "sex": "Par sexe",
        "family_situation": "Par situation familiale",
    }
    shown = []
    for key, title in titles.items():
        rows = stats["breakdowns"][key]
        if key == "month":
            rows = [row | {"label": periods.month_label(row["key"])} for row in rows]
        shown.append({"slug": key, "title": title, "rows": rows})
    return shown
