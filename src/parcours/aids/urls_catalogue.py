"""URLs of the aids' catalogue (included by `aids.urls`)."""

from django.urls import path

from parcours.aids import views_catalogue as views

urlpatterns = [
    path("dispositifs/", views.schemes, name="schemes"),
    path("dispositifs/nouveau/", views.scheme_new, name="scheme_new"),
    path("dispositifs/<int:scheme_id>/", views.scheme, name="scheme"),
    path("dispositifs/<int:scheme_id>/regles/", views.version_new, name="version_new"),
    path("dispositifs/<int:scheme_id>/identite/", views.scheme_edit, name="scheme_edit"),
    path("dispositifs/<int:scheme_id>/ouverture/", views.scheme_toggle, name="scheme_toggle"),
]
