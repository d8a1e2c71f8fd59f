"""The person page's « Aides financières » panel (`core.person_panels`)."""

from __future__ import annotations


def person_panel_context(person, agent) -> dict:
    from parcours.aids.models import AidApplication

    if not (agent.may_file_aid_requests or agent.may_instruct_aids):
        return {"aids_visible": False}
    applications = list(
        AidApplication.objects.filter(person=person).select_related("scheme").order_by("-created_at")[:20]
    )
    return {"aids_visible": True, "aids_applications": applications}
