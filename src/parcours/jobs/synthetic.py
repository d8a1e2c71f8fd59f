"""Synthetic employment data: the demo's employers, sector groups, offers and candidate
profiles; the matching quality set (offers with known good candidates); the benchmark's
bulk profiles and offers. Deterministic for a given seed."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from parcours.jobs import indexing
from parcours.jobs.models import (
    CandidateProfile,
    ContractType,
    Employer,
    EmployerContact,
    EmployerSite,
    JobOffer,
    MobilityMeans,
    OfferStatus,
    ProfileExperience,
    RomeAppellation,
    SectorGroup,
    SectorNeed,
)
from parcours.jobs.models.profiles import MAX_MOBILITY_RADIUS_KM
from parcours.jobs.siret import luhn_valid
from parcours.people.models import Person
from parcours.territory.geo import distance_km
from parcours.territory.models import Commune

# Sector groups of the demo: (name, sector, NAF code, ROME prefixes).
SECTORS = [
    (
        "GOME Aide à la personne",
        "Aide et services à la personne",
        "88.10A",
        ("K1302", "K1303", "K1304", "K1305"),
    ),
    ("GOME Bâtiment", "Bâtiment et travaux publics", "43.31Z", ("F16", "F17")),
    ("GOME Logistique", "Transport et logistique", "52.10B", ("N11", "N41")),
    ("GOME Hôtellerie-restauration", "Hôtellerie, restauration", "56.10A", ("G16", "G18")),
    ("GOME Numérique", "Numérique", "62.01Z", ("M18",)),
    ("GOME Propreté", "Propreté", "81.21Z", ("K22",)),
]
COMPANY_WORDS = [
    "Avenir",
    "Horizon",
    "Solidaire",
    "Nord",
    "Services",
    "Atelier",
    "Groupe",
    "Réseau",
    "Plus",
    "Cité",
]
COMPANY_KINDS = ["SARL", "SAS", "Association", "SCOP", "EURL"]


def make_siret(rng: random.Random) -> str:
    """A random SIRET with a valid Luhn key (never in La Poste's SIREN)."""
    while True:
        stem = f"{rng.randint(100000000, 999999999)}{rng.randint(1, 99):04d}"
        if stem.startswith("356000000"):
            continue
        for key in range(10):
            if luhn_valid(stem + str(key)):
                return stem + str(key)


def appellations_by_prefix(prefixes: tuple[str, ...]) -> list[tuple[int, str]]:
    return [
        (ogr, code)
        for ogr, code in RomeAppellation.objects.values_list("code_ogr", "rome_id").order_by("code_ogr")
        if code.startswith(prefixes)
    ]


@transaction.atomic
def generate_demo(
    departement, *, seed: int = 1, employers: int = 36, offers: int = 120, profile_share: float = 0.3
):
    """The demo's employment data on top of the generated population. Returns counts."""
    rng = random.Random(seed)
    communes = list(Commune.objects.filter(departement=departement).order_by("-population")[:150])
    if not communes:
        raise ValueError("Aucune commune : chargez d'abord le territoire (parcours load-territory).")
    groups, pools = [], []
    for name, sector, _naf, prefixes in SECTORS:
        group, _ = SectorGroup.objects.get_or_create(
            name=name,
            departement=departement,
            defaults={"sector": sector, "meeting_frequency": "trimestrielles"},
        )
        groups.append(group)
        pools.append(appellations_by_prefix(prefixes))
    created_employers = []
    for index in range(employers):
        sector_index = index % len(SECTORS)
        employer = Employer.objects.create(
            siret=make_siret(rng),
            name=f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)}",
            naf_code=SECTORS[sector_index][2],
            sector_group=groups[sector_index],
        )
        commune = rng.choice(communes)
        EmployerSite.objects.create(
            employer=employer, name="Siège", address="1 rue de l'Industrie", commune=commune
        )
        EmployerContact.objects.create(employer=employer, name="Service recrutement", job_title="Recrutement")
        created_employers.append((employer, sector_index, commune))
    # Employer organisations created by `create-demo-agents` get an employer so the portal works.
    from parcours.accounts.models import Organisation, OrganisationKind

    for organisation in Organisation.objects.filter(kind=OrganisationKind.EMPLOYER, employer__isnull=True):
        employer = Employer.objects.create(
            siret=organisation.siret if len(organisation.siret) == 14 else make_siret(rng),
            name=organisation.name,
            naf_code=SECTORS[0][2],
            sector_group=groups[0],
            organisation=organisation,
        )
        created_employers.insert(0, (employer, 0, rng.choice(communes)))
    today = timezone.localdate()
    now = timezone.now()
    for group, pool in zip(groups, pools, strict=True):
        for _ in range(2):
            SectorNeed.objects.create(
                group=group,
                recorded_on=today - datetime.timedelta(days=rng.randint(5, 80)),
                appellation_id=rng.choice(pool)[0],
                quantity=rng.randint(1, 8),
                horizon=rng.choice(["sous 1 mois", "sous 3 mois", "saison prochaine"]),
            )
    offer_rows = []
    for index in range(offers):
        employer, sector_index, commune = created_employers[index % len(created_employers)]
        ogr, _code = rng.choice(pools[sector_index])
        age_days = rng.randint(0, 70)
        status = OfferStatus.PUBLISHED if rng.random() < 0.85 else OfferStatus.DRAFT
        offer_rows.append(
            JobOffer(
                employer=employer,
                appellation_id=ogr,
                title=RomeAppellation.objects.get(pk=ogr).label,
                description="Offre de démonstration.",
                commune=commune,
                contract_type=rng.choice(ContractType.values),
                hours_per_week=rng.choice([20, 24, 26, 30, 35, 35, 35, 39]),
                start_date=today + datetime.timedelta(days=rng.randint(-10, 45)),
                openings=rng.randint(1, 3),
                requires_driving_licence=rng.random() < 0.4,
                requires_vehicle=rng.random() < 0.15,
                qualification_level=rng.choice([0, 0, 0, 3, 4]),
                status=status,
                published_at=now - datetime.timedelta(days=age_days)
                if status == OfferStatus.PUBLISHED
                else None,
                refreshed_at=now - datetime.timedelta(days=age_days)
                if status == OfferStatus.PUBLISHED
                else None,
                created_at=now - datetime.timedelta(days=age_days),
            )
        )
    JobOffer.objects.bulk_create(offer_rows)
    adults = list(
        Person.objects.filter(commune__departement=departement, candidate_profile__isnull=True)
        .filter(
            birth_date__lte=today - datetime.timedelta(days=18 * 365),
            birth_date__gte=today.replace(year=today.year - 64),
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    chosen = [pid for pid in adults if rng.random() < profile_share]
    profiles = [_random_profile(rng, pid, today) for pid in chosen]
    CandidateProfile.objects.bulk_create(profiles, batch_size=2000)
    _add_targets_and_experience(rng, profiles, pools)
    indexing.rebuild()
    return {"employers": len(created_employers), "offers": len(offer_rows), "profiles": len(profiles)}


def _random_profile(rng: random.Random, person_id: int, today: datetime.date) -> CandidateProfile:
    licence = rng.random() < 0.55
    return CandidateProfile(
        person_id=person_id,
        education_level=rng.choice([0, 0, 3, 3, 3, 4, 4, 5, 6]),
        has_driving_licence=licence,
        has_vehicle=licence and rng.random() < 0.6,
        mobility_radius_km=rng.choice([5, 10, 15, 20, 20, 30, 40]),
        mobility_means=MobilityMeans.CAR if licence else rng.choice(MobilityMeans.values),
        childcare_hours_per_week=rng.choice([None, None, None, 20, 24, 30]),
        max_hours_per_week=rng.choice([None, None, None, None, 24, 30]),
        available_from=rng.choice([None, None, today + datetime.timedelta(days=rng.randint(1, 90))]),
        consents_to_employers=rng.random() < 0.85,
        consent_recorded_at=timezone.now(),
    )


def _add_targets_and_experience(rng: random.Random, profiles: list[CandidateProfile], pools) -> None:
    through = CandidateProfile.target_appellations.through
    targets, experiences = [], []
    for profile in profiles:
        pool = rng.choice(pools)
        for ogr, _code in {rng.choice(pool) for _ in range(rng.randint(1, 3))}:
            targets.append(through(candidateprofile_id=profile.pk, romeappellation_id=ogr))
        if rng.random() < 0.6:
            experiences.append(
                ProfileExperience(profile=profile, rome_id=rng.choice(pool)[1], years=rng.randint(1, 12))
            )
    through.objects.bulk_create(targets, batch_size=5000)
    ProfileExperience.objects.bulk_create(experiences, batch_size=5000)


# The matching quality set


@dataclass
class QualitySet:
    """Offers with their known good candidates (profile ids)."""

    good: dict[int, set[int]]


def _persons(rng: random.Random, communes: list[Commune], count: int) -> list[Person]:
    rows = [
        Person(
            last_name=f"Synthetique{rng.randint(1, 10**6)}",
            first_names="Camille",
            birth_date=datetime.date(rng.randint(1965, 2002), rng.randint(1, 12), rng.randint(1, 28)),
            commune=communes[index] if index < len(communes) else rng.choice(communes),
        )
        for index in range(count)
    ]
    return Person.objects.bulk_create(rows, batch_size=5000)


@transaction.atomic
def generate_quality_set(
    employer: Employer, communes: list[Commune], *, offers: int, seed: int = 7
) -> QualitySet:
    """Offers, each with 5–15 planted good candidates and 3 near-misses per good one, plus
    background profiles. A *good* candidate (defined without the score's weights): targets the
    offer's ROME code, lives within their radius, meets every requirement, accepts the hours and
    is available by the start date. Near-misses fail exactly one of these (same family instead of
    same code, no licence, hours above their limit, available two months late, level too low);
    10 background profiles per offer have independent random attributes. The good candidates of
    an offer are all the profiles, planted or not, that satisfy the rule."""
    rng = random.Random(seed)
    today = timezone.localdate()
    pool = appellations_by_prefix(("K13", "K22", "N11", "G16", "F17", "M18", "D15", "H22"))
    by_code: dict[str, list[int]] = defaultdict(list)
    for ogr, code in pool:
        by_code[code].append(ogr)
    by_family: dict[str, list[str]] = defaultdict(list)
    for code in by_code:
        by_family[code[:3]].append(code)
    good: dict[int, set[int]] = {}
    specs = []  # (offer, [(profile spec, planted as good)])
    now = timezone.now()
    for _ in range(offers):
        code = rng.choice([c for c in by_code if len(by_family[c[:3]]) > 1])
        ogr = rng.choice(by_code[code])
        commune = rng.choice(communes)
        level = rng.choice([0, 0, 3, 4])
        requires_licence = rng.random() < 0.5
        hours = rng.choice([20, 24, 30, 35, 35, 39])
        offer = JobOffer.objects.create(
            employer=employer,
            appellation_id=ogr,
            title="Offre de test",
            commune=commune,
            contract_type=ContractType.CDI,
            hours_per_week=hours,
            start_date=today + datetime.timedelta(days=rng.randint(10, 40)),
            requires_driving_licence=requires_licence,
            qualification_level=level,
            status=OfferStatus.PUBLISHED,
            published_at=now,
            refreshed_at=now,
        )
        nearby = sorted(communes, key=lambda c: distance_km(c.point, commune.point))[:8]
        candidates = []
        for _ in range(rng.randint(5, 15)):
            home = rng.choice(nearby)
            base = {
                "home": home,
                "radius": int(distance_km(home.point, commune.point)) + rng.randint(8, 30),
                "licence": requires_licence or rng.random() < 0.5,
                "education": max(level, rng.choice([0, 3, 4, 5])),
                "hours_limit": rng.choice([None, None, 39 if hours <= 39 else None]),
                "available": rng.choice(
                    [None, offer.start_date - datetime.timedelta(days=rng.randint(0, 20))]
                ),
                "targets": [rng.choice(by_code[code])],
            }
            base["radius"] = min(base["radius"], MAX_MOBILITY_RADIUS_KM)
            candidates.append((base, True))
            defects = (
                ["family", "hours", "late"]
                + (["licence"] if requires_licence else [])
                + (["level"] if level else [])
            )
            for defect in rng.sample(defects, 3) if len(defects) >= 3 else defects:
                miss = dict(base, home=rng.choice(nearby))
                miss["radius"] = min(
                    MAX_MOBILITY_RADIUS_KM,
                    int(distance_km(miss["home"].point, commune.point)) + rng.randint(8, 30),
                )
                if defect == "family":
                    other = rng.choice([c for c in by_family[code[:3]] if c != code])
                    miss["targets"] = [rng.choice(by_code[other])]
                elif defect == "hours":
                    miss["hours_limit"] = hours - rng.randint(4, 10)
                elif defect == "late":
                    miss["available"] = offer.start_date + datetime.timedelta(days=rng.randint(45, 120))
                elif defect == "licence":
                    miss["licence"] = False
                elif defect == "level":
                    miss["education"] = rng.choice([c for c in (0, 3) if c < level])
                candidates.append((miss, False))
        for _ in range(10):  # background: independent random attributes, good or not by the rule
            home = rng.choice(nearby)
            draw = rng.random()
            if draw < 0.3:
                target_code = code
            elif draw < 0.6:
                target_code = rng.choice(by_family[code[:3]])
            else:
                target_code = rng.choice(list(by_code))
            candidates.append(
                (
                    {
                        "home": home,
                        "radius": max(
                            1,
                            min(
                                MAX_MOBILITY_RADIUS_KM,
                                int(distance_km(home.point, commune.point)) + rng.randint(-5, 25),
                            ),
                        ),
                        "licence": rng.random() < 0.5,
                        "education": rng.choice([0, 3, 4, 5]),
                        "hours_limit": rng.choice([None, None, 20, 24, 30, 35]),
                        "available": rng.choice(
                            [None, offer.start_date + datetime.timedelta(days=rng.randint(-30, 40))]
                        ),
                        "targets": [rng.choice(by_code[target_code])],
                    },
                    False,
                )
            )
        specs.append((offer, candidates))
    flat = [(offer, spec, is_good) for offer, candidates in specs for spec, is_good in candidates]
    persons = _persons(rng, [spec["home"] for _, spec, _ in flat], len(flat))
    profiles = CandidateProfile.objects.bulk_create(
        [
            CandidateProfile(
                person=person,
                mobility_radius_km=spec["radius"],
                has_driving_licence=spec["licence"],
                education_level=spec["education"],
                max_hours_per_week=spec["hours_limit"],
                available_from=spec["available"],
                consents_to_employers=True,
            )
            for person, (_, spec, _) in zip(persons, flat, strict=True)
        ]
    )
    through = CandidateProfile.target_appellations.through
    through.objects.bulk_create(
        [
            through(candidateprofile_id=profile.pk, romeappellation_id=ogr)
            for profile, (_, spec, _) in zip(profiles, flat, strict=True)
            for ogr in spec["targets"]
        ]
    )
    code_of = dict(pool)
    indexing.rebuild()
    for offer, _candidates in specs:
        good[offer.pk] = {
            profile.pk
            for profile, (_, spec, _) in zip(profiles, flat, strict=True)
            if _is_good(offer, spec, code_of)
        }
    return QualitySet(good=good)


def _is_good(offer: JobOffer, spec: dict, code_of: dict[int, str]) -> bool:
    """The ground truth, stated without the score: same ROME code, within reach, requirements met,
    hours accepted, available by the start date."""
    return (
        any(code_of[ogr] == code_of[offer.appellation_id] for ogr in spec["targets"])
        and distance_km(spec["home"].point, offer.commune.point) <= spec["radius"]
        and (spec["licence"] or not offer.requires_driving_licence)
        and spec["education"] >= offer.qualification_level
        and (spec["hours_limit"] is None or spec["hours_limit"] >= offer.hours_per_week)
        and (spec["available"] is None or spec["available"] <= offer.start_date)
    )


def precision_at(k: int, ranked: list[int], good: set[int]) -> float:
    """Share of the top k that are good, over the best achievable (min(k, |good|))."""
    if not good:
        return 1.0
    return len(set(ranked[:k]) & good) / min(k, len(good))


# The benchmark's bulk data


def generate_bulk(
    communes: list[Commune], employer: Employer, *, profiles: int, offers: int, seed: int = 3
) -> None:
    """`profiles` consenting candidate profiles (persons included) and `offers` published offers
    over the given communes, with targets and experience drawn from 120 ROME codes."""
    rng = random.Random(seed)
    today = timezone.localdate()
    all_apps = list(RomeAppellation.objects.values_list("code_ogr", "rome_id").order_by("code_ogr"))
    codes = sorted({code for _, code in all_apps})
    chosen_codes = set(rng.sample(codes, 120))
    pool = [(ogr, code) for ogr, code in all_apps if code in chosen_codes]
    chunk = 20000
    for start in range(0, profiles, chunk):
        size = min(chunk, profiles - start)
        with transaction.atomic():
            persons = _persons(rng, [rng.choice(communes) for _ in range(size)], size)
            rows = []
            for person in persons:
                profile = _random_profile(rng, person.pk, today)
                profile.consents_to_employers = True
                rows.append(profile)
            CandidateProfile.objects.bulk_create(rows, batch_size=5000)
            _add_targets_and_experience(rng, rows, [pool])
    indexing.rebuild()
    now = timezone.now()
    JobOffer.objects.bulk_create(
        [
            JobOffer(
                employer=employer,
                appellation_id=ogr,
                title="Offre",
                commune=rng.choice(communes),
                contract_type=rng.choice(ContractType.values),
                hours_per_week=rng.choice([20, 24, 30, 35, 39]),
                start_date=today + datetime.timedelta(days=rng.randint(0, 40)),
                requires_driving_licence=rng.random() < 0.4,
                requires_vehicle=rng.random() < 0.1,
                qualification_level=rng.choice([0, 0, 3, 4]),
                languages=rng.choice(["", "", "", "en"]),
                status=OfferStatus.PUBLISHED,
                published_at=now,
                refreshed_at=now,
            )
            for ogr, _ in (rng.choice(pool) for _ in range(offers))
        ],
        batch_size=5000,
    )
