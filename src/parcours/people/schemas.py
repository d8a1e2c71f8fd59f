"""The JSON shapes of persons and households in the agents' API (`/api/v1/`).

Field names are French, like the rest of what agents and partners read; so are the
schema docstrings, which the OpenAPI documentation shows. Output
schemas read model attributes through `alias`; input schemas use the French names
directly and `people.api` maps them onto the model (`INPUT_FIELDS`).

A household member whom the agent may not see is reduced to their role: the
`personne` of such a member is `null`. The API fills `visible_ids` so that no
nested object carries data of a person outside the agent's scope.
"""

import datetime

from ninja import Field, Schema

from parcours.people.nir import mask_nir


class UnitOut(Schema):
    code: str
    nom: str = Field(alias="name")


class CommuneOut(Schema):
    code_insee: str = Field(alias="insee_code")
    nom: str = Field(alias="name")
    unite: UnitOut | None = Field(None, alias="unit")


class PersonSummary(Schema):
    """Une personne dans une liste de résultats (sans NIR ni coordonnées)."""

    id: int
    civilite: str = Field(alias="civility")
    nom: str = Field(alias="last_name")
    nom_naissance: str = Field(alias="birth_name")
    prenoms: str = Field(alias="first_names")
    date_naissance: datetime.date = Field(alias="birth_date")
    commune: CommuneOut | None = None


class MemberRef(Schema):
    """Un membre du foyer : `personne` vaut `null` si la personne est hors de votre périmètre."""

    role: str
    role_libelle: str
    personne: PersonSummary | None = None


class HouseholdOut(Schema):
    """Un foyer CAF/MSA et ses membres."""

    id: int
    organisme: str = Field(alias="organism")
    numero_dossier: str = Field(alias="caf_number")
    membres: list[MemberRef]


class PersonHouseholdOut(HouseholdOut):
    """Un foyer de la personne, avec son rôle dans ce foyer (`role`)."""

    role: str


class AgentRef(Schema):
    id: int
    nom: str

    @staticmethod
    def resolve_nom(agent) -> str:
        return agent.get_full_name() or agent.get_username()


class FollowOut(Schema):
    agent: AgentRef
    nature: str = Field(alias="kind")
    depuis_le: datetime.date = Field(alias="started_on")
    jusqu_au: datetime.date | None = Field(None, alias="ended_on")


class PersonDetail(PersonSummary):
    """La fiche complète d'une personne : identité, coordonnées, foyers et suivis en cours."""

    sexe: str = Field(alias="sex")
    nir: str = Field(
        description="Entier pour les rôles qui en ont besoin (`may_see_full_nir`), masqué sinon "
        "(« 1 84 ** ** *** *** 42 »)."
    )
    matricule_caf: str = Field(alias="caf_number")
    identifiant_france_travail: str = Field(alias="france_travail_id")
    email: str
    telephone: str = Field(alias="phone")
    adresse: str = Field(alias="address")
    complement_adresse: str = Field(alias="address_complement")
    code_postal: str = Field(alias="postal_code")
    foyers: list[PersonHouseholdOut]
    suivis: list[FollowOut]
    cree_le: datetime.datetime = Field(alias="created_at")
    modifie_le: datetime.datetime = Field(alias="updated_at")

    @staticmethod
    def resolve_nir(person, context) -> str:
        """The whole NIR for an agent who may see it (`Agent.may_see_full_nir`), masked otherwise."""
        request = (context or {}).get("request")
        agent = getattr(request, "auth", None)
        if agent is not None and agent.may_see_full_nir:
            return person.nir
        return mask_nir(person.nir)


class PersonEventOut(Schema):
    """Un fait daté du parcours de la personne."""

    id: int
    nature: str = Field(alias="kind")
    date: datetime.datetime = Field(alias="occurred_at")
    enregistre_le: datetime.datetime = Field(alias="recorded_at")
    source: str
    donnees: dict = Field(alias="data")


class PersonPatch(Schema):
    """Les champs modifiables d'une personne ; un champ absent n'est pas modifié.

    `code_insee_commune` désigne la commune par son code INSEE ; `null` retire la commune.
    """

    civilite: str | None = Field(None, description="« MME » ou « M », ou vide.")
    nom: str | None = Field(None, description="Nom d'usage.")
    nom_naissance: str | None = None
    prenoms: str | None = None
    date_naissance: datetime.date | None = Field(None, description="Format AAAA-MM-JJ.")
    sexe: str | None = Field(None, description="« F » ou « M », ou vide.")
    nir: str | None = Field(None, description="13 caractères, ou 15 avec la clé ; espaces admis.")
    matricule_caf: str | None = None
    identifiant_france_travail: str | None = None
    email: str | None = None
    telephone: str | None = None
    adresse: str | None = None
    complement_adresse: str | None = None
    code_postal: str | None = None
    code_insee_commune: str | None = Field(None, description="Code INSEE d'une commune connue.")


class PersonCreate(PersonPatch):
    """Une nouvelle personne : nom d'usage, prénoms et date de naissance obligatoires."""

    nom: str = Field(description="Nom d'usage.")
    prenoms: str
    date_naissance: datetime.date = Field(description="Format AAAA-MM-JJ.")


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: str
    erreurs: dict[str, list[str]] = Field(description="Messages par champ.")
