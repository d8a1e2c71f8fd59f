"""What the contact-centre screen looks up: stations, the persons behind a phone number or a name,
their open requests, and the earlier contacts of a person not yet identified.

Every lookup goes through the one access rule (`core.access.visible_persons`): a number shared
by a person of another unit finds nothing the agent may not see. The views audit the persons
shown (`audit.record_shown`); the functions here only read.

    lookup = by_phone(agent, "06 12 34 56 78")
    lookup.persons            # each with `open_items_shown` (tray, need, assignee loaded)
    lookup.contacts           # earlier unidentified contacts with that provisional phone
    lookup.person_ids         # to audit
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from parcours.accounts.models import PARTNER_ORGANISATION_KINDS
from parcours.core import audit
from parcours.core.access import get_person_for, visible_persons
from parcours.core.models import AuditAction
from parcours.people.phones import phone_key
from parcours.reception.models import Contact, Station, Tray, TrayItem

# A lookup shows at most this many persons and earlier contacts (a shared number, a common name:
# the operator narrows the search rather than scrolling).
PERSONS_SHOWN = 20
CONTACTS_SHOWN = 10


def stations() -> QuerySet[Station]:
    """The active stations of the département this instance serves."""
    return Station.objects.filter(
        active=True, site__departement__code=settings.PARCOURS_DEPARTEMENT
    ).select_related("site")


def is_partner_agent(agent) -> bool:
    """An agent of a partner organisation (CCAS, association): sees only what their trays hold."""
    return (
        not agent.is_administrator
        and agent.organisation_id is not None
        and agent.organisation.kind in PARTNER_ORGANISATION_KINDS
    )


def unidentified_contacts(agent) -> QuerySet[Contact]:
    """The contacts about a person not yet identified that `agent` may see: every one for the
    département's agents; for a partner's agent, those they took or whose requests are in one of
    their trays."""
    contacts = Contact.objects.unidentified()
    if not is_partner_agent(agent):
        return contacts
    in_trays = TrayItem.objects.filter(tray__in=Tray.objects.of_agent(agent).values("pk")).values(
        "contact_id"
    )
    return contacts.filter(Q(taken_by=agent) | Q(pk__in=in_trays))


def contact_for(agent, contact_id, *, request=None) -> Contact:
    """The contact `contact_id` if `agent` may see it (its person through `get_person_for`,
    audited; an unidentified one through `unidentified_contacts`); otherwise Http404, audited."""
    try:
        contact_id = int(contact_id)
    except (TypeError, ValueError):
        raise Http404("Sollicitation introuvable.") from None
    contact = (
        Contact.objects.select_related("taken_by", "station", "site", "provisional_commune")
        .filter(pk=contact_id)
        .first()
    )
    if contact is None:
        raise Http404("Sollicitation introuvable.")
    if contact.person_id is not None:
        contact.person = get_person_for(agent, contact.person_id, request=request)
        return contact
    if not unidentified_contacts(agent).filter(pk=contact.pk).exists():
        audit.record(agent, AuditAction.DENIED, request=request, contact=contact.pk)
        raise Http404("Sollicitation introuvable.")
    return contact


def open_items() -> QuerySet[TrayItem]:
    return TrayItem.objects.open().select_related("tray", "need", "assigned_to").order_by("due_at", "pk")


@dataclass
class Lookup:
    """What a lookup found: persons (each with `open_items_shown`) and earlier contacts."""

    persons: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    more_persons: bool = False
    searched: bool = False

    @property
    def person_ids(self) -> list[int]:
        return [person.pk for person in self.persons]

    @property
    def found(self) -> bool:
        return bool(self.persons or self.contacts)


def _persons(persons: QuerySet) -> tuple[list, bool]:
    rows = list(
        persons.select_related("commune")
        .prefetch_related(Prefetch("front_door_items", queryset=open_items(), to_attr="open_items_shown"))
        .order_by("last_name", "first_names", "pk")[: PERSONS_SHOWN + 1]
    )
    return rows[:PERSONS_SHOWN], len(rows) > PERSONS_SHOWN


def _contacts(agent, number: str) -> list[Contact]:
    return list(
        unidentified_contacts(agent)
        .with_phone(number)
        .select_related("provisional_commune", "taken_by")
        .prefetch_related(Prefetch("items", queryset=open_items(), to_attr="open_items_shown"))
        .order_by("-received_at", "-pk")[:CONTACTS_SHOWN]
    )


def by_phone(agent, number: str) -> Lookup:
    """The persons `agent` may see whose phone matches `number` (last nine digits, typed any way),
    with their open requests, and the earlier unidentified contacts with that provisional phone.
    Three or four queries. Several persons may match: the operator chooses, nothing is guessed."""
    if not phone_key(number):
        return Lookup()
    persons, more = _persons(visible_persons(agent).with_phone(number))
    return Lookup(persons=persons, contacts=_contacts(agent, number), more_persons=more, searched=True)


def by_identity(agent, text: str = "", birth_date: datetime.date | None = None) -> Lookup:
    """The persons `agent` may see matching a name, a NIR or a CAF number (`Person.objects.search`)
    and/or a birth date, with their open requests."""
    if not (text.strip() or birth_date):
        return Lookup()
    persons, more = _persons(visible_persons(agent).search(text, birth_date))
    return Lookup(persons=persons, more_persons=more, searched=True)
