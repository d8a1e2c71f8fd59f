"""The person page's panels, contributed by the apps ("apps contribute, the page composes").

An AppConfig may declare `person_panels`, a list of (template, dotted path of a context
function). The function is called as `context(person, agent)` and returns its template's
context: a dict whose keys start with the app's label (`rsa_right`, `accompaniment_…`), so
that they stay apart from the page's and from the other panels'. The person page merges those
dicts into its context and includes each template, in the order of `INSTALLED_APPS`.
A panel shows only what the agent may see of a person the page already checked and audited.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string


@cache
def declared() -> tuple[tuple[str, Callable[..., dict[str, Any]]], ...]:
    """(template, context function) of every app's `person_panels`, imported once."""
    return tuple(
        (template, import_string(path))
        for config in apps.get_app_configs()
        for template, path in getattr(config, "person_panels", [])
    )


def panels_for(person, agent) -> tuple[list[str], dict[str, Any]]:
    """The panels of `person`'s page as `agent` sees it: their templates, and their merged context
    (a key given by two panels is an error: the prefixes keep them apart)."""
    templates, context = [], {}
    for template, function in declared():
        values = function(person, agent)
        clash = context.keys() & values.keys()
        if clash:
            raise ValueError(f"Panneaux de la fiche personne : clés en double {sorted(clash)}")
        templates.append(template)
        context |= values
    return templates, context
