"""Who sees which person through the directory (`core.access_grants`, declared on `DirectoryConfig`
as a grant limited to the purpose `RECEIVED_PURPOSE`: the orientation's pages only).

A structure's agents see the persons oriented to the services of the structures of their
organisation: while the orientation is open, and for `ANSWERED_VISIBLE_DAYS` (90) days after it
was answered or expired, so that they can reach the person they accepted. Nothing else of the
directory opens a person to anyone.
"""

from __future__ import annotations

from django.db.models import QuerySet

# The purpose of the grant (`core.access_grants`): the pages of the orientations received.
RECEIVED_PURPOSE = "orientation_recue"


def persons_oriented_to(agent) -> QuerySet | None:
    """A subquery of the ids of the persons oriented to `agent`'s organisation's services (open,
    or answered less than 90 days ago); None when the agent belongs to no organisation."""
    from parcours.directory.models import ServiceOrientation

    if agent is None or getattr(agent, "organisation_id", None) is None:
        return None
    return ServiceOrientation.objects.received_by(agent.organisation_id).still_shown().values("person_id")
