"""Hand-built event histories for the indicator tests."""

import datetime

import factory
from django.utils import timezone

from parcours.people.models import PersonEvent
from tests.people.factories import PersonFactory


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonEvent

    person = factory.SubFactory(PersonFactory)
    kind = "rsa.entree"
    occurred_at = factory.LazyFunction(timezone.now)
    source = "test"
    data = factory.Dict({})


def at(day: str, time: str = "00:00") -> datetime.datetime:
    """A Paris-time instant from "YYYY-MM-DD" and "HH:MM"."""
    naive = datetime.datetime.fromisoformat(f"{day}T{time}")
    return timezone.make_aware(naive)


def event(person, kind: str, day: str, time: str = "00:00", **data) -> PersonEvent:
    return EventFactory(person=person, kind=kind, occurred_at=at(day, time), data=data)


def entrant(person, opened: str, *, requested: str | None = None) -> None:
    """A new RSA entrant soumis à droits et devoirs: request, opening, duties."""
    if requested:
        event(person, "rsa.demande", requested)
    event(person, "rsa.entree", opened)
    event(person, "rsa.droits_devoirs", opened)
