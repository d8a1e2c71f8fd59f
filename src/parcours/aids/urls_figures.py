"""URLs of the aids' figures (included by `aids.urls`)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
