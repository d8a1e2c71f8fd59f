"""The person page's "Orientations vers des services" panel (declared in `DirectoryConfig.person_panels`,
composed by `core.person_panels`): the person's orientations to services with their state, their
last mobility diagnosis, and the buttons to orient them and to fill a diagnosis. Two queries."""

from __future__ import annotations

from parcours.directory.models import MobilityDiagnosis, ServiceOrientation

SHOWN = 20


def person_panel_context(person, agent) -> dict:
    """The context of `directory/person_panel.html` (keys prefixed `directory_`)."""
    orientations = list(
        ServiceOrientation.objects.filter(person=person)
        .select_related("service__structure", "sent_by")
        .order_by("-sent_at", "-id")[:SHOWN]
    )
    diagnosis = MobilityDiagnosis.objects.filter(person=person).order_by("-made_on", "-id").first()
    return {
        "directory_orientations": orientations,
        "directory_mobility": diagnosis,
        "directory_may_orient": agent.may_orient_to_services,
    }
