"""The /api/v1/ API: one NinjaAPI whose routers come from the apps.

Errors answer JSON with a French `detail` (and `erreurs` per field for 422). The
documentation (`/api/v1/docs`, Swagger UI served from our static files, no CDN) and
the schema (`/api/v1/openapi.json`) are for agents: logged in, or holding a token.
"""

from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from parcours.accounts.api_auth import UNAUTHENTICATED_MESSAGE, AgentTokenAuth, docs_access_required
from parcours.people.api import PersonValidationError

api = NinjaAPI(
    title="Parcours API",
    version="1",
    description=(
        "API des agents de Parcours. Authentification par jeton : `Authorization: Bearer <jeton>` "
        "(jetons créés depuis la page « Jetons d'API » de votre compte). Chaque agent ne voit que les "
        "personnes de son périmètre ; toute consultation, recherche et modification est tracée."
    ),
    auth=AgentTokenAuth(),
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": False, "defaultModelsExpandDepth": 0}),
    docs_decorator=docs_access_required,
)

api.add_router("/personnes/", "parcours.people.api.router")
api.add_router("/foyers/", "parcours.people.api.households_router")
api.add_router("/territoire/", "parcours.territory.api.router")
api.add_router("/imports/", "parcours.imports.api.router")
api.add_router("/rsa/", "parcours.rsa.api.router")
api.add_router("/emploi/", "parcours.jobs.api.router")
api.add_router("/orientation/", "parcours.orientation.api.router")
api.add_router("/rdv/", "parcours.appointments.api.router")
api.add_router("/indicateurs/", "parcours.indicators.api.router")
api.add_router("/telephonie/", "parcours.reception.telephony.router")

# Messages for pydantic's error types; anything else is "Valeur invalide."
_PYDANTIC_MESSAGES = {
    "missing": "Ce champ est obligatoire.",
    "date_from_datetime_parsing": "Date invalide : format attendu AAAA-MM-JJ.",
    "date_parsing": "Date invalide : format attendu AAAA-MM-JJ.",
    "date_type": "Date invalide : format attendu AAAA-MM-JJ.",
    "datetime_parsing": "Date et heure invalides : format attendu ISO 8601.",
    "int_parsing": "Nombre entier attendu.",
    "int_type": "Nombre entier attendu.",
    "string_type": "Texte attendu.",
    "greater_than_equal": "Valeur trop petite.",
    "json_invalid": "Le corps de la requête n'est pas un JSON valide.",
    "model_attributes_type": "Objet JSON attendu.",
    "dict_type": "Objet JSON attendu.",
}
_LOCATIONS = {"body", "query", "path", "payload", "filters", "ninja_pagination"}


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": UNAUTHENTICATED_MESSAGE}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="parcours"'
    return response


@api.exception_handler(AuthorizationError)
def forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Accès refusé."}, status=403)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # One body for every 404: whether a record exists but is out of scope must not show.
    return api.create_response(request, {"detail": "Ressource introuvable."}, status=404)


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        names = [str(part) for part in error.get("loc", ()) if str(part) not in _LOCATIONS]
        field = names[-1] if names else "general"
        errors.setdefault(field, []).append(_PYDANTIC_MESSAGES.get(error.get("type"), "Valeur invalide."))
    return _invalid(request, errors)


@api.exception_handler(DataError)
def unstorable_text(request: HttpRequest, exc: DataError) -> HttpResponse:
    # PostgreSQL refuses the NUL character in any text, even one only searched for: the data sent
    # is at fault (422), not the server. Any other DataError is a server error.
    if "NUL (0x00)" not in str(exc):
        raise exc
    return _invalid(request, {"general": ["Un texte envoyé contient un caractère nul (0x00) : retirez-le."]})


@api.exception_handler(PersonValidationError)
def invalid_person(request: HttpRequest, exc: PersonValidationError) -> HttpResponse:
    return _invalid(request, exc.errors)


def _invalid(request: HttpRequest, errors: dict[str, list[str]]) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Les données envoyées sont invalides.", "erreurs": errors}, status=422
    )
