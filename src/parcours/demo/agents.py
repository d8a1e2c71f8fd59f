"""The demo accounts: one agent per role, their organisations, and a few follows.

`create_demo_agents()` is what `parcours create-demo-agents` runs; it may be run again at will
(it updates the same accounts). The accounts are `otp_exempt`, which lets them skip the second
factor only when the server runs with PARCOURS_DEMO=1.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from parcours.accounts.models import Agent, Organisation, OrganisationKind, Role
from parcours.demo.generation import TerritoryNotLoaded, loaded_departement
from parcours.people.models import Follow, HouseholdMember, MemberRole
from parcours.territory.models import Commune, Departement, TerritorialUnit

DEMO_PASSWORD = "demo-parcours-2026"
FOLLOWED_PER_AGENT = 5


@dataclass(frozen=True)
class DemoProfile:
    role: str
    username: str
    first_name: str
    last_name: str
    organisation_kind: str
    follow_kind: str = ""


PROFILES: tuple[DemoProfile, ...] = (
    DemoProfile(Role.ACCUEIL, "demo.accueil", "Sophie", "Lambert", OrganisationKind.CCAS),
    DemoProfile(
        Role.CHARGE_ORIENTATION, "demo.orientation", "Julien", "Carpentier", OrganisationKind.DEPARTEMENT
    ),
    DemoProfile(Role.REFERENT, "demo.referent", "Nadia", "Haddad", OrganisationKind.ASSOCIATION, "referent"),
    DemoProfile(Role.COACH_EMPLOI, "demo.coach", "Thomas", "Delattre", OrganisationKind.DEPARTEMENT, "coach"),
    DemoProfile(
        Role.RELATIONS_ENTREPRISES, "demo.entreprises", "Claire", "Vandamme", OrganisationKind.DEPARTEMENT
    ),
    DemoProfile(Role.INSTRUCTEUR_AIDES, "demo.aides", "Marc", "Lefebvre", OrganisationKind.DEPARTEMENT),
    DemoProfile(Role.MANAGER, "demo.manager", "Isabelle", "Dumont", OrganisationKind.DEPARTEMENT),
    DemoProfile(Role.ADMINISTRATEUR, "demo.admin", "Philippe", "Caron", OrganisationKind.DEPARTEMENT),
    DemoProfile(Role.EMPLOYEUR, "demo.employeur", "Laura", "Descamps", OrganisationKind.EMPLOYER),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    role_label: str
    organisation: str
    unit: str
    followed: int

    def as_dict(self) -> dict:
        return asdict(self)


def main_unit(departement: Departement) -> TerritorialUnit:
    """The unit of the département's most populous commune (Lille's for the Nord)."""
    commune = (
        Commune.objects.filter(departement=departement, unit__isnull=False)
        .select_related("unit")
        .order_by("-population", "insee_code")
        .first()
    )
    if commune is None:
        raise TerritoryNotLoaded(
            f"Le département {departement.code} n'a pas d'unité territoriale rattachée à ses communes : "
            f"relancez « parcours load-territory --departement {departement.code} »."
        )
    return commune.unit


def _organisations(departement: Departement, town: str) -> dict[str, Organisation]:
    names = {
        OrganisationKind.DEPARTEMENT: f"Département — {departement.name}",
        OrganisationKind.FRANCE_TRAVAIL: f"France Travail — agence de {town}",
        OrganisationKind.CCAS: f"CCAS de {town}",
        OrganisationKind.ASSOCIATION: f"Association Tremplin insertion {town} (démo)",
        OrganisationKind.EMPLOYER: f"Entreprise de démonstration {town}",
    }
    return {
        kind: Organisation.objects.get_or_create(departement=departement, kind=kind, name=name)[0]
        for kind, name in names.items()
    }


def _persons_to_follow(
    departement: Departement, unit: TerritorialUnit
) -> tuple[TerritorialUnit | None, list[int]]:
    """A few generated demandeurs of another unit than `unit` (the most populous one that has some)."""
    demandeurs = HouseholdMember.objects.filter(
        role=MemberRole.DEMANDEUR,
        person__demo_generation__isnull=False,
        person__commune__departement=departement,
        person__commune__unit__isnull=False,
    ).exclude(person__commune__unit=unit)
    first = (
        demandeurs.order_by("-person__commune__population", "person_id")
        .values("person__commune__unit")
        .first()
    )
    if first is None:
        return None, []
    other = TerritorialUnit.objects.get(pk=first["person__commune__unit"])
    person_ids = list(
        demandeurs.filter(person__commune__unit=other)
        .order_by("person_id")
        .values_list("person_id", flat=True)[:FOLLOWED_PER_AGENT]
    )
    return other, person_ids


@transaction.atomic
def create_demo_agents(code: str) -> tuple[list[DemoAccount], TerritorialUnit | None]:
    """Create or update the demo accounts of département `code`. Returns the accounts and the unit
    whose persons the référent and the coach follow (None when no population is generated).
    Raises TerritoryNotLoaded when the territory is missing."""
    departement = loaded_departement(code)
    unit = main_unit(departement)
    all_units = list(TerritorialUnit.objects.filter(departement=departement))
    town = Commune.objects.filter(departement=departement, unit=unit).order_by("-population").first().name
    organisations = _organisations(departement, town)
    followed_unit, followed_ids = _persons_to_follow(departement, unit)
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: the hasher is slow on purpose

    accounts = []
    for profile in PROFILES:
        organisation = organisations[profile.organisation_kind]
        agent, _ = Agent.objects.update_or_create(
            username=profile.username,
            defaults={
                "first_name": profile.first_name,
                "last_name": profile.last_name,
                "email": f"{profile.username}@example.org",
                "organisation": organisation,
                "role": profile.role,
                "otp_exempt": True,
                "is_active": True,
                "password": password_hash,
            },
        )
        is_admin = profile.role == Role.ADMINISTRATEUR
        agent.units.set(all_units if is_admin else [unit])
        followed = 0
        if profile.follow_kind:
            for person_id in followed_ids:
                Follow.objects.active().get_or_create(
                    person_id=person_id, agent=agent, kind=profile.follow_kind, ended_on=None
                )
            followed = len(followed_ids)
        accounts.append(
            DemoAccount(
                username=profile.username,
                password=DEMO_PASSWORD,
                role=profile.role,
                role_label=Role(profile.role).label,
                organisation=organisation.name,
                unit="Toutes" if is_admin else unit.name,
                followed=followed,
            )
        )
    return accounts, followed_unit


# The pair of an accompagnement global (issue #13): a social worker of the Département and an
# adviser of France Travail, made by `demo-accompaniment` (not one account per role, so they are
# not in PROFILES).
PAIR_PROFILES: tuple[DemoProfile, ...] = (
    DemoProfile(Role.REFERENT, "demo.social", "Amandine", "Leroy", OrganisationKind.DEPARTEMENT),
    DemoProfile(Role.REFERENT, "demo.conseiller", "Mehdi", "Bouzid", OrganisationKind.FRANCE_TRAVAIL),
)


@transaction.atomic
def pair_agents(code: str) -> list[Agent]:
    """The two demo référents of the accompagnements globaux of département `code` (a social worker
    of the Département, an adviser of France Travail), created when missing with the demo password,
    in the main unit. Raises TerritoryNotLoaded when the territory is missing."""
    departement = loaded_departement(code)
    unit = main_unit(departement)
    town = Commune.objects.filter(departement=departement, unit=unit).order_by("-population").first().name
    organisations = _organisations(departement, town)
    agents = []
    for profile in PAIR_PROFILES:
        agent = Agent.objects.filter(username=profile.username).first()
        if agent is None:
            agent = Agent.objects.create(
                username=profile.username,
                first_name=profile.first_name,
                last_name=profile.last_name,
                email=f"{profile.username}@example.org",
                organisation=organisations[profile.organisation_kind],
                role=profile.role,
                otp_exempt=True,
                is_active=True,
                password=make_password(DEMO_PASSWORD),
            )
            agent.units.set([unit])
        agents.append(agent)
    return agents


# The front door's demo accounts (issue #12), made by `demo-front-door`: an operator of the contact
# centre, a tray manager (a team manager who runs the main unit's trays) and a partner CCAS agent
# (no territorial unit: they see persons only through the items of their CCAS's tray).
FRONT_DOOR_PROFILES: tuple[DemoProfile, ...] = (
    DemoProfile(Role.ACCUEIL, "demo.operateur", "Karima", "Benali", OrganisationKind.DEPARTEMENT),
    DemoProfile(Role.MANAGER, "demo.bannette", "Olivier", "Deprez", OrganisationKind.DEPARTEMENT),
    DemoProfile(Role.ACCUEIL, "demo.ccas", "Céline", "Vanhee", OrganisationKind.CCAS),
)


@transaction.atomic
def front_door_agents(code: str) -> dict[str, Agent]:
    """The front door's demo accounts of département `code` (username → agent), created or updated
    with the demo password: the operator and the tray manager in the main unit, the CCAS agent in
    the main town's CCAS without unit. Raises TerritoryNotLoaded when the territory is missing."""
    departement = loaded_departement(code)
    unit = main_unit(departement)
    town = Commune.objects.filter(departement=departement, unit=unit).order_by("-population").first().name
    organisations = _organisations(departement, town)
    password_hash = make_password(DEMO_PASSWORD)
    agents = {}
    for profile in FRONT_DOOR_PROFILES:
        agent, _ = Agent.objects.update_or_create(
            username=profile.username,
            defaults={
                "first_name": profile.first_name,
                "last_name": profile.last_name,
                "email": f"{profile.username}@example.org",
                "organisation": organisations[profile.organisation_kind],
                "role": profile.role,
                "otp_exempt": True,
                "is_active": True,
                "password": password_hash,
            },
        )
        agent.units.set([] if profile.organisation_kind == OrganisationKind.CCAS else [unit])
        agents[profile.username] = agent
    return agents
