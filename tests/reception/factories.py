"""Factories of the front door (reception): stations, contacts, trays, members, routing rules,
items and charter signatures.

`TrayItemFactory` builds a consistent *new* item (its `route` transition written, `due_at` from the
tray's service level); to get an item in another state, create it and apply the workflows
(`reception.workflows.take/start/…`), or use `record_contact` for the full path with routing and
events. `need()` returns an active need of the shipped referential (loaded by the migration).
"""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from parcours.reception.models import (
    Callback,
    Channel,
    CharterSignature,
    Contact,
    ItemState,
    ItemTransition,
    Need,
    NeedSituation,
    NeedTheme,
    RoutingRule,
    ServiceLevel,
    Station,
    Tray,
    TrayItem,
    TrayMember,
    TrayService,
    Urgency,
)
from tests.accounts.factories import AgentFactory, OrganisationFactory
from tests.territory.factories import DepartementFactory, SiteFactory, UnitFactory


def need(theme: str | None = None) -> Need:
    """An active need of the shipped referential, of `theme` (a theme code: logement, enfance…)."""
    needs = Need.objects.filter(active=True).select_related("situation__theme").order_by("pk")
    if theme:
        needs = needs.filter(situation__theme__code=theme)
    found = needs.first()
    if found is None:  # a transactional test flushed the referential loaded by the migration
        code = theme or "acces_droits"
        theme_entry, _ = NeedTheme.objects.get_or_create(code=code, defaults={"label": code.capitalize()})
        situation, _ = NeedSituation.objects.get_or_create(
            code=f"{code}-situation", defaults={"label": "Situation", "theme": theme_entry}
        )
        found, _ = Need.objects.get_or_create(
            code=f"{code}-besoin", defaults={"label": "Besoin", "situation": situation}
        )
    return found


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    site = factory.SubFactory(SiteFactory)
    code = factory.Sequence(lambda n: f"poste-{n}")
    label = factory.Sequence(lambda n: f"Poste {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    """A contact without items (use `record_contact` to route needs)."""

    class Meta:
        model = Contact

    channel = Channel.PHONE
    taken_by = factory.SubFactory(AgentFactory)
    received_at = factory.LazyFunction(timezone.now)


class TrayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tray

    departement = factory.SubFactory(DepartementFactory)
    code = factory.Sequence(lambda n: f"bannette-{n}")
    name = factory.Sequence(lambda n: f"Bannette {n}")
    service = TrayService.SOCIAL
    unit = factory.SubFactory(UnitFactory, departement=factory.SelfAttribute("..departement"))

    class Params:
        crip = factory.Trait(
            service=TrayService.CRIP, unit=None, name=factory.Sequence(lambda n: f"CRIP {n}")
        )
        front_desk = factory.Trait(service=TrayService.FRONT_DESK)


class TrayMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrayMember

    tray = factory.SubFactory(TrayFactory)
    agent = factory.SubFactory(AgentFactory)
    is_manager = False


class ServiceLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceLevel

    tray = factory.SubFactory(TrayFactory)
    urgency = Urgency.ORDINARY
    first_action_hours = 14


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    departement = factory.SubFactory(DepartementFactory)
    position = factory.Sequence(lambda n: (n + 1) * 10)
    label = factory.Sequence(lambda n: f"Règle {n}")
    tray = factory.SubFactory(TrayFactory, departement=factory.SelfAttribute("..departement"))


class TrayItemFactory(factory.django.DjangoModelFactory):
    """A new item in `tray`, consistent with what `record_contact` writes (route transition, due_at)."""

    class Meta:
        model = TrayItem
        skip_postgeneration_save = True

    contact = factory.SubFactory(ContactFactory)
    person = factory.SelfAttribute("contact.person")
    need = factory.LazyFunction(need)
    urgency = Urgency.ORDINARY
    tray = factory.SubFactory(TrayFactory)
    routing_explanation = "Créée pour le test"
    state = ItemState.NEW
    created_at = factory.LazyFunction(timezone.now)
    tray_entered_at = factory.SelfAttribute("created_at")
    due_at = factory.LazyAttribute(lambda item: _due_at(item.tray, item.urgency, item.tray_entered_at))

    @factory.post_generation
    def route(self, create, extracted, **kwargs):
        if create:
            ItemTransition.objects.create(
                item=self,
                name="route",
                from_state="",
                to_state=ItemState.NEW,
                to_tray=self.tray,
                agent=self.contact.taken_by,
                at=self.created_at,
                reason=self.routing_explanation,
            )


def _due_at(tray: Tray, urgency: str, entered_at: datetime.datetime) -> datetime.datetime:
    from parcours.reception.workflows import due_at_for

    return due_at_for(tray, urgency, entered_at)


class CallbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Callback

    contact = factory.SubFactory(ContactFactory)
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=2))
    phone = "0601020304"
    created_by = factory.SelfAttribute("contact.taken_by")


class CharterSignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CharterSignature

    organisation = factory.SubFactory(OrganisationFactory)
    signed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))


def member(tray: Tray, agent=None, *, manager: bool = False, **agent_fields):
    """Add `agent` (a new one by default) to `tray`; returns the agent."""
    agent = agent or AgentFactory(**agent_fields)
    TrayMember.objects.create(tray=tray, agent=agent, is_manager=manager)
    return agent
