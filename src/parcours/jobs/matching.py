"""Explainable ranking of candidates for an offer, and of offers for a person.

A pair (offer, candidate) is *eligible* when the candidate's target jobs or experience are at
least related to the offer's ROME code (same sub-domain, e.g. K1) and the offer lies within
the candidate's mobility radius. An eligible pair's score is the sum of named components,
each with its French explanation line:

=============  ==========================================================================
component      points
=============  ==========================================================================
rome           same appellation +40, same ROME code +30, same family (K13) +15,
               related (same sub-domain K1, a heuristic) +5
experience     2 per year of experience on the offer's ROME code, at most +10
distance       20 − 10 × distance / radius (rounded): +20 on the spot, +10 at the radius
licence        driving licence required: held +5, not held −15
vehicle        vehicle required: has one +5, has none −15
qualification  level required: reached +5, not reached −10
languages      languages required: all spoken +3, else −5 per missing language
hours          weekly hours within the person's limits (childcare, working time) +10, else −20
availability   available by the start date +10, within 30 days +5, later −10
rotation       no proposal to an employer for 90 days +10; last one 30–89 days ago +5; else 0
=============  ==========================================================================

Ties are broken by the candidate profile's id (ascending), so rankings are deterministic.

Two ways compute the same scores with the same function (`score_components`):
`rank_candidates` reads the search index `MatchingEntry` in stages (the offer's code, its family,
its sub-domain; SQL prefilter on ROME codes and communes within reach, numpy scoring), stopping
when no candidate of the next level could enter the top; `CandidateArrays.load_all` +
`rank_candidates_exhaustive` scan every profile from the source tables (used by the benchmark
to check the former, and by the batch ranking). Distances are computed per commune with
`territory.geo.distance_km`.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Max
from django.utils import timezone

from parcours.core.access import visible_persons
from parcours.core.french import plural
from parcours.jobs.models import (
    Application,
    CandidateProfile,
    EducationLevel,
    JobOffer,
    ProfileExperience,
    RomeCode,
)
from parcours.jobs.models.offers import EXPIRY_DAYS, languages_mask
from parcours.jobs.models.profiles import INDEXED_FIELDS, MatchingEntry
from parcours.privacy.restriction import exclude_restricted
from parcours.territory.geo import distance_km
from parcours.territory.models import Commune

ROME_POINTS = {4: 40, 3: 30, 2: 15, 1: 5}
NEVER = 10**6  # "days since the last proposal" of a person never proposed
COMPONENTS = (
    "rome",
    "experience",
    "distance",
    "licence",
    "vehicle",
    "qualification",
    "languages",
    "hours",
    "availability",
    "rotation",
)


def encode_rome(code: str) -> int:
    """K1302 → 751302: the family is value // 100, the sub-domain value // 1000."""
    return ord(code[0]) * 10000 + int(code[1:])


