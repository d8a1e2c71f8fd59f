"""Searching the directory: by need, category, commune or point, distance or travel time, opening
(now or on a weekday), public, free of charge — the query layer of the search page and its export.

`search(criteria)` returns a queryset filtered and ordered in SQL, so the page paginates, sorts and
exports it in the database (`core.listings`), on SQLite as on PostgreSQL. How it stays fast over
20,000 services (the benchmark's p95 < 100 ms on PostgreSQL):

1. Lists are filtered on denormalised keys written at save ("|code|code|", see
   `models/services.py`): thématiques, publics, categories; `is_free`; `closed_on` for open services.
2. A centre (a commune's point, or a point given as latitude/longitude) adds the bounding box of the
   radius (the (latitude, longitude) index), then an equirectangular squared distance computed in
   SQL (`distance_sq`, km²: at these scales it differs from the great-circle distance by far less
   than 0.1 %), which filters the disc and orders the results nearest first. The page's rows get
   the exact haversine `distance` and an estimated travel time (`directory.travel`) afterwards.
3. « Ouvert maintenant » and « ouvert tel jour » are evaluated with the opening-hours library
   (`directory.hours`), not guessed in SQL: the distinct `horaires_accueil` strings of the
   candidates left by 1–2 are read (one query), each distinct string is evaluated once (a
   department's thousands of services share a few hundred strings), and the queryset keeps the
   services whose string is open (`horaires_accueil IN (...)`). A weekday also pre-filters on the
   denormalised `open_weekdays` (the days open in a reference week), which the library confirms
   for the coming date of that weekday.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from math import cos, radians

from django.db import models
from django.db.models import ExpressionWrapper, F, FloatField, Q, Value
from django.utils import timezone

from parcours.directory import hours
from parcours.directory.models import Service
from parcours.territory.geo import distance_km

DEFAULT_RADIUS_KM = 10
KM_PER_DEGREE_LAT = 111.2

# The needs referential's data·inclusion codes (themes, some from before schema v1) → prefixes or
# exact codes of v1 thématiques. A code absent here is used as a prefix ("<code>--").
NEED_THEMATIQUES: dict[str, tuple[str, ...]] = {
    "acces-aux-droits-et-citoyennete": ("difficultes-administratives-ou-juridiques--",),
    "gestion-financiere": ("difficultes-financieres--",),
    "trouver-un-emploi": ("trouver-un-emploi--", "preparer-sa-candidature--", "choisir-un-metier--"),
    "handicap": (
        "sante--constituer-un-dossier-mdph-invalidite",
        "famille--prise-en-charge-personne-dependante",
    ),
}


def thematiques_for(code: str) -> list[str]:
    """The schema v1 thématiques meant by a needs-referential code (a category, a thématique, or
    an older name), [] for an empty code."""
    from data_inclusion.schema.v1 import Thematique

    code = (code or "").strip()
    if not code:
        return []
    all_codes = [t.value for t in Thematique]
    if code in all_codes:
        return [code]
    wanted = NEED_THEMATIQUES.get(code, (f"{code}--",))
    return [t for t in all_codes if any(t == w or (w.endswith("--") and t.startswith(w)) for w in wanted)]


@dataclass
class Criteria:
    """What the agent searches for; every field optional."""

    thematiques: tuple[str, ...] = ()
    category: str = ""
    centre: tuple[float, float] | None = None
    radius_km: float | None = None
    zone_code: str = ""  # the INSEE code of the person's commune: services eligible there
    open_at: datetime.datetime | None = None
    weekday: int | None = None  # 0 = Monday
    public: str = ""
    free: bool = False
    text: str = ""


def search(criteria: Criteria, *, today: datetime.date | None = None):
    """Open services matching `criteria`, with `distance_sq` (km², SQL) when a centre is given,
    ordered nearest first (then by name); see the module docstring.

    The structure and the commune are not joined: a page adds `prefetch_related("structure",
    "commune")` (two queries for its rows only), an export `select_related` — joining the
    structures of every candidate before the sort and the LIMIT doubled the time of a page."""
    services = Service.objects.open()
    if criteria.thematiques:
        services = services.with_thematiques(criteria.thematiques)
    if criteria.category:
        services = services.in_category(criteria.category)
    if criteria.public:
        services = services.for_public(criteria.public)
    if criteria.free:
        services = services.free()
    if criteria.text:
        services = services.filter(
            Q(nom__icontains=criteria.text) | Q(structure__nom__icontains=criteria.text)
        )
    if criteria.zone_code:
        services = eligible_in(services, criteria.zone_code)
    if criteria.centre is not None:
        lat, lon = criteria.centre
        radius = criteria.radius_km or DEFAULT_RADIUS_KM
        services = services.in_box(lat, lon, radius).annotate(distance_sq=squared_distance(lat, lon))
        services = services.filter(distance_sq__lte=radius * radius).order_by("distance_sq", "nom", "pk")
    else:
        services = services.order_by("nom", "pk")
    if criteria.weekday is not None:
        services = services.filter(open_weekdays__contains=str(criteria.weekday))
        day = next_weekday(criteria.weekday, today or timezone.localdate())
        services = _keep_hours(services, lambda text: _opens_on(text, day))
    if criteria.open_at is not None:
        moment = criteria.open_at
        services = services.filter(open_weekdays__contains=str(timezone.localtime(moment).weekday()))
        services = _keep_hours(services, lambda text: hours.is_open_at(text, moment))
    return services


def squared_distance(lat: float, lon: float) -> ExpressionWrapper:
    """km² between each row's point and (lat, lon), equirectangular (SQL arithmetic only)."""
    x_factor = KM_PER_DEGREE_LAT * cos(radians(lat))
    dlat = (F("latitude") - Value(lat)) * Value(KM_PER_DEGREE_LAT)
    dlon = (F("longitude") - Value(lon)) * Value(x_factor)
    return ExpressionWrapper(dlat * dlat + dlon * dlon, output_field=FloatField())


