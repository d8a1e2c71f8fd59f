"""Reception screens. For now: the needs referential, read-only, for administrators."""

from __future__ import annotations

from django.shortcuts import render

from parcours.accounts.permissions import agent_may
from parcours.core.listings import Column, Listing
from parcours.reception.models import Need
from parcours.reception.needs import tree

YES_NO = {True: "oui", False: "non"}
NEED_COLUMNS = {
    "theme": Column(
        "Thématique",
        lambda need: need.situation.theme.label,
        ("situation__theme__position", "situation__position", "position"),
    ),
    "situation": Column("Situation", lambda need: need.situation.label, ("situation__label",)),
    "label": Column("Besoin", lambda need: need.label, ("label",)),
    "code": Column("Code", lambda need: need.code, ("code",)),
    "barrier": Column("Frein périphérique", lambda need: YES_NO[need.situation.theme.is_peripheral_barrier]),
    "data_inclusion": Column(
        "Thématique data·inclusion", lambda need: need.situation.theme.data_inclusion_thematique
    ),
    "active": Column("Actif", lambda need: YES_NO[need.active]),
}


@agent_may("may_administer", "Le référentiel des besoins est consultable par les administrateurs.")
def needs_referential(request):
    """The referential as a tree (themes, situations, needs, inactive ones marked) and as a flat,
    sortable list of needs exportable in CSV/XLSX. No person is shown: nothing to audit."""
    needs = Need.objects.select_related("situation__theme")
    listing = Listing(
        request,
        needs,
        NEED_COLUMNS,
        default_sort="theme",
        name="referentiel-besoins",
        person_id=lambda need: None,
        per_page=100,
    )
    if listing.export_format:
        return listing.export()
    themes = tree(include_inactive=True)
    context = {
        "title": "Référentiel des besoins",
        "themes": themes,
        "listing": listing,
        "page_obj": listing.page,
    }
    return render(request, "reception/needs.html", context)
