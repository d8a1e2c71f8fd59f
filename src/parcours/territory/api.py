"""The territory in the agents' API (`/api/v1/territoire/`): communes, sites and distances.

No personal data here. Field names are French, like the rest of the API; distances are as the
crow flies (`territory.geo.distance_km`)."""

from django.conf import settings
from ninja import Field, Query, Router, Schema, Status

from parcours.territory.models import Commune, Site, SiteKind

router = Router(tags=["Territoire"])

SEARCH_LIMIT = 50


class ErrorOut(Schema):
    detail: str = Field(description="Explication de l'erreur.")


class UnitRef(Schema):
    """Une unité territoriale (Nord : une direction territoriale)."""

    code: str = Field(description="Code de l'unité, unique dans le département.")
    nom: str = Field(alias="name", description="Nom de l'unité.")


class CommuneOut(Schema):
    """Une commune (ou un arrondissement municipal de Paris, Lyon ou Marseille)."""

    code_insee: str = Field(alias="insee_code", description="Code INSEE (code officiel géographique).")
    nom: str = Field(alias="name", description="Nom officiel, avec son article (« Le Cateau-Cambrésis »).")
    type: str = Field(alias="kind", description="`commune` ou `arrondissement_municipal`.")
    departement: str = Field(alias="departement.code", description="Code du département.")
    codes_postaux: list[str] = Field(alias="postal_code_list", description="Codes postaux de la commune.")
    population: int = Field(description="Population municipale (INSEE).")
    unite: UnitRef | None = Field(None, alias="unit", description="Unité territoriale de la commune.")


class CommuneDetail(CommuneOut):
    """Une commune, avec son point de référence et l'adresse de sa mairie."""

    latitude: float = Field(description="Latitude (WGS 84) du point de référence, en général la mairie.")
    longitude: float = Field(description="Longitude (WGS 84) du point de référence.")
    origine_point: str = Field(
        alias="location_source",
        description="`mairie`, `polygone` (point calculé dans le contour) ou `code_postal` (approché).",
    )
    arrondissement: str = Field(description="Code INSEE de l'arrondissement départemental.")
    code_commune_parente: str = Field(
        alias="parent_code", description="Pour un arrondissement municipal, le code de la commune."
    )
    anciens_codes: list[str] = Field(
        alias="former_code_list", description="Codes INSEE de communes fusionnées dans celle-ci."
    )
    adresse_mairie: str = Field(
        alias="town_hall_address", description="Adresse de la mairie (peut être vide)."
    )


class SiteOut(Schema):
    """Un lieu d'accueil : MDIE, UTPAS, agence France Travail, relais autonomie, maison des parents, CCAS."""

    code: str = Field(description="Code du site, unique dans le département.")
    type: str = Field(alias="kind", description="Type de site : " + ", ".join(SiteKind.values) + ".")
    type_libelle: str = Field(alias="get_kind_display", description="Libellé du type de site.")
    nom: str = Field(alias="name", description="Nom du site.")
    adresse: str = Field(alias="address", description="Adresse postale.")
    adresse_indicative: bool = Field(
        alias="address_is_indicative",
        description="Vrai si l'adresse est celle de la mairie, générée faute d'adresse réelle.",
    )
    commune: str = Field(alias="commune.insee_code", description="Code INSEE de la commune du site.")
    commune_nom: str = Field(alias="commune.name", description="Nom de la commune du site.")
    unite: UnitRef | None = Field(None, alias="unit", description="Unité territoriale du site.")
    latitude: float = Field(description="Latitude (WGS 84).")
    longitude: float = Field(description="Longitude (WGS 84).")
    telephone: str = Field(alias="phone", description="Téléphone (peut être vide).")


class SiteDistanceOut(SiteOut):
    """Un site et sa distance à la commune demandée."""

    distance_km: float = Field(
        alias="distance", description="Distance à vol d'oiseau en km, du point de la commune au site."
    )

    @staticmethod
    def resolve_distance_km(site) -> float:
        return round(site.distance, 2)


class SiteFilters(Schema):
    type: SiteKind | None = Field(None, description="Ne garder que ce type de site.")
    unite: str | None = Field(None, description="Code d'une unité territoriale.")
    departement: str | None = Field(
        None, description="Code du département (par défaut celui de l'instance, PARCOURS_DEPARTEMENT)."
    )

    def apply(self, sites):
        sites = sites.filter(departement__code=self.departement or settings.PARCOURS_DEPARTEMENT)
        if self.type:
            sites = sites.filter(kind=self.type)
        if self.unite:
            sites = sites.filter(unit__code=self.unite)
        return sites


def _find_commune(insee_code: str) -> Commune | None:
    return Commune.objects.select_related("unit", "departement").by_insee_code(insee_code)


def _not_found(insee_code: str) -> Status:
    return Status(404, {"detail": f"Aucune commune ne porte le code INSEE « {insee_code[:10]} »."})


@router.get(
    "/communes",
    response=list[CommuneOut],
    summary="Rechercher une commune",
    description=(
        f"Communes dont le nom contient `q`, ou dont le code INSEE ou un code postal commence par `q` "
        f"(au plus {SEARCH_LIMIT}, les plus peuplées d'abord). Tous départements confondus."
    ),
)
def search_communes(
    request, q: str = Query(..., min_length=1, max_length=100, description="Nom, code INSEE ou code postal.")
):
    return list(
        Commune.objects.search(q)
        .select_related("unit", "departement")
        .order_by("-population", "insee_code")[:SEARCH_LIMIT]
    )


@router.get(
    "/communes/{insee_code}",
    response={200: CommuneDetail, 404: ErrorOut},
    summary="Une commune par son code INSEE",
    description="Le code d'une ancienne commune fusionnée donne la commune qui l'a absorbée.",
)
def commune(request, insee_code: str):
    found = _find_commune(insee_code)
    return found if found is not None else _not_found(insee_code)


@router.get(
    "/sites",
    response=list[SiteOut],
    summary="Lister les sites",
    description="Les sites du département, filtrables par type et par unité territoriale.",
)
def sites(request, filters: Query[SiteFilters]):
    return list(
        filters.apply(Site.objects.select_related("commune", "unit")).order_by("kind", "name", "code")
    )


@router.get(
    "/communes/{insee_code}/sites-proches",
    response={200: list[SiteDistanceOut], 404: ErrorOut},
    summary="Les sites les plus proches d'une commune",
    description="Sites triés par distance à vol d'oiseau depuis le point de la commune, le plus proche d'abord.",
)
def nearest_sites(
    request,
    insee_code: str,
    filters: Query[SiteFilters],
    limit: int = Query(5, ge=1, le=50, description="Nombre de sites renvoyés."),
):
    origin = _find_commune(insee_code)
    if origin is None:
        return _not_found(insee_code)
    if not filters.departement:
        filters.departement = origin.departement.code
    return filters.apply(Site.objects.all()).nearest_to(origin, limit=limit)