def rome_levels(offer_app, offer_code, app, code) -> np.ndarray:
    """Match level, elementwise: 4 same appellation, 3 same code, 2 same family, 1 related, 0 none.
    `app` may be -1 (experience rows have a ROME code but no appellation)."""
    offer_code = np.asarray(offer_code)
    code = np.asarray(code)
    return np.where(
        np.asarray(app) == offer_app,
        4,
        np.where(
            code == offer_code,
            3,
            np.where(code // 100 == offer_code // 100, 2, np.where(code // 1000 == offer_code // 1000, 1, 0)),
        ),
    )


def score_components(
    *,
    level,
    experience_years,
    distance,
    radius,
    requires_licence,
    has_licence,
    requires_vehicle,
    has_vehicle,
    required_level,
    education,
    required_languages,
    languages,
    hours,
    hours_limit,
    start_day,
    available_day,
    days_since_proposal,
) -> dict[str, np.ndarray]:
    """The points of each component, elementwise over numpy arrays (scalars broadcast)."""
    missing = np.bitwise_count(np.bitwise_and(required_languages, np.bitwise_not(languages))).astype(np.int64)
    delay = np.asarray(available_day) - start_day
    return {
        "rome": np.choose(
            np.asarray(level), [0, ROME_POINTS[1], ROME_POINTS[2], ROME_POINTS[3], ROME_POINTS[4]]
        ),
        "experience": np.minimum(10, 2 * np.asarray(experience_years)),
        "distance": np.rint(20 - 10 * np.asarray(distance) / np.asarray(radius)).astype(np.int64),
        "licence": np.where(requires_licence, np.where(has_licence, 5, -15), 0),
        "vehicle": np.where(requires_vehicle, np.where(has_vehicle, 5, -15), 0),
        "qualification": np.where(required_level > 0, np.where(education >= required_level, 5, -10), 0),
        "languages": np.where(required_languages != 0, np.where(missing == 0, 3, -5 * missing), 0),
        "hours": np.where(np.asarray(hours) <= hours_limit, 10, -20),
        "availability": np.where(delay <= 0, 10, np.where(delay <= 30, 5, -10)),
        "rotation": np.where(
            np.asarray(days_since_proposal) >= 90, 10, np.where(np.asarray(days_since_proposal) >= 30, 5, 0)
        ),
    }


def _points(value: int) -> str:
    return f"+{value}" if value >= 0 else f"−{-value}"


@dataclass
class Line:
    label: str
    points: int

    @property
    def display(self) -> str:
        return f"{self.label} : {_points(self.points)}"


@dataclass
class Match:
    """One ranked pair with the explanation of its score, line by line."""

    offer_id: int
    profile_id: int
    person_id: int
    score: int
    distance_km: float
    lines: list[Line] = field(default_factory=list)
    components: dict[str, int] = field(default_factory=dict)  # points by COMPONENTS name, if explained
    offer: JobOffer | None = None
    profile: CandidateProfile | None = None


@dataclass
class OfferFeatures:
    id: int
    appellation: int
    code: int
    rome_code: str
    commune_id: int
    point: tuple[float, float]
    requires_licence: bool
    requires_vehicle: bool
    required_level: int
    required_languages: int
    hours: float
    start_day: int

    @classmethod
    def of(cls, offer: JobOffer) -> OfferFeatures:
        return cls(
            id=offer.pk,
            appellation=offer.appellation_id,
            code=encode_rome(offer.appellation.rome_id),
            rome_code=offer.appellation.rome_id,
            commune_id=offer.commune_id,
            point=offer.commune.point,
            requires_licence=offer.requires_driving_licence,
            requires_vehicle=offer.requires_vehicle,
            required_level=offer.qualification_level,
            required_languages=languages_mask(offer.languages),
            hours=float(offer.hours_per_week),
            start_day=offer.start_date.toordinal(),
        )


def _subdomain_codes(code: str) -> list[str]:
    return list(RomeCode.objects.filter(code__startswith=code[:2]).values_list("code", flat=True))


def communes_within(point: tuple[float, float], km: float) -> dict[int, float]:
    """Communes within `km` of a point, with their distance (a bounding box in SQL, then exact)."""
    dlat = km / 111.0 + 0.01
    dlon = km / (111.0 * max(0.1, math.cos(math.radians(point[0])))) + 0.01
    rows = Commune.objects.filter(
        latitude__range=(point[0] - dlat, point[0] + dlat),
        longitude__range=(point[1] - dlon, point[1] + dlon),
    ).values_list("id", "latitude", "longitude")
    found = {}
    for commune_id, lat, lon in rows:
        distance = distance_km(point, (lat, lon))
        if distance <= km:
            found[commune_id] = distance
    return found


ROTATION_DAYS = 90


def recent_proposals(today: datetime.date) -> dict[int, int]:
    """Day (ordinal) of each person's last proposal to an employer within ROTATION_DAYS: older
    ones earn the full rotation points, so only the recent ones need reading."""
    since = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=ROTATION_DAYS), datetime.time())
    )
    return {
        person_id: timezone.localdate(last).toordinal()
        for person_id, last in Application.objects.filter(proposed_at__gte=since)
        .values("person_id")
        .annotate(last=Max("proposed_at"))
        .values_list("person_id", "last")
    }


_PROFILE_FIELDS = (
    "id",
    "person_id",
    "person__commune_id",
    "person__commune__unit_id",
    "mobility_radius_km",
    "has_driving_licence",
    "has_vehicle",
    "education_level",
    "languages",
    "childcare_hours_per_week",
    "max_hours_per_week",
    "available_from",
)


