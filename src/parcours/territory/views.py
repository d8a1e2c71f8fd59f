from django.shortcuts import render

from parcours.accounts.permissions import agent_may
from parcours.territory.models import Commune, Departement, Site, SiteKind, TerritorialUnit

SEARCH_LIMIT = 20


@agent_may("may_see_territory")
def overview(request):
    """The département's units (communes, population), its sites (filterable by kind and unit)
    and a commune search. No personal data."""
    departement = Departement.objects.current()
    units = TerritorialUnit.objects.filter(departement=departement).with_stats().select_related("seat")
    sites = (
        Site.objects.filter(departement=departement)
        .select_related("commune", "unit")
        .order_by("kind", "name")
    )
    kind, unit_code = request.GET.get("type", ""), request.GET.get("unite", "")
    if kind:
        sites = sites.filter(kind=kind)
    if unit_code:
        sites = sites.filter(unit__code=unit_code)
    context = {
        "departement": departement,
        "units": units,
        "sites": sites,
        "site_kinds": SiteKind.choices,
        "selected_kind": kind,
        "selected_unit": unit_code,
        "title": "Territoire",
    }
    return render(request, "territory/overview.html", context | _search_context(request, departement))


@agent_may("may_see_territory")
def commune_search(request):
    """The commune search's results (an htmx partial; the whole page without htmx)."""
    if not request.htmx:
        return overview(request)
    return render(
        request, "territory/_communes.html", _search_context(request, Departement.objects.current())
    )


def _search_context(request, departement) -> dict:
    query = request.GET.get("q", "").strip()[:100]
    communes = (
        Commune.objects.filter(departement=departement)
        .search(query)
        .select_related("unit")
        .order_by("-population", "insee_code")
    )
    return {"query": query, "communes": communes[:SEARCH_LIMIT] if query else None}
