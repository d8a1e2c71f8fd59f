"""The RSA right of a person, for the person page and for other apps."""

from __future__ import annotations

from parcours.people.models import PersonEvent
from parcours.rsa.models import RsaRight

RSA_EVENT_PREFIXES = ("rsa.", "adresse.", "foyer.")


def current_right(person) -> RsaRight | None:
    """The person's RSA right as last stated by the CNAF (the most recent flux if several dossiers)."""
    return (
        RsaRight.objects.of_person(person)
        .select_related("household")
        .order_by("-reference_date", "-updated_at")
        .first()
    )


def subject_to_duties(person, right: RsaRight | None = None) -> bool | None:
    """Whether the last flux said the person is "soumis à droits et devoirs" (None if unknown)."""
    right = right if right is not None else current_right(person)
    entry = right.member_entry(person.pk) if right is not None else None
    return entry.get("duties") if entry else None


def rights_history(person, limit: int = 50):
    """The person's rights events (kinds rsa.*, adresse.*, foyer.*), latest first."""
    return PersonEvent.objects.filter(person=person, kind__regex=r"^(rsa|adresse|foyer)\.").order_by(
        "-occurred_at", "-id"
    )[:limit]


def person_rights_context(person, agent=None) -> dict:
    """The context of the person page's `rsa/person_rights.html` panel (`core.person_panels`)."""
    from parcours.rsa.importer import EVENT_KINDS

    right = current_right(person)
    history = list(rights_history(person, 20))
    for event in history:
        event.label = EVENT_KINDS.get(event.kind, event.kind)
    return {
        "rsa_right": right,
        "rsa_subject_to_duties": subject_to_duties(person, right),
        "rsa_history": history,
    }