class CandidateArrays:
    """Consenting candidate profiles as numpy arrays (one row per profile), with their target
    jobs and experiences as arrays of (profile position, appellation, code, years)."""

    def __init__(self, rows, targets, experiences, last_proposals, today: datetime.date):
        rows = list(rows)
        n = len(rows)
        self.size = n
        self.profile_id = np.fromiter((r[0] for r in rows), np.int64, n)
        self.person_id = np.fromiter((r[1] for r in rows), np.int64, n)
        self.commune_id = np.fromiter((r[2] for r in rows), np.int64, n)
        self.unit_id = np.fromiter((r[3] if r[3] is not None else -1 for r in rows), np.int64, n)
        self.radius = np.fromiter((r[4] for r in rows), np.float64, n)
        self.licence = np.fromiter((r[5] for r in rows), bool, n)
        self.vehicle = np.fromiter((r[6] for r in rows), bool, n)
        self.education = np.fromiter((r[7] for r in rows), np.int64, n)
        self.languages = np.fromiter((languages_mask(r[8]) for r in rows), np.int64, n)
        self.hours_limit = np.fromiter(
            (min([v for v in (r[9], r[10]) if v is not None], default=math.inf) for r in rows), np.float64, n
        )
        self.available_day = np.fromiter((r[11].toordinal() if r[11] else 0 for r in rows), np.int64, n)
        today_ordinal = today.toordinal()
        self.days_since_proposal = np.fromiter(
            (today_ordinal - last_proposals[r[1]] if r[1] in last_proposals else NEVER for r in rows),
            np.int64,
            n,
        )
        position = {pid: i for i, pid in enumerate(self.profile_id.tolist())}
        targets = [(position[p], a, encode_rome(c)) for p, a, c in targets if p in position]
        self.target_pos = np.array([t[0] for t in targets], np.int64)
        self.target_app = np.array([t[1] for t in targets], np.int64)
        self.target_code = np.array([t[2] for t in targets], np.int64)
        experiences = [(position[p], encode_rome(c), y) for p, c, y in experiences if p in position]
        self.exp_pos = np.array([e[0] for e in experiences], np.int64)
        self.exp_code = np.array([e[1] for e in experiences], np.int64)
        self.exp_years = np.array([e[2] for e in experiences], np.int64)
        self.communes, self.commune_pos = np.unique(self.commune_id, return_inverse=True)
        self._commune_points: dict[int, tuple[float, float]] | None = None

    def commune_points(self) -> dict[int, tuple[float, float]]:
        if self._commune_points is None:
            self._commune_points = {
                cid: (lat, lon)
                for cid, lat, lon in Commune.objects.filter(id__in=self.communes.tolist()).values_list(
                    "id", "latitude", "longitude"
                )
            }
        return self._commune_points

    @classmethod
    def from_rows(
        cls, rows, target_rows, experience_rows, *, recent=None, today: datetime.date | None = None
    ):
        """`rows`: profile rows (`_PROFILE_FIELDS`); `target_rows`: (profile id, appellation, ROME code);
        `experience_rows`: (profile id, ROME code, years). Reads the recent proposals."""
        today = today or timezone.localdate()
        if recent is None:
            recent = recent_proposals(today)
        return cls(rows, target_rows, experience_rows, recent, today)

    @classmethod
    def load_all(cls, today: datetime.date | None = None) -> CandidateArrays:
        """Every consenting profile whose person has a commune (the exhaustive scan's input)."""
        profiles = CandidateProfile.objects.consenting().filter(person__commune__isnull=False)
        return cls.from_rows(
            profiles.values_list(*_PROFILE_FIELDS), _target_rows(), _experience_rows(), today=today
        )


def _score_offer(offer: OfferFeatures, arrays: CandidateArrays, distances: np.ndarray, mask: np.ndarray):
    """Scores of all rows of `arrays` for `offer`; returns (eligible positions, components, totals, extras)."""
    n = arrays.size
    level = np.zeros(n, np.int64)
    if arrays.target_pos.size:
        np.maximum.at(
            level,
            arrays.target_pos,
            rome_levels(offer.appellation, offer.code, arrays.target_app, arrays.target_code),
        )
    years = np.zeros(n, np.int64)
    if arrays.exp_pos.size:
        np.maximum.at(level, arrays.exp_pos, rome_levels(-2, offer.code, -1, arrays.exp_code))
        np.maximum.at(years, arrays.exp_pos, np.where(arrays.exp_code == offer.code, arrays.exp_years, 0))
    eligible = mask & (level > 0) & (distances <= arrays.radius)
    positions = np.flatnonzero(eligible)
    components = score_components(
        level=level[positions],
        experience_years=years[positions],
        distance=distances[positions],
        radius=arrays.radius[positions],
        requires_licence=offer.requires_licence,
        has_licence=arrays.licence[positions],
        requires_vehicle=offer.requires_vehicle,
        has_vehicle=arrays.vehicle[positions],
        required_level=offer.required_level,
        education=arrays.education[positions],
        required_languages=offer.required_languages,
        languages=arrays.languages[positions],
        hours=offer.hours,
        hours_limit=arrays.hours_limit[positions],
        start_day=offer.start_day,
        available_day=arrays.available_day[positions],
        days_since_proposal=arrays.days_since_proposal[positions],
    )
    totals = sum(components[name] for name in COMPONENTS)
    extras = {"level": level[positions], "years": years[positions]}
    return positions, components, totals, extras


