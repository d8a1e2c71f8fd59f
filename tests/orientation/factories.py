import datetime

import factory

from parcours.orientation.models import FollowUp, PreOrientationRule
from tests.people.factories import PersonFactory
from tests.territory.factories import DepartementFactory


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    person = factory.SubFactory(PersonFactory)
    departement = factory.SubFactory(DepartementFactory)
    rights_opened_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=2))
    due_on = factory.LazyAttribute(lambda f: f.rights_opened_on + datetime.timedelta(days=30))


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PreOrientationRule

    departement = factory.SubFactory(DepartementFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Règle {n}")
    condition = "always"
    parameters = factory.LazyFunction(dict)
    orientation = "socio_professionnelle"