def eligible_in(services, insee_code: str):
    """Services without a zone d'éligibilité, or whose zone names the commune, its département or France."""
    departement = insee_code[:3] if insee_code.startswith("97") else insee_code[:2]
    condition = Q(zone_eligibilite=[]) | Q(zone_eligibilite__isnull=True)
    for code in (insee_code, departement, "france", "99100"):
        condition |= Q(zone_eligibilite__icontains=f'"{code}"')
    return services.filter(condition)


def next_weekday(weekday: int, today: datetime.date) -> datetime.date:
    """The first date on or after `today` falling on `weekday`."""
    return today + datetime.timedelta(days=(weekday - today.weekday()) % 7)


def _opens_on(text: str, day: datetime.date) -> bool:
    """Whether the hours open at some time on `day` (library evaluation of that very date)."""
    try:
        parsed = hours.parse(text)
    except hours.InvalidHours:
        return False
    start = datetime.datetime.combine(day, datetime.time())
    end = start + datetime.timedelta(days=1)
    import opening_hours

    return any(state == opening_hours.State.OPEN for _s, _e, state, _c in parsed.intervals(start, end))


def _keep_hours(services, is_open) -> models.QuerySet:
    """Keep the services whose hours string `is_open` says open (each distinct string evaluated once)."""
    texts = set(services.order_by().values_list("horaires_accueil", flat=True).distinct())
    kept = [text for text in texts if text and is_open(text)]
    return services.filter(horaires_accueil__in=kept) if kept else services.none()


def decorate(services, centre: tuple[float, float] | None, mode: str = "") -> None:
    """Set `distance` (km, haversine) and `minutes` (estimated by `directory.travel` in `mode`,
    None without a mode) on each service of a page, when a centre is given."""
    travel = None
    if mode:
        try:
            from parcours.directory import travel
        except ImportError:  # pragma: no cover - D2's module ships with the app
            travel = None
    for service in services:
        service.distance = None
        service.minutes = None
        if centre is not None and service.point is not None:
            service.distance = distance_km(centre, service.point)
            if travel is not None:
                service.minutes = round(travel.minutes(service.distance, mode))
