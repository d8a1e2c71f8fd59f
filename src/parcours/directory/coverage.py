"""Coverage analysis: how far each commune is from the nearest service of a category.

For a département, a category (`models.Category`) and a minimum opening (`min_half_days`
half-days a week, default 2), every commune gets:

- the straight-line distance (km) from its point (`territory.Commune.latitude/longitude`, the
  town hall) to the nearest *open, located* service of the category open at least
  `min_half_days` half-days a week (`Service.half_days_per_week`, derived from its hours);
- the estimated minutes by car and without a car (`directory.travel`: detour factor and average
  speeds, documented in docs/directory-coverage.md);
- whether it is *in gap*: the estimated time for the chosen mode is over `threshold_minutes`
  (30 by default: Seine-Maritime's commitment), or there is no such service at all.

The population of a commune counts as within reach when its point is; the share of the
population within the threshold is summed over communes. Services outside the département count
(a commune near a border may be served across it) when they are in the directory.

Limits (stated in the doc): `zone_eligibilite` is not applied (a service restricted to some
communes still covers its neighbours); one point per commune (a large rural commune's hamlets
are farther); a service counts for every category its thématiques map to (`categories_key`).

Computation: numpy, all communes × all services of a category as a haversine matrix, in chunks
of communes so memory stays under ~16 MB whatever the number of services. `analyse_all` reads
the communes and the services once for every category.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from parcours.directory import travel
from parcours.directory.models import Category, Service
from parcours.territory.geo import EARTH_RADIUS_KM
from parcours.territory.models import Commune

DEFAULT_MIN_HALF_DAYS = 2
DEFAULT_THRESHOLD_MINUTES = 30
# Services farther than this outside the communes' frame are not read (0.5° ≈ 55 km, longitudes
# widened by 1/cos(50°) ≈ 1.6): a commune whose nearest service is that far is in gap in any
# mode, and is shown "no service" rather than with its distance.
MARGIN_DEGREES = 0.5
CHUNK_CELLS = 2_000_000  # communes × services per haversine block (float64: 16 MB)

# Choropleth classes (minutes for the chosen mode); the last one also holds "no service at all".
TIME_CLASSES = (10, 20, 30, 45, 60)
CLASS_LABELS = [
    "10 min ou moins",
    "10 à 20 min",
    "20 à 30 min",
    "30 à 45 min",
    "45 à 60 min",
    "plus de 60 min ou aucun service",
]


@dataclass(frozen=True)
class Communes:
    """The communes of a département as arrays (one row each, INSEE code order)."""

    codes: list[str]
    names: list[str]
    population: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray

    @classmethod
    def of(cls, departement: str) -> Communes:
        rows = list(
            Commune.objects.filter(departement__code=departement)
            .order_by("insee_code")
            .values_list("insee_code", "name", "population", "latitude", "longitude")
        )
        return cls(
            codes=[r[0] for r in rows],
            names=[r[1] for r in rows],
            population=np.array([r[2] for r in rows], dtype=np.int64),
            latitude=np.array([r[3] for r in rows], dtype=float),
            longitude=np.array([r[4] for r in rows], dtype=float),
        )

    def index(self, code: str) -> int:
        return self.codes.index(code)


@dataclass(frozen=True)
class ServicePoints:
    """Open, located services open at least `min_half_days` half-days a week."""

    ids: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    categories: list[str]  # each service's categories_key ("|a|b|")

    @classmethod
    def load(
        cls, min_half_days: int, category: str | None = None, around: Communes | None = None
    ) -> ServicePoints:
        """The services (of `category` if given) within MARGIN_DEGREES of the communes' frame."""
        services = Service.objects.open().located().filter(half_days_per_week__gte=min_half_days)
        if around is not None and len(around.codes):
            services = services.filter(
                latitude__gte=around.latitude.min() - MARGIN_DEGREES,
                latitude__lte=around.latitude.max() + MARGIN_DEGREES,
                longitude__gte=around.longitude.min() - MARGIN_DEGREES * 1.6,
                longitude__lte=around.longitude.max() + MARGIN_DEGREES * 1.6,
            )
        if category:
            services = services.in_category(category)
        rows = list(services.values_list("id", "latitude", "longitude", "categories_key"))
        return cls(
            ids=np.array([r[0] for r in rows], dtype=np.int64),
            latitude=np.array([r[1] for r in rows], dtype=float),
            longitude=np.array([r[2] for r in rows], dtype=float),
            categories=[r[3] for r in rows],
        )

    def of_category(self, category: str) -> ServicePoints:
        keep = np.array([f"|{category}|" in key for key in self.categories], dtype=bool)
        return ServicePoints(
            ids=self.ids[keep],
            latitude=self.latitude[keep],
            longitude=self.longitude[keep],
            categories=[key for key, k in zip(self.categories, keep, strict=True) if k],
        )


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack((np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)))


