"""The agents' API for persons and households (`/api/v1/personnes/`, `/api/v1/foyers/`).

Every endpoint goes through `parcours.core.access`: a person outside the agent's scope
answers 404 with the same body as an unknown id, and the refusal is audited. Nested
objects (household members) never carry data of a person outside the scope.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import translation
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from parcours.accounts.api_auth import READ_BY_POST
from parcours.core import audit
from parcours.core.access import get_person_for, visible_persons
from parcours.core.models import AuditAction, AuditChannel
from parcours.people.models import Follow, Household, HouseholdMember, Person, PersonEvent
from parcours.people.nir import clean_nir
from parcours.people.schemas import (
    ErrorOut,
    HouseholdOut,
    PersonCreate,
    PersonDetail,
    PersonEventOut,
    PersonPatch,
    PersonSummary,
    ValidationErrorOut,
)
from parcours.territory.models import Commune

router = Router(tags=["Personnes"])
households_router = Router(tags=["Foyers"])

# API field name -> model field name, for the fields a client may write.
INPUT_FIELDS = {
    "civilite": "civility",
    "nom": "last_name",
    "nom_naissance": "birth_name",
    "prenoms": "first_names",
    "date_naissance": "birth_date",
    "sexe": "sex",
    "nir": "nir",
    "matricule_caf": "caf_number",
    "identifiant_france_travail": "france_travail_id",
    "email": "email",
    "telephone": "phone",
    "adresse": "address",
    "complement_adresse": "address_complement",
    "code_postal": "postal_code",
    "code_insee_commune": "commune",
}
MODEL_TO_API = {model: api for api, model in INPUT_FIELDS.items()}

NOT_FOUND = {404: ErrorOut}
SEARCH_BY_POST_ONLY = (
    "Les critères de recherche ne se passent plus dans l'adresse (elle est écrite dans les journaux) : "
    'utilisez POST /api/v1/personnes/recherche avec {"q": …, "date_naissance": …} en JSON.'
)
WRITE_FORBIDDEN = "Votre rôle ne permet pas de créer ou de modifier une personne."


class PersonValidationError(Exception):
    """Field-level errors of a write, keyed by API field name; answered with 422."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("Les données envoyées sont invalides.")


class SearchFilters(Schema):
    q: str = ""
    date_naissance: datetime.date | None = None


