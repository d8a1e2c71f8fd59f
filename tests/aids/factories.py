"""Factories of the aids: schemes and their versions, envelopes, applications.

`SchemeVersionFactory` builds a version valid since 2020 with no rule, a 500 € ceiling, decided
by the instructor, 10 working days (80 h) of service level and 48 h in emergency. Applications
are built through the workflows: `draft(...)` and `deposited(...)` (the state machine, the
events and the deadline are then those of the product).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from parcours.accounts.models import Role
from parcours.aids import workflows
from parcours.aids.models import AmountKind, Decider, Envelope, Scheme, SchemeFamily, SchemeVersion
from parcours.aids.models.envelopes import cents
from tests.accounts.factories import AgentFactory
from tests.people.factories import PersonFactory


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme

    code = factory.Sequence(lambda n: f"dispositif-{n}")
    name = factory.Sequence(lambda n: f"Dispositif {n}")
    family = SchemeFamily.EMERGENCY


class SchemeVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchemeVersion

    scheme = factory.SubFactory(SchemeFactory)
    number = factory.Sequence(lambda n: n + 1)
    valid_from = datetime.date(2020, 1, 1)
    rules = factory.LazyFunction(list)
    amount_kind = AmountKind.CEILING
    amount = Decimal("500.00")
    documents = factory.LazyFunction(list)
    subsidiarity = factory.LazyFunction(list)
    decider = Decider.INSTRUCTOR
    service_level_hours = 80
    emergency_service_level_hours = 48


class EnvelopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Envelope

    class Params:
        euros = Decimal("10000")

    scheme = factory.SubFactory(SchemeFactory)
    year = factory.LazyFunction(lambda: datetime.date.today().year)
    amount_cents = factory.LazyAttribute(lambda o: cents(o.euros))


def instructor(**kwargs):
    return AgentFactory(role=Role.INSTRUCTEUR_AIDES, **kwargs)


def draft(person=None, scheme=None, *, by=None, **kwargs):
    """A draft application (through `workflows.create_draft`); a scheme with a version and an
    envelope is made when none is given."""
    if scheme is None:
        scheme = SchemeVersionFactory().scheme
        EnvelopeFactory(scheme=scheme)
    return workflows.create_draft(
        person or PersonFactory(), scheme, by=by or AgentFactory(role=Role.ACCUEIL), **kwargs
    )


def deposited(person=None, scheme=None, *, by=None, at=None, **kwargs):
    application = draft(person, scheme, by=by, at=at, **kwargs)
    return workflows.deposit(application, by=application.filed_by, at=at)