def _distances_for(offer: OfferFeatures, arrays: CandidateArrays, known: dict[int, float] | None = None):
    """Distance from the offer to each row's commune; `known`: distances already computed by commune."""
    if known is None:
        points = arrays.commune_points()
        known = {cid: distance_km(offer.point, points[cid]) for cid in arrays.communes.tolist()}
    per_commune = np.array([known[cid] for cid in arrays.communes.tolist()], np.float64)
    return per_commune[arrays.commune_pos] if arrays.size else np.zeros(0)


def _top(
    offer: OfferFeatures,
    arrays: CandidateArrays,
    distances: np.ndarray,
    mask: np.ndarray,
    limit: int,
    explain: bool,
) -> list[Match]:
    positions, components, totals, extras = _score_offer(offer, arrays, distances, mask)
    order = np.lexsort((arrays.profile_id[positions], -totals))[:limit]
    matches = []
    for k in order.tolist():
        pos = positions[k]
        match = Match(
            offer_id=offer.id,
            profile_id=int(arrays.profile_id[pos]),
            person_id=int(arrays.person_id[pos]),
            score=int(totals[k]),
            distance_km=float(distances[pos]),
        )
        if explain:
            values = {name: int(components[name][k]) for name in COMPONENTS}
            match.components = values
            match.lines = explain_pair(
                values,
                level=int(extras["level"][k]),
                years=int(extras["years"][k]),
                rome_code=offer.rome_code,
                distance=float(distances[pos]),
                radius=float(arrays.radius[pos]),
                offer=offer,
                education=int(arrays.education[pos]),
                languages=int(arrays.languages[pos]),
                hours_limit=float(arrays.hours_limit[pos]),
                available_day=int(arrays.available_day[pos]),
                days_since_proposal=int(arrays.days_since_proposal[pos]),
            )
        matches.append(match)
    return matches


def explain_pair(
    values: dict[str, int],
    *,
    level: int,
    years: int,
    rome_code: str,
    distance: float,
    radius: float,
    offer: OfferFeatures,
    education: int,
    languages: int,
    hours_limit: float,
    available_day: int,
    days_since_proposal: int,
) -> list[Line]:
    """The French explanation lines of one pair; their points add up to the score."""
    rome_labels = {
        4: "Même appellation ROME que l'offre",
        3: f"Même code ROME ({rome_code})",
        2: f"Même famille de métiers ({rome_code[:3]})",
        1: f"Métier proche (même sous-domaine {rome_code[:2]})",
    }
    lines = [Line(rome_labels[level], values["rome"])]
    if years:
        lines.append(
            Line(f"{plural(years, 'an')} d'expérience sur ce métier ({rome_code})", values["experience"])
        )
    lines.append(Line(f"{distance:.0f} km pour un rayon de {radius:.0f} km", values["distance"]))
    if offer.requires_licence:
        lines.append(
            Line(
                "Permis B exigé : " + ("détenu" if values["licence"] > 0 else "non détenu"), values["licence"]
            )
        )
    if offer.requires_vehicle:
        lines.append(
            Line(
                "Véhicule exigé : " + ("disponible" if values["vehicle"] > 0 else "pas de véhicule"),
                values["vehicle"],
            )
        )
    if offer.required_level:
        label = EducationLevel(offer.required_level).label
        lines.append(
            Line(
                f"Niveau requis {label} : " + ("atteint" if values["qualification"] > 0 else "non atteint"),
                values["qualification"],
            )
        )
    if offer.required_languages:
        missing = int(np.bitwise_count(offer.required_languages & ~languages))
        lines.append(
            Line(
                "Langues exigées : "
                + ("toutes parlées" if not missing else f"{missing} non parlée{'s' if missing > 1 else ''}"),
                values["languages"],
            )
        )
    hours = f"{offer.hours:g} h/semaine"
    if math.isinf(hours_limit):
        lines.append(Line(f"{hours}, aucune contrainte horaire", values["hours"]))
    else:
        verdict = "compatibles avec" if values["hours"] > 0 else "au-delà de"
        lines.append(
            Line(
                f"{hours} {verdict} la limite de {hours_limit:g} h (garde, temps de travail)", values["hours"]
            )
        )
    delay = available_day - offer.start_day
    if delay <= 0:
        lines.append(Line("Disponible dès le début du poste", values["availability"]))
    else:
        lines.append(
            Line(f"Disponible {plural(delay, 'jour')} après le début du poste", values["availability"])
        )
    if days_since_proposal >= NEVER:
        lines.append(
            Line(f"Aucune proposition à un employeur depuis {ROTATION_DAYS} jours", values["rotation"])
        )
    else:
        lines.append(
            Line(f"Dernière proposition il y a {plural(days_since_proposal, 'jour')}", values["rotation"])
        )
    return lines