class BoundedPagination(PageNumberPagination):
    """ninja's page-number pagination, its page number bounded: past the bound the database's
    OFFSET overflows (a server error); the API answers 422 instead."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1)


class AuditedSearchPagination(BoundedPagination):
    """Page-number pagination that records the search in the audit trail.

    Only the number of matches is recorded, never the text searched (it is often a
    name or a NIR)."""

    def paginate_queryset(self, queryset, pagination, request: HttpRequest, **params: Any) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = list(page["items"])
        audit.record_shown(request.auth, [person.pk for person in page["items"]], request=request)
        filters = params.get("filters")
        criteria = sorted(name for name, value in (filters.dict() if filters else {}).items() if value)
        # No `request`: the audit path would carry the query string, i.e. the text searched.
        audit.record(
            request.auth,
            AuditAction.SEARCH,
            channel=AuditChannel.API,
            endpoint=request.path,
            criteria=criteria,
            count=page["count"],
        )
        return page


@router.post(
    "/recherche",
    auth=READ_BY_POST,  # a search only reads: read-only tokens may call it
    response=list[PersonSummary],
    summary="Rechercher des personnes",
    description=(
        "Recherche parmi les personnes que l'agent peut voir (celles de ses unités territoriales et "
        "celles qu'il suit ; toutes pour un administrateur). Critères dans le corps JSON, jamais dans "
        "l'adresse (elle est écrite dans les journaux) : `q` : nom(s) et prénom(s) dans n'importe "
        "quel ordre, NIR (13 premiers caractères), ou numéro d'allocataire CAF/MSA ; "
        "`date_naissance` : AAAA-MM-JJ. Résultats paginés (`page`, `page_size` dans l'adresse, "
        "25 par page par défaut). La recherche est tracée (nombre de résultats et nom des critères, "
        "jamais le texte cherché)."
    ),
)
@paginate(AuditedSearchPagination, page_size=25)
def search_persons(request, filters: SearchFilters):
    return _in_name_order(visible_persons(request.auth).search(filters.q, birth_date=filters.date_naissance))


@router.get(
    "/",
    response=list[PersonSummary],
    summary="Lister les personnes",
    description=(
        "Les personnes que l'agent peut voir, par ordre alphabétique, paginées (`page`, `page_size`). "
        "Aucun critère de recherche dans l'adresse : pour chercher, `POST /api/v1/personnes/recherche`."
    ),
)
@paginate(AuditedSearchPagination, page_size=25)
def list_persons(request):
    if SearchFilters.model_fields.keys() & request.GET.keys():
        raise HttpError(400, SEARCH_BY_POST_ONLY)
    return _in_name_order(visible_persons(request.auth))


def _in_name_order(persons):
    return persons.select_related("commune__unit").order_by("last_name", "first_names", "pk")


@router.get(
    "/{person_id}",
    response={200: PersonDetail, **NOT_FOUND},
    summary="Consulter une personne",
    description=(
        "Fiche complète : identité, coordonnées, foyers (les membres hors de votre périmètre sont "
        "réduits à leur rôle) et suivis en cours. Une personne hors de votre périmètre répond 404, "
        "comme un identifiant inconnu ; le refus est tracé."
    ),
)
def person_detail(request, person_id: int):
    person = get_person_for(request.auth, person_id, request=request)
    return _with_relations(person, request.auth)


@router.get(
    "/{person_id}/evenements",
    response={200: list[PersonEventOut], **NOT_FOUND},
    summary="Événements du parcours d'une personne",
    description="Les faits datés du parcours (droits, invitations, orientation…), du plus récent au plus ancien.",
)
@paginate(BoundedPagination, page_size=50)
def person_events(request, person_id: int):
    person = get_person_for(request.auth, person_id, request=request)
    return PersonEvent.objects.filter(person=person).order_by("-occurred_at", "-id")


@router.post(
    "/",
    response={201: PersonDetail, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Créer une personne",
    description=(
        "Réservé aux rôles accueil, chargé d'orientation, référent, responsable d'équipe et "
        "administrateur. Nom d'usage, prénoms et date de naissance obligatoires. La commune "
        "(`code_insee_commune`) doit appartenir à l'une de vos unités territoriales (sauf "
        "administrateur). Le NIR est contrôlé (forme, clé, cohérence avec la date de naissance et "
        "le sexe). En cas d'erreur : 422 avec les messages par champ, rien n'est enregistré."
    ),
)
def create_person(request, payload: PersonCreate):
    agent = request.auth
    if not agent.may_register_persons:
        raise HttpError(403, WRITE_FORBIDDEN)
    person = Person()
    changed = _apply(person, payload.dict(exclude_unset=True))
    if person.commune is None and not agent.is_administrator:
        raise PersonValidationError(
            {"code_insee_commune": ["Indiquez la commune de la personne (code INSEE)."]}
        )
    _check_commune_in_scope(agent, person, followed=False)
    with transaction.atomic():
        _full_clean(person)
        person.save()
        audit.record_changes(agent, person, changed, request=request, created=True)
    return Status(201, _with_relations(person, agent))


@router.patch(
    "/{person_id}",
    response={200: PersonDetail, 403: ErrorOut, **NOT_FOUND, 422: ValidationErrorOut},
    summary="Modifier une personne",
    description=(
        "Seuls les champs envoyés sont modifiés. Mêmes contrôles et mêmes rôles qu'à la création ; "
        "une nouvelle commune doit rester dans votre périmètre. Les champs modifiés (jamais leurs "
        "valeurs) sont tracés."
    ),
)
def update_person(request, person_id: int, payload: PersonPatch):
    agent = request.auth
    if not agent.may_register_persons:
        raise HttpError(403, WRITE_FORBIDDEN)
    person = get_person_for(agent, person_id, request=request, audit_read=False)
    commune_before = person.commune_id
    changed = _apply(person, payload.dict(exclude_unset=True))
    if person.commune_id != commune_before:
        followed = Follow.objects.active().filter(agent=agent, person=person).exists()
        _check_commune_in_scope(agent, person, followed=followed)
    with transaction.atomic():
        _full_clean(person)
        if changed:
            person.save()
            audit.record_changes(agent, person, changed, request=request)
        else:
            audit.record(agent, AuditAction.VIEW, person=person, request=request)
    return _with_relations(person, agent)


@households_router.get(
    "/{household_id}",
    response={200: HouseholdOut, **NOT_FOUND},
    summary="Consulter un foyer",
    description=(
        "Un foyer dont au moins un membre est dans votre périmètre ; les autres membres sont "
        "réduits à leur rôle. Sinon 404, comme un identifiant inconnu, et le refus est tracé."
    ),
)
def household_detail(request, household_id: int):
    agent = request.auth
    household = Household.objects.filter(pk=household_id).first()
    memberships = _memberships([household_id]) if household else []
    visible_ids = _visible_ids(agent, memberships)
    if not visible_ids:
        audit.record(agent, AuditAction.DENIED, request=request, household_id=household_id)
        raise Http404("Foyer introuvable.")
    for membership in memberships:
        if membership.person_id in visible_ids:
            audit.record(
                agent, AuditAction.VIEW, person=membership.person, request=request, household_id=household_id
            )
    household.membres = [_member(m, visible_ids) for m in memberships]
    return household


def _apply(person: Person, data: dict[str, Any]) -> list[str]:
    """Set the API fields in `data` on `person`; return the model fields whose value changed."""
    changed = []
    for api_name, value in data.items():
        field = INPUT_FIELDS[api_name]
        if field == "commune":
            value = _commune(value)
        elif field == "nir":
            value = clean_nir(value or "")
        elif value is None:
            if field == "birth_date":
                raise PersonValidationError({api_name: ["La date de naissance est obligatoire."]})
            value = ""
        elif isinstance(value, str):
            value = value.strip()
        if getattr(person, field) != value:
            setattr(person, field, value)
            changed.append(field)
    return changed


def _commune(insee_code: str | None) -> Commune | None:
    if not insee_code:
        return None
    commune = Commune.objects.select_related("unit").filter(insee_code=insee_code.strip()).first()
    if commune is None:
        raise PersonValidationError(
            {"code_insee_commune": [f"Aucune commune ne porte le code INSEE « {insee_code.strip()[:10]} »."]}
        )
    return commune


def _check_commune_in_scope(agent, person: Person, *, followed: bool) -> None:
    """A person placed by an agent must stay in the agent's scope (administrators excepted)."""
    if agent.is_administrator or followed or person.commune is None:
        return
    if not agent.may_register_in(person.commune):
        raise PersonValidationError(
            {
                "code_insee_commune": [
                    "Cette commune n'appartient à aucune de vos unités territoriales : "
                    "vous ne pouvez pas y inscrire la personne."
                ]
            }
        )


