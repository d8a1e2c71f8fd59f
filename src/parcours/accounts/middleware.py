from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# What an agent may reach between password and second factor. /api/ authenticates by token,
# /rdv/ is the public booking of the persons invited (no agent account).
OPEN_PREFIXES = (
    "/comptes/connexion/",
    "/comptes/deconnexion/",
    "/comptes/second-facteur/",
    "/static/",
    "/api/",
    "/oidc/",
    "/rdv/",
)


class SecondFactorRequiredMiddleware:
    """An agent logged in by password must also pass a TOTP check before anything else.

    Demo accounts are exempt only while PARCOURS_DEMO is on; ProConnect logins carry
    their own second factor and are marked verified by the login flow.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and not second_factor_satisfied(request)
        ):
            return redirect(f"{reverse('accounts:otp')}?next={request.get_full_path()}")
        return self.get_response(request)


def second_factor_satisfied(request) -> bool:
    user = request.user
    if settings.PARCOURS_DEMO and user.otp_exempt:
        return True
    if request.session.get("proconnect"):
        return True
    return user.is_verified()
