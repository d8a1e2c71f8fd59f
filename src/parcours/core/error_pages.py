"""The French 404 page in every mode. Without DEBUG Django renders `404.html` itself; with DEBUG
(the demo runs with it) it would show its technical page, which lists the URL map and is in
English. This middleware answers `404.html` there too: for a `Http404` raised by a view (a person
outside the agent's scope, an unknown record) and for an address that matches no URL."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import Resolver404, resolve


def _not_found(request):
    return render(request, "404.html", status=404)


class FrenchNotFoundMiddleware:
    """With DEBUG, `404.html` instead of Django's technical 404 page (without DEBUG: a no-op)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404:
            try:
                resolve(request.path_info)
            except Resolver404:
                return _not_found(request)
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return _not_found(request)
        return None
