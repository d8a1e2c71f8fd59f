"""The demo directory: thousands of plausible local services placed in the real communes.

`generate_directory(code, seed)` is what `parcours demo-directory` runs (after `load-territory`,
preferably after `create-demo-agents`, whose CCAS and association own a few structures). It
creates `directory.Structure` and `directory.Service` rows through the model API (each service's
derived fields computed by `Service.derive`, then `bulk_create`), with source "demo".

**Nothing is placed by hand.** Every kind of service (`KINDS`) has an expected number per
inhabitant; a commune gets a Poisson draw of that expectation, so services follow population and
rural areas come out thinner *from the data*. Food aid also follows the local associations: each
commune draws an associative dynamism (log-normal, mean 1) multiplying its expectation, and a
small commune's distribution opens one half-day a week (a monthly or weekly "distribution de
colis"), while a town's épicerie solidaire opens several. With the coverage analysis' default of
at least 2 half-days a week, the rural food-aid gaps appear: for Seine-Maritime the pays de Bray
and the coast around Fécamp (checked by tests/demo/test_demo_directory.py with
`directory.coverage`, never listed here).

Kinds: CCAS (every commune of 1,500 inhabitants or more, a few intercommunal ones), food aid
(épiceries solidaires, distributions de colis, banque alimentaire partners), digital mediation
(France services, médiathèques, conseillers numériques), a mobility platform (Wimoov-like:
licence preparation at a social driving school, micro-credit, vehicle rental, solidarity garage)
in the largest towns and mobility advice elsewhere, health centres, parenting houses (maisons des
familles, LAEP), employment (missions locales, PLIE, insertion structures, France Travail),
housing, access to rights, disability.

Opening hours are OSM `opening_hours` strings made of half-days (mornings 09:00–12:00,
afternoons 14:00–17:00). About 6 % of the entries are stale (not updated for 7 to 20 months),
about 1 % closed. Idempotent: nothing is done when demo services already exist in the département.
`density` multiplies every expectation (the benchmark uses it to reach 20,000 services).
"""

from __future__ import annotations

import datetime
import math
import random
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction

from parcours.accounts.models import Organisation, OrganisationKind
from parcours.demo.generation import loaded_departement
from parcours.directory.models import Service, Structure
from parcours.territory.models import Commune

SOURCE = "demo"
STALE_SHARE = 0.06
CLOSED_SHARE = 0.01
DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa"]
MORNING, AFTERNOON = "09:00-12:00", "14:00-17:00"


@dataclass(frozen=True)
class Offer:
    """One service a structure of a kind offers."""

    nom: str
    thematiques: tuple[str, ...]
    types: tuple[str, ...] = ("accompagnement",)
    publics: tuple[str, ...] = ("tous-publics",)
    frais: tuple[str, ...] = ("gratuit",)
    modes_mobilisation: tuple[str, ...] = ("se-presenter", "telephoner")


@dataclass(frozen=True)
class Kind:
    """A kind of structure: how many per inhabitant, how open, which services."""

    code: str
    structure_name: str  # formatted with {commune}
    offers: tuple[Offer, ...]
    per_inhabitants: float = 0  # expected structures = population / per_inhabitants × density
    min_population: int = 0  # below it, only `rural_probability`
    rural_probability: float = 0.0
    one_each_from: int = 0  # every commune from this population gets at least one
    associative: bool = False  # multiplied by the commune's associative dynamism
    half_days: tuple[int, int] = (4, 10)  # (min, max) in a town
    rural_half_days: tuple[int, int] | None = None  # in a commune under 3,000 inhabitants
    owner_kind: str = OrganisationKind.ASSOCIATION
    extra_offers: tuple[Offer, ...] = field(default=())  # some structures add one of these


