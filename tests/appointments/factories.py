import datetime

import factory
from django.utils import timezone

from parcours.appointments.models import OpeningHours, Slot, SlotType
from tests.accounts.factories import AgentFactory
from tests.territory.factories import DepartementFactory, SiteFactory


class SlotTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlotType

    departement = factory.SubFactory(DepartementFactory)
    name = "Entretien d'orientation"
    kind = "individuel"
    duration_minutes = 45
    seats = 1


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    agent = factory.SubFactory(AgentFactory, role="charge_orientation")
    site = factory.SubFactory(SiteFactory)
    slot_type = factory.SubFactory(SlotTypeFactory)
    weekday = 0
    starts_at = datetime.time(9, 0)
    ends_at = datetime.time(12, 0)


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slot

    site = factory.SubFactory(SiteFactory)
    agent = factory.SubFactory(AgentFactory, role="charge_orientation")
    slot_type = factory.SubFactory(SlotTypeFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + datetime.timedelta(minutes=45))
    seats = factory.SelfAttribute("slot_type.seats")