def rank_candidates(
    offer: JobOffer,
    agent,
    *,
    limit: int = 20,
    unit_id: int | None = None,
    max_km: float | None = None,
    explain: bool = True,
    today: datetime.date | None = None,
) -> list[Match]:
    """The best candidates for `offer` among the persons `agent` may see, best first.

    Searches in stages, each prefiltered in SQL on the search index `MatchingEntry` (ROME codes,
    communes within the largest mobility radius, persons the agent may see) then scored with
    numpy: the
    offer's own code (levels 4 and 3), then the rest of its family (level 2), then the rest of
    its sub-domain (level 1). A stage is skipped when the current `limit`-th score is above the
    highest score any candidate of that level could reach (`_upper_bound`): the result is exactly
    the ranking of an exhaustive scan, at a fraction of its reads.
    """
    features = OfferFeatures.of(offer)
    persons = visible_persons(agent)
    if unit_id is not None:
        persons = persons.filter(commune__unit_id=unit_id)
    reach = _max_radius()
    if max_km is not None:
        reach = min(reach, max_km)
    reachable = communes_within(features.point, reach)
    within = {"commune_id__in": list(reachable)}
    # For an agent who sees everyone the rule adds no condition: skip the no-op subquery.
    if persons.query.where:
        within["person__in"] = persons
    code = features.rome_code
    all_codes = _subdomain_codes(code)
    family = [c for c in all_codes if c[:3] == code[:3] and c != code]
    related = [c for c in all_codes if c[:3] != code[:3]]
    best: list[Match] = []
    seen: set[int] = set()
    recent = recent_proposals(today or timezone.localdate())
    for level, codes in ((3, [code]), (2, family), (1, related)):
        if len(best) >= limit and best[limit - 1].score > _upper_bound(features, level):
            break
        if not codes:
            continue
        # A person under a restriction of processing is never proposed (privacy.restriction).
        entries = exclude_restricted(MatchingEntry.objects.filter(rome_code__in=codes, **within)).values_list(
            "profile_id", "appellation_id", "rome_code", "years", "person_id", "commune_id", *INDEXED_FIELDS
        )
        profiles, targets, experiences = {}, [], []
        for row in entries:
            if row[0] in seen:
                continue
            if row[1] is None:
                experiences.append((row[0], row[2], row[3]))
            else:
                targets.append(row[:3])
            profiles[row[0]] = (row[0], row[4], row[5], -1, *row[6:])
        seen.update(profiles)
        arrays = CandidateArrays.from_rows(
            profiles.values(), targets, experiences, recent=recent, today=today
        )
        distances = _distances_for(features, arrays, known=reachable)
        mask = distances <= max_km if max_km is not None else np.ones(arrays.size, bool)
        found = _top(features, arrays, distances, mask, limit, explain)
        best = sorted(best + found, key=lambda m: (-m.score, m.profile_id))[:limit]
    if explain:
        _attach(best)
    return best


def _max_radius() -> int:
    """The largest mobility radius among consenting candidates (indexed): nobody lives further."""
    found = CandidateProfile.objects.consenting().aggregate(radius=Max("mobility_radius_km"))["radius"]
    return found or 0