def _full_clean(person: Person) -> None:
    try:
        with translation.override("fr"):
            person.full_clean()
    except DjangoValidationError as error:
        errors: dict[str, list[str]] = {}
        for field, messages in error.message_dict.items():
            errors.setdefault(MODEL_TO_API.get(field, "general"), []).extend(messages)
        raise PersonValidationError(errors)


def _memberships(household_ids) -> list[HouseholdMember]:
    return list(
        HouseholdMember.objects.filter(household_id__in=household_ids)
        .select_related("person__commune__unit")
        .order_by("household_id", "role", "person__birth_date", "pk")
    )


def _visible_ids(agent, memberships: list[HouseholdMember]) -> set[int]:
    member_ids = {m.person_id for m in memberships}
    if not member_ids:
        return set()
    return set(visible_persons(agent).filter(pk__in=member_ids).values_list("pk", flat=True))


def _member(membership: HouseholdMember, visible_ids: set[int]) -> dict[str, Any]:
    visible = membership.person_id in visible_ids
    return {
        "role": membership.role,
        "role_libelle": membership.get_role_display(),
        "personne": membership.person if visible else None,
    }


def _with_relations(person: Person, agent) -> Person:
    """Attach the person's households (members reduced to what `agent` may see) and active follows."""
    own = list(HouseholdMember.objects.filter(person=person).select_related("household"))
    memberships = _memberships([m.household_id for m in own])
    visible_ids = _visible_ids(agent, memberships) | {person.pk}
    households = []
    for own_membership in own:
        household = own_membership.household
        household.role = own_membership.role
        household.membres = [_member(m, visible_ids) for m in memberships if m.household_id == household.pk]
        households.append(household)
    person.foyers = households
    person.suivis = list(Follow.objects.active().filter(person=person).select_related("agent"))
    return person
