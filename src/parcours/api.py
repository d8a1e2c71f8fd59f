"""The /api/v1/ API: one NinjaAPI whose routers come from the apps."""

from ninja import NinjaAPI

from parcours.accounts.api_auth import AgentTokenAuth

api = NinjaAPI(
    title="Parcours API",
    version="1",
    description="API des agents de Parcours. Authentification par jeton : `Authorization: Bearer <jeton>`.",
    auth=AgentTokenAuth(),
    urls_namespace="api",
)

api.add_router("/personnes/", "parcours.people.api.router")
api.add_router("/territoire/", "parcours.territory.api.router")
api.add_router("/imports/", "parcours.imports.api.router")
api.add_router("/rsa/", "parcours.rsa.api.router")
api.add_router("/emploi/", "parcours.jobs.api.router")
api.add_router("/orientation/", "parcours.orientation.api.router")
api.add_router("/rdv/", "parcours.appointments.api.router")
