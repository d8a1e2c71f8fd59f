"""Other ways than the territory and a follow-up to see a person, contributed by the apps.

The one access rule (`people.PersonQuerySet.visible_to`) lets an agent see the persons who live in
one of their territorial units and those they follow. Some apps open a person to an agent for a
reason of their own: a partner's agent sees the persons of the items routed to their tray (app
`reception`), a structure's agent the persons oriented to their services (app `directory`). Such an
app declares on its AppConfig

    person_access_grants = ["parcours.<app>.access.<function>"]

where the function is called as `function(agent)` and returns a queryset of person ids (a
`.values("person_id")` subquery, never evaluated in Python) or None when it grants nothing to
this agent. `visible_to` ORs those subqueries with its own conditions: a grant never hides a
person, and there is still only one rule, read by every view, API endpoint, import and export.

A grant may also be limited to a *purpose*: it then opens the person only to the pages that name
that purpose, never to the person page, the API or the exports. A structure that received an
orientation (app `directory`) sees the person on the orientation's pages — what was sent to it —
and nowhere else:

    purpose_access_grants = {"orientation_recue": "parcours.directory.access.persons_oriented_to"}

and those pages ask `visible_persons(agent, purposes=("orientation_recue",))` (or
`get_person_for(..., purposes=...)`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.apps import apps
from django.utils.module_loading import import_string


@cache
def declared() -> tuple[Callable, ...]:
    """The grant functions of every app, imported once, in the order of `INSTALLED_APPS`."""
    return tuple(
        import_string(path)
        for config in apps.get_app_configs()
        for path in getattr(config, "person_access_grants", [])
    )


@cache
def declared_for_purposes() -> dict[str, Callable]:
    """The purpose-limited grant functions of every app, by purpose."""
    grants: dict[str, Callable] = {}
    for config in apps.get_app_configs():
        for purpose, path in getattr(config, "purpose_access_grants", {}).items():
            if purpose in grants:
                raise ValueError(f"Deux applications déclarent la finalité d'accès « {purpose} ».")
            grants[purpose] = import_string(path)
    return grants


def granted_person_ids(agent, purposes: tuple[str, ...] = ()) -> list:
    """The subqueries of person ids the apps open to `agent` (empty list when none), with those of
    the purpose-limited grants named in `purposes` (an unknown purpose is an error)."""
    grants = list(declared())
    limited = declared_for_purposes()
    for purpose in purposes:
        if purpose not in limited:
            raise ValueError(f"Finalité d'accès inconnue : {purpose}")
        grants.append(limited[purpose])
    return [ids for grant in grants if (ids := grant(agent)) is not None]
