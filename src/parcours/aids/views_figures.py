"""The aids' figures page (/aides/indicateurs/) and its CSV/XLSX export: the figures of
`aids.figures` for a period, optionally one scheme and one territorial unit. Aggregates only: no
person is shown (nothing to audit but the export)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from parcours.accounts.permissions import agent_may
from parcours.aids import figures as aid_figures
from parcours.aids.models import RefusalReason, Scheme
from parcours.aids.money import euros
from parcours.core import audit
from parcours.core.forms import DsfrForm
from parcours.core.models import AuditAction
from parcours.indicators import charts, exports
from parcours.indicators.forms import PeriodForm
from parcours.territory.models import Departement, TerritorialUnit

REFUSAL = "Les indicateurs des aides sont réservés aux instructeurs des aides, aux responsables et aux administrateurs."
EXPORT_TYPES = {
    "csv": ("text/csv; charset=utf-8", exports.to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx),
}


class FiguresForm(DsfrForm, PeriodForm):
    """The period and the unit (`indicators.forms.PeriodForm`), plus the scheme (`dispositif`)."""

    dispositif = forms.ChoiceField(label="Dispositif", required=False)

    def __init__(self, data):
        today = timezone.localdate()
        units = TerritorialUnit.objects.filter(departement=Departement.objects.current()).order_by("code")
        super().__init__(
            data,
            unit_choices=[("", "Tout le département"), *((u.code, u.name) for u in units)],
            default=(datetime.date(today.year, 1, 1), today),
        )
        self.fields["dispositif"].choices = [
            ("", "Tous les dispositifs"),
            *Scheme.objects.order_by("name").values_list("code", "name"),
        ]


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    headers: list[str]
    rows: list[list]
    note: str = ""


def _hours(value: float | None) -> str:
    return "n.d." if value is None else f"{value:.1f} h".replace(".", ",")


def _share(value: float | None) -> str:
    return "n.d." if value is None else f"{value * 100:.1f} %".replace(".", ",")


def tables(result: dict) -> list[Table]:
    """The figures as the page's tables (the export keeps the dotted keys)."""
    decisions, amounts, delay = result["decisions"], result["amounts"], result["delay"]
    emergencies = result["emergencies"]
    names = dict(Scheme.objects.values_list("code", "name"))
    return [
        Table("aids-activity", "Demandes et décisions", ["Indicateur", "Nombre"], [
            ["Demandes déposées", result["requests"]["deposited"]],
            ["dont en urgence", result["requests"]["emergency"]],
            ["Aides accordées", decisions["granted"]],
            ["Aides refusées", decisions["refused"]],
            ["Décisions ajournées", decisions["adjourned"]],
            ["Aides annulées", decisions["cancelled"]],
        ]),
        Table("aids-reasons", "Refus par motif", ["Motif", "Refus"], [
            [label, decisions["refusal_reasons"].get(code, 0)] for code, label in RefusalReason.choices
        ], "Un refus motivé par deux motifs compte dans chacun."),
        Table("aids-amounts", "Montants", ["Montant", "Euros"], [
            ["Demandés au dépôt", euros(amounts["requested"])],
            ["Accordés (engagés)", euros(amounts["granted"])],
            ["Payés", euros(amounts["paid"])],
            ["Libérés (annulations, réductions)", euros(amounts["released"])],
            ["Indus constatés", euros(amounts["undue"])],
            ["Indus recouvrés", euros(amounts["recovered"])],
        ]),
        Table("aids-delay", "Délai de décision (dépôt → accord ou refus)", ["Mesure", "Valeur"], [
            ["Décisions mesurées", delay["count"]],
            ["Médiane", _hours(delay["median_hours"])],
            ["9ᵉ décile", _hours(delay["p90_hours"])],
            ["FDAJ en urgence décidées", emergencies["fdaj_decided"]],
            ["dont en 48 h au plus", emergencies["fdaj_within_48h"]],
            ["Part des urgences FDAJ décidées en 48 h", _share(emergencies["fdaj_share_within_48h"])],
        ], "En heures calendaires, temps d'attente des pièces déduit."),
        Table("aids-schemes", "Consommation par dispositif", [
            "Dispositif", "Déposées", "Accordées", "Refusées", "Engagé", "Payé", "Libéré",
        ], [
            [names.get(code, code), row["deposited"], row["granted"], row["refused"],
             euros(row["granted_amount"]), euros(row["paid_amount"]), euros(row["released_amount"])]
            for code, row in result["schemes"].items()
        ]),
    ]  # fmt: skip


def _filtered(request) -> tuple[FiguresForm, dict | None]:
    form = FiguresForm(request.GET)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, aid_figures.compute(data["du"], data["au"], scheme=data["dispositif"], unit=data["unite"])


@agent_may("may_view_aid_budget", REFUSAL)
def dashboard(request):
    """The figures of a period, as tables and one chart (refusals by reason)."""
    form, result = _filtered(request)
    context = {"title": "Indicateurs des aides financières", "form": form, "figures": result}
    if result is not None:
        reasons = result["decisions"]["refusal_reasons"]
        context |= {
            "tables": tables(result),
            "chart": charts.bar_chart(
                "chart-aids-reasons",
                "Refus par motif",
                [(label, reasons.get(code, 0)) for code, label in RefusalReason.choices],
                unit_label="Refus",
            ),
            "query": request.GET.urlencode(),
        }
    return render(request, "aids/figures/dashboard.html", context)


@agent_may("may_view_aid_budget", REFUSAL)
def export(request, fmt: str):
    """The figures as CSV or XLSX (one line per dotted key, as docs/indicators.md names them)."""
    if fmt not in EXPORT_TYPES:
        raise Http404("Format inconnu.")
    form, result = _filtered(request)
    if result is None:
        errors = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponse(
            f"Filtres invalides : {errors}", status=400, content_type="text/plain; charset=utf-8"
        )
    data = form.cleaned_data
    audit.record(
        request.user, AuditAction.EXPORT, request=request, export="indicateurs_aides", format=fmt,
        start=data["du"].isoformat(), end=data["au"].isoformat(), scheme=data["dispositif"], unit=data["unite"],
    )  # fmt: skip
    content_type, render_file = EXPORT_TYPES[fmt]
    response = HttpResponse(render_file(result), content_type=content_type)
    name = f"indicateurs-aides-{data['du']:%Y%m%d}-{data['au']:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
