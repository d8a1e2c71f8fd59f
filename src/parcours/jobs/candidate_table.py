"""The ranked candidates of an offer as a table: filtered, sorted and paginated by the server.

The table holds the `TABLE_LIMIT` best candidates `matching.rank_candidates` finds for the offer
(unit and maximum distance are filters of the ranking itself), then keeps those above a minimum
score and, if asked, only those already shortlisted or proposed for the offer (or only the
others). It sorts them on any column — the score, each of its components, the distance, the
availability date — best first by default, ties going to the ranking's order, and shows
`PER_PAGE` rows a page. The query string carries no personal data: `tri` (a column key, `-` for
descending), `page` and the filters (ids and numbers).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.http import QueryDict

from parcours.jobs import matching
from parcours.jobs.models import JobOffer

TABLE_LIMIT = 200
PER_PAGE = 20
DEFAULT_SORT = "-score"


@dataclass(frozen=True)
class Column:
    label: str
    title: str  # the header's long form, lower case (« Trier par … », an <abbr> title)
    key: Callable[[matching.Match], object]


def _component(name: str) -> Callable[[matching.Match], object]:
    return lambda match: match.components.get(name, 0)


def _available_from(match: matching.Match) -> datetime.date:
    day = match.profile.available_from if match.profile is not None else None
    return day or datetime.date.min


COLUMNS: dict[str, Column] = {
    "score": Column("Score", "score total", lambda match: match.score),
    "rome": Column("Métier", "proximité du métier (ROME)", _component("rome")),
    "experience": Column("Exp.", "expérience sur le code ROME", _component("experience")),
    "distance": Column("Dist.", "points de distance", _component("distance")),
    "licence": Column("Permis", "permis B", _component("licence")),
    "vehicle": Column("Véhic.", "véhicule", _component("vehicle")),
    "qualification": Column("Qualif.", "niveau de qualification", _component("qualification")),
    "languages": Column("Langues", "langues exigées", _component("languages")),
    "hours": Column("Horaires", "compatibilité des horaires", _component("hours")),
    "availability": Column("Dispo.", "points de disponibilité", _component("availability")),
    "rotation": Column("Rotation", "dernière proposition à un employeur", _component("rotation")),
    "km": Column("km", "distance en kilomètres", lambda match: match.distance_km),
    "disponible": Column("Disponible le", "date de disponibilité", _available_from),
}
COMPONENT_KEYS = [key for key in COLUMNS if key in matching.COMPONENTS]


@dataclass(frozen=True)
class Header:
    key: str
    column: Column
    url: str
    aria_sort: str | None


@dataclass(frozen=True)
class Row:
    match: matching.Match
    rank: int  # the place in the ranking by score, whatever the sort
    points: list[int]  # the components' points, in the order of COMPONENT_KEYS
    already: bool  # shortlisted or proposed for the offer already

    @property
    def signed_points(self) -> list[str]:
        return [f"+{value}" if value >= 0 else f"−{-value}" for value in self.points]


@dataclass
class CandidateTable:
    """One page of the table, with its headers (sort links) and what it filtered."""

    page: Page
    headers: list[Header]
    sort: str
    total: int

    @property
    def person_ids(self) -> list[int]:
        return [row.match.person_id for row in self.page]


def build(
    offer: JobOffer,
    agent,
    params: QueryDict,
    *,
    unit_id: int | None = None,
    max_km: int | None = None,
    min_score: int | None = None,
    proposed: str = "",
) -> CandidateTable:
    """The page of the table `params` asks for (`tri`, `page`), the filters applied.

    `proposed`: "oui" keeps the candidates with an application for the offer, "non" the others."""
    ranked = matching.rank_candidates(offer, agent, limit=TABLE_LIMIT, unit_id=unit_id, max_km=max_km)
    already = set(offer.applications.values_list("person_id", flat=True))
    if min_score is not None:
        ranked = [match for match in ranked if match.score >= min_score]
    if proposed == "oui":
        ranked = [match for match in ranked if match.person_id in already]
    elif proposed == "non":
        ranked = [match for match in ranked if match.person_id not in already]
    sort = params.get("tri", DEFAULT_SORT)
    if sort.removeprefix("-") not in COLUMNS:
        sort = DEFAULT_SORT
    key = COLUMNS[sort.removeprefix("-")].key
    rows = [
        Row(
            match,
            rank,
            [match.components.get(name, 0) for name in COMPONENT_KEYS],
            match.person_id in already,
        )
        for rank, match in enumerate(ranked, start=1)
    ]
    # Stable sorts: equal values keep the ranking's order (best score, then lowest profile id).
    rows.sort(key=lambda row: key(row.match), reverse=sort.startswith("-"))
    page = Paginator(rows, PER_PAGE).get_page(params.get("page"))
    return CandidateTable(page=page, headers=_headers(params, sort), sort=sort, total=len(rows))


def _headers(params: QueryDict, sort: str) -> list[Header]:
    headers = []
    for key, column in COLUMNS.items():
        current = sort.removeprefix("-") == key
        descending = sort.startswith("-")
        # A first click sorts points and scores best first, distances and dates nearest first.
        if current:
            wanted = key if descending else f"-{key}"
        else:
            wanted = key if key in ("km", "disponible") else f"-{key}"
        query = params.copy()
        query["tri"] = wanted
        query.pop("page", None)
        aria = ("descending" if descending else "ascending") if current else None
        headers.append(Header(key, column, f"?{query.urlencode()}", aria))
    return headers
