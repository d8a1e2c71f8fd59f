"""URLs of the aids' envelopes (included by `aids.urls`)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