def _haversine(lat1, lon1, lat2, lon2) -> np.ndarray:
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, h)))


def nearest(
    lat: np.ndarray, lon: np.ndarray, to_lat: np.ndarray, to_lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each point (lat, lon), the haversine distance (km) to the nearest of (to_lat, to_lon) and
    its index; distance inf and index -1 when there is no target.

    The nearest target is the one of greatest dot product between unit vectors (one matrix
    product per block of at most CHUNK_CELLS cells: the great-circle distance decreases with it);
    the distance to that one is then computed exactly (haversine)."""
    count = len(lat)
    distance = np.full(count, np.inf)
    index = np.full(count, -1, dtype=np.int64)
    if not len(to_lat) or not count:
        return distance, index
    targets = _unit_vectors(np.asarray(to_lat, dtype=float), np.asarray(to_lon, dtype=float)).T
    origins = _unit_vectors(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float))
    step = max(1, CHUNK_CELLS // len(to_lat))
    for start in range(0, count, step):
        index[start : start + step] = np.argmax(origins[start : start + step] @ targets, axis=1)
    distance[:] = _haversine(lat, lon, np.asarray(to_lat)[index], np.asarray(to_lon)[index])
    return distance, index


@dataclass
class CommuneRow:
    """One commune's line of the analysis (the table and the exports)."""

    code: str
    name: str
    population: int
    km: float | None  # None: no service of the category anywhere
    minutes_car: float | None
    minutes_no_car: float | None
    minutes: float | None  # for the analysis' mode
    service_id: int | None
    in_gap: bool
    time_class: int
    pk: int = 0  # position, for stable sorting by `core.listings`

    @property
    def gap_label(self) -> str:
        return "oui" if self.in_gap else "non"


@dataclass
class Coverage:
    """The analysis of one category (see the module docstring)."""

    departement: str
    category: str
    mode: str
    min_half_days: int
    threshold_minutes: float
    communes: Communes
    km: np.ndarray
    service_index: np.ndarray
    services: ServicePoints
    rows: list[CommuneRow] = field(default_factory=list)

    @property
    def category_label(self) -> str:
        return Category(self.category).label

    @property
    def service_count(self) -> int:
        return len(self.services.ids)

    def minutes_for(self, mode: str) -> np.ndarray:
        return np.asarray(travel.minutes(self.km, mode))

    @property
    def minutes(self) -> np.ndarray:
        return self.minutes_for(self.mode)

    @property
    def within(self) -> np.ndarray:
        return self.minutes <= self.threshold_minutes

    @property
    def population_total(self) -> int:
        return int(self.communes.population.sum())

    @property
    def population_within(self) -> int:
        return int(self.communes.population[self.within].sum())

    @property
    def share_within(self) -> float:
        """Share (0–1) of the population whose commune is within the threshold."""
        total = self.population_total
        return self.population_within / total if total else 0.0

    @property
    def gaps(self) -> list[CommuneRow]:
        """Communes in gap, most populous first."""
        return sorted((r for r in self.rows if r.in_gap), key=lambda r: (-r.population, r.code))

    @property
    def gap_population(self) -> int:
        return self.population_total - self.population_within

    def classes(self) -> dict[str, int]:
        """INSEE code -> choropleth class index (see CLASS_LABELS)."""
        return {row.code: row.time_class for row in self.rows}

    def what_if(self, latitude: float, longitude: float) -> WhatIf:
        """The effect of one more site of this category at (latitude, longitude)."""
        extra, _ = nearest(
            self.communes.latitude, self.communes.longitude, np.array([latitude]), np.array([longitude])
        )
        new_km = np.minimum(self.km, extra)
        new_minutes = np.asarray(travel.minutes(new_km, self.mode))
        gained = (new_minutes <= self.threshold_minutes) & ~self.within
        codes = {self.communes.codes[i] for i in np.flatnonzero(gained)}
        improved = [row for row in self.rows if row.code in codes]
        improved.sort(key=lambda r: (-r.population, r.code))
        population = int(self.communes.population[gained].sum())
        new_within = self.population_within + population
        total = self.population_total
        return WhatIf(
            latitude=latitude,
            longitude=longitude,
            communes=improved,
            population_gained=population,
            share_before=self.share_within,
            share_after=new_within / total if total else 0.0,
        )


@dataclass(frozen=True)
class WhatIf:
    latitude: float
    longitude: float
    communes: list[CommuneRow]
    population_gained: int
    share_before: float
    share_after: float

    @property
    def percent_before(self) -> float:
        """The share before, in percent (one decimal shown: a small site moves it by less than 1)."""
        return round(self.share_before * 100, 1)

    @property
    def percent_after(self) -> float:
        return round(self.share_after * 100, 1)


def _build(
    departement: str,
    category: str,
    communes: Communes,
    services: ServicePoints,
    *,
    mode: str,
    min_half_days: int,
    threshold_minutes: float,
) -> Coverage:
    km, index = nearest(communes.latitude, communes.longitude, services.latitude, services.longitude)
    coverage = Coverage(
        departement=departement,
        category=category,
        mode=mode,
        min_half_days=min_half_days,
        threshold_minutes=threshold_minutes,
        communes=communes,
        km=km,
        service_index=index,
        services=services,
    )
    car = np.asarray(travel.minutes(km, travel.Mode.CAR))
    no_car = np.asarray(travel.minutes(km, travel.Mode.NO_CAR))
    chosen = car if mode == travel.Mode.CAR else no_car
    found = np.isfinite(km)
    service_ids = np.where(
        found, services.ids[np.maximum(index, 0)] if len(services.ids) else -1, -1
    ).tolist()
    classes = np.where(found, np.searchsorted(TIME_CLASSES, chosen, side="left"), len(TIME_CLASSES)).tolist()
    gaps = (~found | (chosen > threshold_minutes)).tolist()
    km_list, car_list, no_car_list, chosen_list = (
        np.round(km, 1).tolist(),
        np.round(car).tolist(),
        np.round(no_car).tolist(),
        np.round(chosen).tolist(),
    )
    population = communes.population.tolist()
    rows = []
    for i, (code, ok) in enumerate(zip(communes.codes, found.tolist(), strict=True)):
        rows.append(
            CommuneRow(
                code=code,
                name=communes.names[i],
                population=population[i],
                km=km_list[i] if ok else None,
                minutes_car=int(car_list[i]) if ok else None,
                minutes_no_car=int(no_car_list[i]) if ok else None,
                minutes=int(chosen_list[i]) if ok else None,
                service_id=service_ids[i] if ok else None,
                in_gap=gaps[i],
                time_class=classes[i],
                pk=i,
            )
        )
    coverage.rows = rows
    return coverage


def _check(mode: str, min_half_days: int) -> None:
    if mode not in travel.Mode.values:
        raise ValueError(f"mode de déplacement inconnu : {mode!r}")
    if not 0 <= min_half_days <= 14:
        raise ValueError("le nombre de demi-journées d'ouverture doit être compris entre 0 et 14")


def analyse(
    departement: str,
    category: str,
    *,
    mode: str = travel.Mode.CAR,
    min_half_days: int = DEFAULT_MIN_HALF_DAYS,
    threshold_minutes: float = DEFAULT_THRESHOLD_MINUTES,
) -> Coverage:
    """The coverage of one category in a département (2 queries)."""
    _check(mode, min_half_days)
    Category(category)  # ValueError on an unknown category
    communes = Communes.of(departement)
    return _build(
        departement,
        category,
        communes,
        ServicePoints.load(min_half_days, category, around=communes),
        mode=mode,
        min_half_days=min_half_days,
        threshold_minutes=threshold_minutes,
    )


def analyse_all(
    departement: str,
    *,
    categories: Iterable[str] | None = None,
    mode: str = travel.Mode.CAR,
    min_half_days: int = DEFAULT_MIN_HALF_DAYS,
    threshold_minutes: float = DEFAULT_THRESHOLD_MINUTES,
) -> dict[str, Coverage]:
    """The coverage of every category (all `Category` values by default), reading communes and
    services once (2 queries)."""
    _check(mode, min_half_days)
    communes = Communes.of(departement)
    services = ServicePoints.load(min_half_days, around=communes)
    return {
        category: _build(
            departement,
            category,
            communes,
            services.of_category(category),
            mode=mode,
            min_half_days=min_half_days,
            threshold_minutes=threshold_minutes,
        )
        for category in (categories or Category.values)
    }
