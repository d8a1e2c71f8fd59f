"""The coverage page: gaps of the directory's services by commune, on a map and in a table.

One GET page (`/annuaire/couverture/`), its parameters in the query string (no personal data):
`categorie`, `mode`, `demi_journees`, `seuil`, the what-if site (`hypothese`: an INSEE code),
plus the listing's `tri`, `page`, `export`. Nothing is stored: the analysis takes well under a
second for a département (docs/directory-coverage.md gives the measured figures).
"""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.conf import settings
from django.shortcuts import render

from parcours.accounts.permissions import agent_may
from parcours.core.forms import DsfrForm
from parcours.core.listings import Column, Listing
from parcours.directory import coverage, maps, travel
from parcours.directory.models import Category, Service

THRESHOLDS = [(15, "15 minutes"), (20, "20 minutes"), (30, "30 minutes"), (45, "45 minutes"), (60, "1 heure")]


class CoverageForm(DsfrForm):
    categorie = forms.ChoiceField(
        label="Catégorie de service", choices=Category.choices, initial=Category.AIDE_ALIMENTAIRE
    )
    mode = forms.ChoiceField(label="Déplacement", choices=travel.Mode.choices, initial=travel.Mode.NO_CAR)
    demi_journees = forms.IntegerField(
        label="Ouvert au moins (demi-journées par semaine)",
        min_value=0,
        max_value=14,
        initial=coverage.DEFAULT_MIN_HALF_DAYS,
        required=False,
    )
    seuil = forms.TypedChoiceField(
        label="Temps acceptable",
        choices=THRESHOLDS,
        coerce=int,
        initial=coverage.DEFAULT_THRESHOLD_MINUTES,
        required=False,
    )

    @classmethod
    def from_query(cls, query) -> CoverageForm:
        """The form bound to the query string, a parameter left out taking its default (so that the
        form shows the values the analysis really uses); unbound when the query has none of them."""
        if not any(name in query for name in cls.base_fields):
            return cls()
        data = {name: field.initial for name, field in cls.base_fields.items()}
        data.update({name: query[name] for name in cls.base_fields if name in query})
        return cls(data)

    def values(self) -> dict:
        """The cleaned values, the initial ones for a field left out or invalid (an unbound form:
        all initial)."""
        data = self.cleaned_data if self.is_bound and (self.is_valid() or True) else {}
        values = {}
        for name, field in self.fields.items():
            value = data.get(name)
            values[name] = field.initial if value in (None, "") else value
        return values


class Rows(list):
    """Computed rows that `core.listings.Listing` sorts like a queryset (`order_by` on attributes;
    a missing value sorts as the largest, so communes without any service come first in "-")."""

    def order_by(self, *fields: str) -> Rows:
        rows = list(self)
        for name in reversed(fields):
            attribute = name.removeprefix("-")
            rows.sort(
                key=lambda row: (getattr(row, attribute) is None, getattr(row, attribute) or 0),
                reverse=name.startswith("-"),
            )
        return Rows(rows)


def _minutes(value):
    return "" if value is None else value


COLUMNS = {
    "commune": Column("Commune", lambda r: r.name, ("name",)),
    "code": Column("Code INSEE", lambda r: r.code, ("code",)),
    "population": Column("Population", lambda r: r.population, ("population",)),
    "distance": Column("Distance (km, à vol d'oiseau)", lambda r: _minutes(r.km), ("km",)),
    "voiture": Column("En voiture (min)", lambda r: _minutes(r.minutes_car), ("minutes_car",)),
    "sans_voiture": Column("Sans voiture (min)", lambda r: _minutes(r.minutes_no_car), ("minutes_no_car",)),
    "ecart": Column("En écart", lambda r: r.gap_label, ("in_gap", "minutes")),
    "service": Column("Service le plus proche", lambda r: r.service_name),
}


def _attach_service_names(rows: Sequence[coverage.CommuneRow]) -> None:
    """Each row's nearest service, as "service — structure" (one query)."""
    ids = {row.service_id for row in rows if row.service_id}
    names = {
        pk: f"{nom} — {structure}"
        for pk, nom, structure in Service.objects.filter(pk__in=ids).values_list(
            "pk", "nom", "structure__nom"
        )
    }
    for row in rows:
        row.service_name = names.get(row.service_id, "aucun")


def _what_if(request, analysis: coverage.Coverage):
    """The what-if site named by `hypothese` (an INSEE code of the département), or None."""
    code = request.GET.get("hypothese", "")
    if code not in analysis.communes.codes:
        return None, code
    i = analysis.communes.index(code)
    lat, lon = float(analysis.communes.latitude[i]), float(analysis.communes.longitude[i])
    return analysis.what_if(lat, lon), code


@agent_may(
    "may_analyse_coverage", "L'analyse de la couverture est réservée aux responsables et administrateurs."
)
def coverage_page(request):
    departement = settings.PARCOURS_DEPARTEMENT
    form = CoverageForm.from_query(request.GET)
    params = form.values()
    analysis = coverage.analyse(
        departement,
        params["categorie"],
        mode=params["mode"],
        min_half_days=params["demi_journees"],
        threshold_minutes=params["seuil"],
    )
    _attach_service_names(analysis.rows)
    listing = Listing(
        request,
        Rows(analysis.rows),
        COLUMNS,
        default_sort="-ecart",
        name="couverture",
        person_id=lambda row: None,
    )
    if listing.export_format:
        return listing.export()
    what_if, hypothesis = _what_if(request, analysis)
    overview = coverage.analyse_all(
        departement,
        mode=params["mode"],
        min_half_days=params["demi_journees"],
        threshold_minutes=params["seuil"],
    )
    context = {
        "form": form,
        "analysis": analysis,
        "listing": listing,
        "page_obj": listing.page,
        "overview": overview.values(),
        "what_if": what_if,
        "hypothesis": hypothesis,
        "communes": sorted(zip(analysis.communes.names, analysis.communes.codes, strict=True)),
        "map_svg": _map(departement, analysis, what_if),
        "mode_label": travel.Mode(params["mode"]).label,
        "title": "Couverture des services",
    }
    return render(request, "directory/coverage.html", context)


def _map(departement: str, analysis: coverage.Coverage, what_if) -> str:
    if not maps.available(departement):
        return ""
    points = [
        maps.Point(float(lat), float(lon), "Service de la catégorie")
        for lat, lon in zip(analysis.services.latitude, analysis.services.longitude, strict=True)
    ]
    if what_if is not None:
        points.append(maps.Point(what_if.latitude, what_if.longitude, "Site envisagé", kind="hypothese"))
    labels = {
        row.code: "aucun service" if row.minutes is None else f"{row.minutes} min" for row in analysis.rows
    }
    return maps.render_svg(
        departement,
        values=analysis.classes(),
        labels=labels,
        points=points,
        legend=coverage.CLASS_LABELS,
        title=f"{analysis.category_label} : temps estimé jusqu'au service le plus proche ({travel.Mode(analysis.mode).label.lower()})",
        description="Carte des communes colorées selon le temps estimé ; le tableau qui suit donne les mêmes données.",
    )
