"""The envelopes' screens, under /aides/enveloppes/: per year, each envelope's voted amount,
committed, consumed (paid), available, consumption rate and forecast to year end
(`aids.forecast`), with an alert when the forecast goes beyond the amount; CSV/XLSX export.
Opening an envelope and changing its amount (with confirmation) are for the catalogue's editors.
No person is shown: nothing to audit but the changes and the export."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from parcours.accounts.permissions import agent_may
from parcours.aids.forecast import Forecast, forecasts
from parcours.aids.forms_envelopes import AmountForm, EnvelopeForm, YearForm
from parcours.aids.models import Envelope
from parcours.aids.models.envelopes import cents_to_euros
from parcours.aids.money import euros
from parcours.core import audit
from parcours.core.listings import FORMATS, _render
from parcours.core.models import AuditAction
from parcours.core.spreadsheet_safety import neutralised

REFUSAL = "Les enveloppes budgétaires des aides sont réservées aux instructeurs des aides, aux responsables et aux administrateurs."
EDIT_REFUSAL = "Seuls les administrateurs ouvrent une enveloppe ou modifient son montant voté."
HEADERS = [
    "Dispositif", "Année", "Unité", "Montant voté (€)", "Engagé (€)", "Payé (€)", "Disponible (€)",
    "Taux de consommation (%)", "Échéances à venir d'ici le 31/12 (€)", "Rythme des accords (€/jour)",
    "Prévision au 31/12 (€)", "Dépassement prévu (€)",
]  # fmt: skip


@dataclass(frozen=True)
class Row:
    envelope: Envelope
    forecast: Forecast

    @property
    def rate(self) -> float:
        return self.forecast.share(self.envelope.consumed_cents)

    def _percent(self, value_cents: int) -> float:
        return round(min(100.0, 100 * self.forecast.share(value_cents)), 1)

    @property
    def bars(self) -> dict:
        """Widths (0–100, of the voted amount) of the stacked bar: paid, committed, then the rest
        of the forecast; the SVG scales them (no style attribute)."""
        e, f = self.envelope, self.forecast
        paid = self._percent(e.consumed_cents)
        committed = min(100 - paid, self._percent(e.committed_cents))
        rest = min(
            100 - paid - committed, self._percent(f.total_cents - e.consumed_cents - e.committed_cents)
        )
        return {
            "paid": paid,
            "committed": committed,
            "committed_x": paid,
            "rest": rest,
            "rest_x": paid + committed,
        }

    def cells(self) -> list:
        e, f = self.envelope, self.forecast
        return [
            e.scheme.name, e.year, e.unit.name if e.unit_id else "Tout le département", e.amount, e.committed,
            e.consumed, e.available, round(100 * self.rate, 1), f.scheduled, f.pace_per_day, f.total,
            f.overrun_amount,
        ]  # fmt: skip


def _year(request) -> int:
    form = YearForm({"annee": request.GET.get("annee") or timezone.localdate().year})
    return form.cleaned_data["annee"] if form.is_valid() else timezone.localdate().year


def _rows(year: int) -> list[Row]:
    envelopes = list(Envelope.objects.filter(year=year).select_related("scheme", "unit"))
    return [Row(e, f) for e, f in zip(envelopes, forecasts(envelopes, timezone.localdate()), strict=True)]


@agent_may("may_view_aid_budget", REFUSAL)
def envelopes(request):
    """The envelopes of a year with their consumption and forecast."""
    year = _year(request)
    rows = _rows(year)
    years = sorted(
        {*Envelope.objects.values_list("year", flat=True).distinct(), timezone.localdate().year, year}
    )
    totals = {
        name: euros(cents_to_euros(sum(getattr(r.envelope, f"{name}_cents") for r in rows)))
        for name in ("amount", "committed", "consumed")
    }
    return render(request, "aids/envelopes/list.html", {
        "title": f"Enveloppes budgétaires des aides {year}", "year": year, "years": years, "rows": rows,
        "alerts": [r for r in rows if r.forecast.overrun], "totals": totals,
        "forecast_total": euros(cents_to_euros(sum(r.forecast.total_cents for r in rows))),
    })  # fmt: skip


@agent_may("may_view_aid_budget", REFUSAL)
def export(request, fmt: str):
    """The envelopes of the year as CSV or XLSX (audited)."""
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    year = _year(request)
    rows = _rows(year)
    audit.record(
        request.user,
        AuditAction.EXPORT,
        request=request,
        export="enveloppes_aides",
        year=year,
        rows=len(rows),
    )
    response = HttpResponse(
        _render(fmt, [HEADERS, *(neutralised(r.cells()) for r in rows)]), content_type=FORMATS[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="enveloppes-aides-{year}.{fmt}"'
    return response


@agent_may("may_edit_aid_catalogue", EDIT_REFUSAL)
@require_http_methods(["GET", "POST"])
def create(request):
    """Open an envelope for a scheme and a year (optionally one unit)."""
    form = EnvelopeForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        envelope = form.save()
        audit.record(request.user, AuditAction.CREATE, request=request, envelope=envelope.pk,
                     amount_cents=envelope.amount_cents)  # fmt: skip
        messages.success(request, f"Enveloppe « {envelope} » ouverte : {euros(envelope.amount)}.")
        return redirect(f"{reverse('aids:envelopes')}?annee={envelope.year}")
    return render(request, "aids/envelopes/form.html", {"title": "Ouvrir une enveloppe", "form": form})


@agent_may("may_edit_aid_catalogue", EDIT_REFUSAL)
@require_http_methods(["GET", "POST"])
def change_amount(request, envelope_id: int):
    """Change the voted amount: the form, then a confirmation stating the change, then the change
    (refused below what is committed and paid)."""
    envelope = get_object_or_404(Envelope.objects.select_related("scheme", "unit"), pk=envelope_id)
    form = AmountForm(request.POST or None, envelope=envelope, initial={"amount": envelope.amount})
    context = {"title": f"Montant de l'enveloppe {envelope}", "form": form, "envelope": envelope}
    if request.method == "POST" and form.is_valid():
        if not form.cleaned_data["confirm"]:
            return render(
                request, "aids/envelopes/confirm.html", context | {"new_amount": form.cleaned_data["amount"]}
            )
        try:
            old, new = form.save()
        except ValidationError as error:
            form.add_error("amount", error)
            return render(request, "aids/envelopes/amount.html", context)
        audit.record(request.user, AuditAction.UPDATE, request=request, envelope=envelope.pk,
                     before_cents=old, after_cents=new)  # fmt: skip
        messages.success(request, f"Montant de l'enveloppe « {envelope} » porté à {euros(envelope.amount)}.")
        return redirect(f"{reverse('aids:envelopes')}?annee={envelope.year}")
    return render(request, "aids/envelopes/amount.html", context)
