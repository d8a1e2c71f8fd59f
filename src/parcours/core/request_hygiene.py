"""Requests refused before any view runs: a NUL character in the path or the query string.

PostgreSQL cannot store or compare text holding a NUL character, so a view reading such a
parameter would answer 500; no real user types one. Forms already refuse it in their fields
(Django's ProhibitNullCharactersValidator); this covers what views read from the URL.
"""

from __future__ import annotations

from urllib.parse import unquote

from django.http import HttpResponseBadRequest

MESSAGE = "Requête invalide : l'adresse contient un caractère nul."


class RejectNulCharacters:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in unquote(query):
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