ALIMENTATION = "equipement-et-alimentation--alimentation"
KINDS: tuple[Kind, ...] = (
    Kind(
        "ccas",
        "CCAS de {commune}",
        (
            Offer(
                "Accueil social et accompagnement aux démarches",
                (
                    "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
                    "difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere",
                ),
                publics=("tous-publics",),
            ),
        ),
        one_each_from=1500,
        rural_probability=0.02,
        half_days=(6, 10),
        rural_half_days=(2, 4),
        owner_kind=OrganisationKind.CCAS,
        extra_offers=(Offer("Colis alimentaires d'urgence", (ALIMENTATION,), types=("aide-materielle",)),),
    ),
    Kind(
        "epicerie",
        "Épicerie solidaire de {commune}",
        (
            Offer(
                "Épicerie solidaire",
                (ALIMENTATION,),
                types=("aide-materielle",),
                publics=("beneficiaires-des-minimas-sociaux", "familles"),
                frais=("payant",),
            ),
        ),
        per_inhabitants=14_000,
        min_population=3_000,
        associative=True,
        half_days=(3, 6),
    ),
    Kind(
        "distribution",
        "Comité d'entraide alimentaire de {commune}",
        (Offer("Distribution de colis alimentaires", (ALIMENTATION,), types=("aide-materielle",)),),
        per_inhabitants=9_000,
        rural_probability=0.03,
        associative=True,
        half_days=(2, 4),
        rural_half_days=(1, 1),
    ),
    Kind(
        "numerique",
        "Espace France services de {commune}",
        (
            Offer("Accès aux services en ligne", ("numerique--acceder-a-des-services-en-ligne",)),
            Offer(
                "Atelier numérique : les fondamentaux",
                ("numerique--maitriser-les-fondamentaux-du-numerique",),
                types=("atelier",),
            ),
            Offer(
                "Point d'accès aux droits",
                ("difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",),
            ),
        ),
        per_inhabitants=15_000,
        min_population=2_500,
        rural_probability=0.02,
        half_days=(5, 9),
        owner_kind=OrganisationKind.DEPARTEMENT,
    ),
    Kind(
        "mediatheque",
        "Médiathèque de {commune}",
        (
            Offer(
                "Permanence du conseiller numérique",
                (
                    "numerique--maitriser-les-fondamentaux-du-numerique",
                    "numerique--acceder-a-une-connexion-internet",
                ),
                types=("atelier",),
            ),
        ),
        per_inhabitants=8_000,
        min_population=1_500,
        rural_probability=0.03,
        half_days=(2, 5),
        rural_half_days=(1, 2),
    ),
    Kind(
        "mobilite",
        "Plateforme mobilité insertion — {commune}",
        (
            Offer(
                "Préparation au code et au permis (auto-école sociale)",
                ("mobilite--preparer-un-permis",),
                publics=("demandeurs-emploi", "beneficiaires-des-minimas-sociaux", "jeunes"),
                frais=("payant",),
                modes_mobilisation=("telephoner",),
            ),
            Offer(
                "Microcrédit pour l'achat ou la réparation d'un véhicule",
                ("mobilite--financer-ma-mobilite",),
                types=("aide-financiere",),
                publics=("demandeurs-emploi", "beneficiaires-des-minimas-sociaux"),
            ),
            Offer(
                "Location de véhicules et de deux-roues à petit prix",
                ("mobilite--acceder-a-un-vehicule",),
                types=("aide-materielle",),
                publics=("demandeurs-emploi", "beneficiaires-des-minimas-sociaux"),
                frais=("payant",),
            ),
            Offer(
                "Garage solidaire",
                ("mobilite--entretenir-reparer-son-vehicule",),
                types=("aide-materielle",),
                publics=("beneficiaires-des-minimas-sociaux",),
                frais=("payant",),
            ),
            Offer(
                "Conseil en mobilité et bilan de compétences mobilité",
                ("mobilite--etre-accompagne-dans-son-parcours-mobilite",),
                publics=("demandeurs-emploi", "beneficiaires-des-minimas-sociaux"),
            ),
        ),
        per_inhabitants=90_000,
        min_population=15_000,
        half_days=(8, 10),
    ),
    Kind(
        "conseil-mobilite",
        "Permanence mobilité de {commune}",
        (
            Offer(
                "Conseil en mobilité",
                ("mobilite--etre-accompagne-dans-son-parcours-mobilite",),
                publics=("demandeurs-emploi", "beneficiaires-des-minimas-sociaux"),
            ),
        ),
        per_inhabitants=20_000,
        min_population=3_000,
        half_days=(1, 3),
    ),
    Kind(
        "sante",
        "Centre de santé de {commune}",
        (Offer("Consultations et accès aux soins", ("sante--acces-aux-soins",), frais=("payant",)),),
        per_inhabitants=8_000,
        min_population=2_000,
        rural_probability=0.01,
        half_days=(6, 10),
        extra_offers=(
            Offer("Consultations jeunes consommateurs", ("sante--addictions",), publics=("jeunes",)),
        ),
    ),
    Kind(
        "parentalite",
        "Maison des familles de {commune}",
        (
            Offer(
                "Lieu d'accueil enfants-parents",
                ("famille--soutien-a-la-parentalite-et-a-leducation",),
                types=("atelier",),
                publics=("familles",),
            ),
        ),
        per_inhabitants=10_000,
        min_population=2_000,
        associative=True,
        half_days=(2, 5),
        extra_offers=(
            Offer(
                "Médiation familiale",
                ("famille--surmonter-conflits-separation-violence",),
                publics=("familles",),
            ),
        ),
    ),
    Kind(
        "emploi",
        "Mission locale — antenne de {commune}",
        (
            Offer(
                "Accompagnement vers l'emploi des jeunes",
                (
                    "trouver-un-emploi--repondre-a-des-offres-demploi",
                    "choisir-un-metier--confirmer-son-choix-de-metier",
                ),
                publics=("jeunes",),
            ),
        ),
        per_inhabitants=15_000,
        min_population=3_000,
        half_days=(4, 10),
    ),
    Kind(
        "insertion",
        "Chantier d'insertion de {commune}",
        (
            Offer(
                "Ateliers CV et préparation aux entretiens",
                (
                    "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation",
                    "trouver-un-emploi--convaincre-un-recruteur-en-entretien",
                ),
                types=("atelier",),
                publics=("demandeurs-emploi", "beneficiaires-des-minimas-sociaux"),
            ),
        ),
        per_inhabitants=8_000,
        min_population=2_000,
        associative=True,
        half_days=(2, 6),
    ),
    Kind(
        "logement",
        "Point information logement de {commune}",
        (
            Offer(
                "Information sur l'accès au logement",
                ("logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement",),
                types=("information",),
            ),
            Offer("Prévention des impayés de loyer", ("logement-hebergement--reduire-les-impayes-de-loyer",)),
        ),
        per_inhabitants=18_000,
        min_population=5_000,
        half_days=(2, 6),
    ),
    Kind(
        "droits",
        "Point justice de {commune}",
        (
            Offer(
                "Consultations juridiques gratuites",
                (
                    "difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire",
                ),
                types=("information",),
            ),
        ),
        per_inhabitants=18_000,
        min_population=5_000,
        half_days=(1, 4),
    ),
    Kind(
        "handicap",
        "Antenne MDPH de {commune}",
        (
            Offer(
                "Aide à la constitution du dossier MDPH",
                ("sante--constituer-un-dossier-mdph-invalidite",),
                publics=("personnes-en-situation-de-handicap",),
            ),
        ),
        per_inhabitants=120_000,
        min_population=20_000,
        half_days=(6, 10),
        owner_kind=OrganisationKind.DEPARTEMENT,
    ),
)