def _upper_bound(offer: OfferFeatures, level: int) -> int:
    """The highest score a candidate whose best ROME match is `level` could get for `offer`."""
    return (
        ROME_POINTS[level]
        + (10 if level >= 3 else 0)  # experience counts on the offer's own code only
        + 20  # distance
        + (5 if offer.requires_licence else 0)
        + (5 if offer.requires_vehicle else 0)
        + (5 if offer.required_level else 0)
        + (3 if offer.required_languages else 0)
        + 10  # hours
        + 10  # availability
        + 10  # rotation
    )


def _target_rows():
    through = CandidateProfile.target_appellations.through
    return through.objects.values_list(
        "candidateprofile_id", "romeappellation_id", "romeappellation__rome_id"
    )


def _experience_rows():
    return ProfileExperience.objects.values_list("profile_id", "rome_id", "years")


def rank_candidates_exhaustive(
    offer: JobOffer | OfferFeatures,
    arrays: CandidateArrays,
    *,
    limit: int = 20,
    unit_id: int | None = None,
    max_km: float | None = None,
    explain: bool = False,
) -> list[Match]:
    """The same ranking as `rank_candidates` (for an agent who sees everyone) by scanning all
    profiles in `arrays` with numpy."""
    features = offer if isinstance(offer, OfferFeatures) else OfferFeatures.of(offer)
    distances = _distances_for(features, arrays)
    mask = np.ones(arrays.size, bool)
    if unit_id is not None:
        mask &= arrays.unit_id == unit_id
    if max_km is not None:
        mask &= distances <= max_km
    return _top(features, arrays, distances, mask, limit, explain)


def rank_all_offers(offers, arrays: CandidateArrays, *, limit: int = 20) -> dict[int, list[Match]]:
    """Top candidates of every offer, in batch: the profiles are split once per ROME sub-domain
    and the distances cached per commune, so each offer only scores its sub-domain's profiles."""
    subsets: dict[int, CandidateArrays] = {}
    distance_cache: dict[tuple[int, int], np.ndarray] = {}
    results = {}
    for offer in offers:
        features = offer if isinstance(offer, OfferFeatures) else OfferFeatures.of(offer)
        subdomain = features.code // 1000
        if subdomain not in subsets:
            subsets[subdomain] = _subset(arrays, subdomain)
        subset = subsets[subdomain]
        key = (subdomain, features.commune_id)
        if key not in distance_cache:
            distance_cache[key] = _distances_for(features, subset)
        results[features.id] = _top(
            features, subset, distance_cache[key], np.ones(subset.size, bool), limit, explain=False
        )
    return results


