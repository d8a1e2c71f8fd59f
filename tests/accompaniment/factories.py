"""Factories of the accompaniment app. `AccompanimentFactory` writes rows directly (for the
querysets' tests); the workflows' tests go through `parcours.accompaniment.workflows`."""

import datetime

import factory
from django.utils import timezone

from parcours.accompaniment.models import (
    Accompaniment,
    AccompanimentReferent,
    Contact,
    ContactMode,
    Programme,
)
from parcours.people import event_kinds
from parcours.people.models import PersonEvent
from tests.accounts.factories import AgentFactory
from tests.people.factories import PersonFactory


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def person_event(person, kind: str, day: datetime.date, **data) -> PersonEvent:
    """A pathway fact written by another app (an import, an appointment…)."""
    return PersonEvent.objects.create(person=person, kind=kind, occurred_at=at(day), source="test", data=data)


def oriented_person(day: datetime.date = datetime.date(2026, 1, 5), **kwargs):
    """A person whose first interview was honoured on `day` (so may start an accompaniment)."""
    person = PersonFactory(**kwargs)
    person_event(person, event_kinds.APPOINTMENT_HONOURED, day)
    return person


class AccompanimentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Accompaniment
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    programme = Programme.COACHING
    started_on = datetime.date(2026, 3, 2)

    @factory.post_generation
    def referent(self, create, extracted, **kwargs):
        """One active référent (`referent=agent` to choose it)."""
        if create:
            agent = extracted or AgentFactory(role="coach_emploi")
            AccompanimentReferent.objects.create(
                accompaniment=self, agent=agent, organisation=agent.organisation, since=self.started_on
            )


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    accompaniment = factory.SubFactory(AccompanimentFactory)
    on = factory.LazyAttribute(lambda c: c.accompaniment.started_on)
    mode = ContactMode.INTERVIEW