@dataclass
class DirectoryOutcome:
    structures: int = 0
    services: int = 0
    stale: int = 0
    closed: int = 0
    owned: int = 0  # structures owned by a demo organisation

    @property
    def created(self) -> bool:
        return self.services > 0


def poisson(rng: random.Random, expectation: float) -> int:
    """A Poisson draw (Knuth for small expectations, a rounded normal above 30)."""
    if expectation <= 0:
        return 0
    if expectation > 30:
        return max(0, round(rng.gauss(expectation, math.sqrt(expectation))))
    limit, count, product = math.exp(-expectation), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def opening_hours(rng: random.Random, half_days: int) -> str:
    """An OSM opening_hours string open `half_days` half-days Monday to Saturday."""
    slots = [(day, part) for day in range(6) for part in (0, 1) if not (day == 5 and part == 1)]
    weekday_slots = [slot for slot in slots if slot[0] < 5]
    chosen = set(rng.sample(weekday_slots, min(half_days, len(weekday_slots))))
    if half_days > len(weekday_slots):
        chosen.add((5, 0))
    by_day: dict[int, list[str]] = {}
    for day, part in sorted(chosen):
        by_day.setdefault(day, []).append(MORNING if part == 0 else AFTERNOON)
    return "; ".join(f"{DAYS[day]} {','.join(times)}" for day, times in sorted(by_day.items()))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text).split())


def _owners(departement) -> dict[str, list[Organisation]]:
    """The demo organisations that own structures of their kind (those of create-demo-agents)."""
    owners: dict[str, list[Organisation]] = {}
    for organisation in Organisation.objects.filter(departement=departement).order_by("pk"):
        owners.setdefault(organisation.kind, []).append(organisation)
    return owners


def _expected(kind: Kind, population: int, dynamism: float, density: float) -> float:
    if kind.per_inhabitants and population >= kind.min_population:
        expected = population / kind.per_inhabitants
    else:
        expected = kind.rural_probability
    if kind.associative:
        expected *= dynamism
    return expected * density


