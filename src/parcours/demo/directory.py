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


ORIENTATION_MESSAGES = (
    "Personne seule, sans ressources ce mois-ci : a besoin d'un colis alimentaire rapidement.",
    "Souhaite un rendez-vous pour faire le point sur ses démarches ; disponible les matins.",
    "Orientée après l'entretien d'orientation ; préfère être appelée plutôt que recevoir un courrier.",
    "Famille avec deux enfants, arrivée récemment dans la commune.",
    "Sans ordinateur à la maison : a besoin d'aide pour ses démarches en ligne.",
)


def play_orientations(code: str, seed: int = 1, *, count: int = 36) -> int:
    """Orient demo persons to the services of the demo organisations' structures, through the
    directory's workflows (`directory.orientations.send`, `validate`, `refuse`, `expire_overdue`),
    over the last seven weeks: most are answered within days, some refused with a reason, the
    recent ones still open, the old unanswered ones expired. The sender is `demo.orientation`;
    the structures' agents (`demo.accueil` for the CCAS, `demo.referent` for the association)
    answer. Returns the number sent (0 when it already ran or nothing can be sent)."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from parcours.accounts.models import Agent
    from parcours.core.access import visible_persons
    from parcours.directory import orientations
    from parcours.directory.models import ServiceOrientation
    from parcours.directory.models.orientations import ConsentMode, OrientationOrigin, RefusalReason

    departement = loaded_departement(code)
    sender = Agent.objects.filter(username="demo.orientation").first()
    if sender is None or ServiceOrientation.objects.filter(sent_by=sender).exists():
        return 0
    services = list(
        Service.objects.open()
        .filter(structure__organisation__departement=departement)
        .exclude(structure__organisation__kind=OrganisationKind.DEPARTEMENT)
        .select_related("structure")
        .order_by("pk")
    )
    persons = list(visible_persons(sender).filter(commune__isnull=False).order_by("pk")[:500])
    if not services or not persons:
        return 0
    # Most go to the services of the organisations whose agents log in to the demo.
    logged_in = set(
        Agent.objects.filter(username__in=["demo.accueil", "demo.referent"]).values_list(
            "organisation_id", flat=True
        )
    )
    preferred = [
        service for service in services if service.structure.organisation_id in logged_in
    ] or services
    rng = random.Random(f"directory-orientations-{code}-{seed}")
    now = timezone.now()
    refusals = [
        RefusalReason.FULL,
        RefusalReason.OUT_OF_AREA,
        RefusalReason.UNREACHABLE,
        RefusalReason.DECLINED,
    ]
    sent = 0
    for person in rng.sample(persons, min(count, len(persons))):
        service = rng.choice(preferred if rng.random() < 0.75 else services)
        at = min(
            _working_moment(now - datetime.timedelta(days=rng.uniform(0.5, 50)), rng),
            now - datetime.timedelta(minutes=5),
        )
        try:
            orientation = orientations.send(
                sender,
                person,
                service,
                origin=rng.choice([OrientationOrigin.FRONT_DOOR, OrientationOrigin.REFERENT]),
                consent_given=True,
                consent_on=timezone.localtime(at).date(),
                consent_mode=rng.choice([ConsentMode.ORAL, ConsentMode.WRITTEN]),
                message=rng.choice(ORIENTATION_MESSAGES),
                now=at,
            )
        except ValidationError:  # a restricted person, an orientation already open
            continue
        sent += 1
        answered_at = max(
            _working_moment(at + datetime.timedelta(days=rng.expovariate(1 / 4)), rng),
            at + datetime.timedelta(hours=1),
        )
        agent = orientations.structure_agents(service).order_by("pk").first()
        if answered_at >= now or agent is None:
            continue
        roll = rng.random()
        if roll < 0.65:
            orientations.validate(agent, orientation, now=answered_at)
        elif roll < 0.85:
            orientations.refuse(agent, orientation, reason=rng.choice(refusals), now=answered_at)
    orientations.expire_overdue(now=now)
    return sent


def _working_moment(moment: datetime.datetime, rng: random.Random) -> datetime.datetime:
    """`moment` moved to a weekday between 9:00 and 17:00 (Paris) on or before its day."""
    from django.utils import timezone

    local = timezone.localtime(moment)
    day = local.date()
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    clock = datetime.time(rng.randint(9, 16), rng.randint(0, 59))
    return timezone.make_aware(datetime.datetime.combine(day, clock))
