"""The person page's « Aides financières » panel (`core.person_panels`): the person's
applications (scheme, state, amount, date, each linked to its page), their past ASE placements and
the « Nouvelle demande d'aide » button for agents who file requests. Two queries at most; the
page has already checked and audited the person."""

from __future__ import annotations

APPLICATIONS_SHOWN = 20


def person_panel_context(person, agent) -> dict:
    """The context of `aids/person_panel.html` (keys prefixed `aids_`)."""
    from parcours.aids.models import AidApplication, ChildProtectionPlacement

    if not (agent.may_file_aid_requests or agent.may_instruct_aids):
        return {"aids_visible": False}
    applications = list(
        AidApplication.objects.filter(person=person)
        .select_related("scheme")
        .order_by("-created_at", "-pk")[:APPLICATIONS_SHOWN]
    )
    placements = list(ChildProtectionPlacement.objects.filter(person=person).order_by("-placed_from"))
    return {
        "aids_visible": True,
        "aids_applications": applications,
        "aids_placements": placements,
        "aids_may_file": agent.may_file_aid_requests,
    }
