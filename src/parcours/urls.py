from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from parcours.api import api

urlpatterns = [
    path("", include("parcours.core.urls")),
    path("comptes/", include("parcours.accounts.urls")),
    path("administration/", include("parcours.accounts.management_urls")),
    path("personnes/", include("parcours.people.urls")),
    path("territoire/", include("parcours.territory.urls")),
    path("imports/", include("parcours.imports.urls")),
    path("rsa/", include("parcours.rsa.urls")),
    path("orientation/", include("parcours.orientation.urls")),
    path("agendas/", include("parcours.appointments.urls")),
    path("rdv/", include("parcours.appointments.public_urls")),
    path("emploi/", include("parcours.jobs.urls")),
    path("indicateurs/", include("parcours.indicators.urls")),
    path("premier-accueil/", include("parcours.reception.urls")),
    path("accompagnements/", include("parcours.accompaniment.urls")),
    path("annuaire/", include("parcours.directory.urls")),
    path("aides/", include("parcours.aids.urls")),
    path("donnees-personnelles/", include("parcours.privacy.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]

if settings.PROCONNECT_CLIENT_ID:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