def _subset(arrays: CandidateArrays, subdomain: int) -> CandidateArrays:
    keep = np.zeros(arrays.size, bool)
    keep[arrays.target_pos[arrays.target_code // 1000 == subdomain]] = True
    keep[arrays.exp_pos[arrays.exp_code // 1000 == subdomain]] = True
    positions = np.flatnonzero(keep)
    new_position = np.full(arrays.size, -1, np.int64)
    new_position[positions] = np.arange(positions.size)
    subset = object.__new__(CandidateArrays)
    subset.size = positions.size
    for name in (
        "profile_id",
        "person_id",
        "commune_id",
        "unit_id",
        "radius",
        "licence",
        "vehicle",
        "education",
        "languages",
        "hours_limit",
        "available_day",
        "days_since_proposal",
    ):
        setattr(subset, name, getattr(arrays, name)[positions])
    t_keep = keep[arrays.target_pos]
    subset.target_pos = new_position[arrays.target_pos[t_keep]]
    subset.target_app = arrays.target_app[t_keep]
    subset.target_code = arrays.target_code[t_keep]
    e_keep = keep[arrays.exp_pos]
    subset.exp_pos = new_position[arrays.exp_pos[e_keep]]
    subset.exp_code = arrays.exp_code[e_keep]
    subset.exp_years = arrays.exp_years[e_keep]
    subset.communes, subset.commune_pos = np.unique(subset.commune_id, return_inverse=True)
    subset._commune_points = arrays.commune_points()
    return subset


def rank_offers(
    profile: CandidateProfile,
    *,
    limit: int = 20,
    unit_id: int | None = None,
    max_km: float | None = None,
    contract_type: str | None = None,
    today: datetime.date | None = None,
) -> list[Match]:
    """The open offers best suited to a person, best first (the same components, seen from the
    person: offers in their targets' or experience's sub-domains, within their radius)."""
    today = today or timezone.localdate()
    person = profile.person
    if person.commune_id is None:
        return []
    targets = list(profile.target_appellations.values_list("code_ogr", "rome_id"))
    experiences = list(profile.experiences.values_list("rome_id", "years"))
    prefixes = {code[:2] for _, code in targets} | {code[:2] for code, _ in experiences}
    if not prefixes:
        return []
    radius = float(profile.mobility_radius_km)
    reach = min(radius, max_km) if max_km is not None else radius
    communes = communes_within(person.commune.point, reach)
    codes = [c for c in RomeCode.objects.values_list("code", flat=True) if c[:2] in prefixes]
    offers = (
        JobOffer.objects.published()
        .filter(
            refreshed_at__gt=timezone.now() - datetime.timedelta(days=EXPIRY_DAYS),
            commune_id__in=list(communes),
            appellation__rome_id__in=codes,
        )
        .select_related("appellation", "commune__unit", "employer")
    )
    if unit_id is not None:
        offers = offers.filter(commune__unit_id=unit_id)
    if contract_type:
        offers = offers.filter(contract_type=contract_type)
    offers = list(offers)
    if not offers:
        return []
    feats = [OfferFeatures.of(o) for o in offers]
    o_app = np.array([f.appellation for f in feats], np.int64)
    o_code = np.array([f.code for f in feats], np.int64)
    level = np.zeros(len(feats), np.int64)
    for app, code in targets:
        level = np.maximum(level, rome_levels(o_app, o_code, app, encode_rome(code)))
    years = np.zeros(len(feats), np.int64)
    for code, n_years in experiences:
        level = np.maximum(level, rome_levels(-2, o_code, -1, encode_rome(code)))
        years = np.maximum(years, np.where(o_code == encode_rome(code), n_years, 0))
    distances = np.array([communes[f.commune_id] for f in feats], np.float64)
    last = Application.objects.filter(person=person, proposed_at__isnull=False).aggregate(
        last=Max("proposed_at")
    )["last"]
    days_since = today.toordinal() - timezone.localdate(last).toordinal() if last else NEVER
    hours_limit = float(profile.hours_limit) if profile.hours_limit is not None else math.inf
    available_day = profile.available_from.toordinal() if profile.available_from else 0
    person_languages = languages_mask(profile.languages)
    components = score_components(
        level=level,
        experience_years=years,
        distance=distances,
        radius=radius,
        requires_licence=np.array([f.requires_licence for f in feats]),
        has_licence=profile.has_driving_licence,
        requires_vehicle=np.array([f.requires_vehicle for f in feats]),
        has_vehicle=profile.has_vehicle,
        required_level=np.array([f.required_level for f in feats], np.int64),
        education=profile.education_level,
        required_languages=np.array([f.required_languages for f in feats], np.int64),
        languages=person_languages,
        hours=np.array([f.hours for f in feats]),
        hours_limit=hours_limit,
        start_day=np.array([f.start_day for f in feats], np.int64),
        available_day=available_day,
        days_since_proposal=days_since,
    )
    components = {name: np.broadcast_to(value, level.shape) for name, value in components.items()}
    totals = sum(components[name] for name in COMPONENTS)
    eligible = np.flatnonzero((level > 0) & (distances <= radius))
    offer_ids = np.array([f.id for f in feats], np.int64)
    order = eligible[np.lexsort((offer_ids[eligible], -totals[eligible]))]
    matches = []
    for k in order[:limit].tolist():
        values = {name: int(components[name][k]) for name in COMPONENTS}
        matches.append(
            Match(
                offer_id=feats[k].id,
                profile_id=profile.pk,
                person_id=person.pk,
                score=int(totals[k]),
                distance_km=float(distances[k]),
                offer=offers[k],
                profile=profile,
                lines=explain_pair(
                    values,
                    level=int(level[k]),
                    years=int(years[k]),
                    rome_code=feats[k].rome_code,
                    distance=float(distances[k]),
                    radius=radius,
                    offer=feats[k],
                    education=profile.education_level,
                    languages=person_languages,
                    hours_limit=hours_limit,
                    available_day=available_day,
                    days_since_proposal=days_since,
                ),
            )
        )
    return matches


def _attach(matches: list[Match]) -> None:
    if not matches:
        return
    by_id = CandidateProfile.objects.select_related("person__commune__unit").in_bulk(
        [m.profile_id for m in matches]
    )
    for match in matches:
        match.profile = by_id.get(match.profile_id)
