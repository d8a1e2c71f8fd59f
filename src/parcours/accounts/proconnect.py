"""ProConnect (the State's OpenID Connect for professionals), enabled by PROCONNECT_CLIENT_ID.

Agents are never created from ProConnect: an administrator creates the account and
ProConnect only proves the e-mail address of an existing, active agent.
"""

from mozilla_django_oidc.auth import OIDCAuthenticationBackend


class ProConnectBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def authenticate(self, request, **kwargs):
        user = super().authenticate(request, **kwargs)
        if user is not None and request is not None:
            request.session["proconnect"] = True
        return user
