"""The person page's "Données personnelles" panel (`core.person_panels`)."""

from __future__ import annotations

from typing import Any

from parcours.accounts.permissions import allows


def person_panel_context(person, agent) -> dict[str, Any]:
    """Whether the agent handles data requests, and the person's restriction and archive flags:
    read from the annotations of `core.access.get_person_for` (no query), else queried."""
    if not allows(agent, "may_handle_data_requests"):
        return {"privacy_panel": None}
    if hasattr(person, "privacy_restricted"):
        restricted, archived = person.privacy_restricted, person.privacy_archived
    else:
        from parcours.privacy.models import PersonArchive, ProcessingRestriction

        restricted = ProcessingRestriction.objects.active().filter(person=person).exists()
        archived = PersonArchive.objects.filter(person=person).exists()
    return {"privacy_panel": {"restricted": restricted, "archived": archived}}
