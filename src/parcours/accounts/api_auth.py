from ninja.security import HttpBearer

from parcours.accounts.models import ApiToken


class AgentTokenAuth(HttpBearer):
    """Bearer-token authentication of agents; sets request.user like a session would."""

    def authenticate(self, request, token):
        agent = ApiToken.objects.authenticate(token)
        if agent is not None:
            request.user = agent
        return agent
