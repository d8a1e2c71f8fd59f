"""The person page's « Premier accueil » panel (declared in `ReceptionConfig.person_panels`,
composed by `core.person_panels`): the person's référent de parcours (and the former ones), their
open needs with the tray, state, who handles each and when the first action is due, the last
closed ones with their outcome and what was decided, and the rights followed since reception.

Three queries, whatever the number of rows: the référents (agent and organisation joined), the
items (tray, need and assignee joined; whether the agent is a member of the item's tray is an
EXISTS in the same query, so an item links to its page only for those who may open it), and the
rights. The page has already checked and audited the person; the panel shows no other person.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Value

from parcours.reception.models import ParcoursReferent, RightStatus, TrayItem, TrayMember

# Items read at most (open ones first, then the latest closed); a person with more open items
# than this is an anomaly the trays show anyway.
ITEMS_READ = 40
CLOSED_SHOWN = 5


def person_panel_context(person, agent) -> dict:
    """The context of `reception/person_panel.html` (keys prefixed `reception_`)."""
    referents = list(
        ParcoursReferent.objects.filter(person=person)
        .select_related("agent", "organisation")
        .order_by("ended_on", "-started_on", "-pk")  # the active one (no end) first
    )
    active = next((referent for referent in referents if referent.ended_on is None), None)
    if agent.is_administrator:
        member = Value(True)
    else:
        member = Exists(TrayMember.objects.filter(tray_id=OuterRef("tray_id"), agent=agent))
    items = list(
        TrayItem.objects.filter(person=person)
        .select_related("tray", "need", "assigned_to")
        .annotate(reception_may_open=member)
        .order_by(F("closed_at").desc(nulls_first=True), "due_at", "pk")[:ITEMS_READ]
    )
    rights = list(RightStatus.objects.filter(person=person).order_by("identified_at", "pk"))
    return {
        "reception_referent": active,
        "reception_former_referents": [referent for referent in referents if referent is not active],
        "reception_open_items": [item for item in items if item.is_open],
        "reception_closed_items": [item for item in items if not item.is_open][:CLOSED_SHOWN],
        "reception_rights": rights,
        "reception_may_designate": agent.may_designate_parcours_referent,
        "reception_may_check_rights": agent.may_check_rights,
    }