@transaction.atomic
def generate_directory(code: str, seed: int = 1, *, density: float = 1.0, today: datetime.date | None = None):
    """Create the demo directory of département `code` (see the module docstring).

    Raises TerritoryNotLoaded when the communes are not loaded. Returns a DirectoryOutcome
    (nothing created when demo services already exist in the département)."""
    departement = loaded_departement(code)
    today = today or datetime.date.today()
    if Service.objects.filter(source=SOURCE, commune__departement=departement).exists():
        return DirectoryOutcome()
    rng = random.Random(f"directory-{code}-{seed}")
    communes = list(Commune.objects.filter(departement=departement).order_by("insee_code"))
    owners = _owners(departement)
    # The town hosting the demo agents' organisations: their structures are placed there.
    main_town = max(communes, key=lambda c: (c.population, c.insee_code))
    outcome = DirectoryOutcome()
    structures: list[Structure] = []
    pending: list[tuple[int, Service]] = []  # (index of the structure, service)
    for commune in communes:
        dynamism = rng.lognormvariate(-0.18, 0.6)  # mean ≈ 1: the commune's associative life
        for kind in KINDS:
            count = poisson(rng, _expected(kind, commune.population, dynamism, density))
            if kind.one_each_from and commune.population >= kind.one_each_from:
                count = max(count, 1 + int(commune.population // 80_000 * density))
            for number in range(count):
                structure, services = _structure(rng, kind, commune, number, today, len(structures), code)
                if commune.pk == main_town.pk and number == 0 and owners.get(kind.owner_kind):
                    structure.organisation = owners[kind.owner_kind][0]
                    outcome.owned += 1
                structures.append(structure)
                pending += [(len(structures) - 1, service) for service in services]
    Structure.objects.bulk_create(structures, batch_size=1000)
    services = []
    for index, service in pending:
        service.structure = structures[index]
        service.derive()
        services.append(service)
        outcome.stale += service.date_maj < today - datetime.timedelta(days=182)
        outcome.closed += service.closed_on is not None
    Service.objects.bulk_create(services, batch_size=1000)
    outcome.structures, outcome.services = len(structures), len(services)
    return outcome


def _structure(rng, kind: Kind, commune, number: int, today, serial: int, code: str):
    """An unsaved structure of `kind` in `commune` and its unsaved services."""
    name = kind.structure_name.format(commune=commune.name)
    if number:
        name += f" (site {number + 1})"
    # A point near the town hall: within ~700 m.
    latitude = round(commune.latitude + rng.uniform(-0.006, 0.006), 5)
    longitude = round(commune.longitude + rng.uniform(-0.009, 0.009), 5)
    postal_code = (commune.postal_codes.split() or [""])[0]
    stale = rng.random() < STALE_SHARE
    updated = today - datetime.timedelta(days=rng.randint(215, 600) if stale else rng.randint(0, 150))
    slug = _slug(f"{kind.code}-{commune.name}")[:40]
    structure = Structure(
        source=SOURCE,
        source_id=f"demo-{code}-{serial:05d}",
        nom=name,
        description=f"{name} : structure de démonstration générée par Parcours.",
        adresse=f"{rng.randint(1, 60)} {rng.choice(['rue de la République', 'place de la Mairie', 'rue Jean Jaurès', 'rue Victor Hugo', 'avenue de la Gare', 'rue Pasteur'])}",
        code_postal=postal_code,
        commune=commune,
        code_insee=commune.insee_code,
        latitude=latitude,
        longitude=longitude,
        telephone=f"0{rng.choice('23')} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        courriel=f"contact@{slug}.example.org",  # not .test, which the schema refuses
        date_maj=updated,
    )
    low, high = (
        kind.rural_half_days if (kind.rural_half_days and commune.population < 3_000) else kind.half_days
    )
    offers = list(kind.offers)
    if kind.extra_offers and rng.random() < 0.6:
        offers.append(rng.choice(kind.extra_offers))
    closed = rng.random() < CLOSED_SHARE
    services = []
    for index, offer in enumerate(offers):
        services.append(
            Service(
                source=SOURCE,
                source_id=f"demo-{code}-{serial:05d}-{index}",
                nom=offer.nom,
                description=f"{offer.nom} — {name}.",
                thematiques=list(offer.thematiques),
                types=list(offer.types),
                frais=list(offer.frais),
                publics=list(offer.publics),
                modes_accueil=["en-presentiel"],
                modes_mobilisation=list(offer.modes_mobilisation),
                mobilisable_par=["usagers", "professionnels"],
                horaires_accueil=opening_hours(rng, rng.randint(low, high)),
                adresse=structure.adresse,
                code_postal=postal_code,
                commune=commune,
                code_insee=commune.insee_code,
                latitude=latitude,
                longitude=longitude,
                telephone=structure.telephone,
                courriel=structure.courriel,
                date_maj=updated,
                closed_on=today - datetime.timedelta(days=rng.randint(10, 120)) if closed else None,
            )
        )
    return structure, services
