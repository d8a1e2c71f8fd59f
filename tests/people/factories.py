import datetime

import factory

from parcours.people.models import Household, HouseholdMember, MemberRole, Person
from parcours.people.nir import nir_with_key
from tests.territory.factories import CommuneFactory


def _nir_for(person) -> str:
    sex = "1" if person.sex == "M" else "2"
    return nir_with_key(f"{sex}{person.birth_date:%y%m}59350{person.sequence:03d}"[:13].ljust(13, "0"))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        sequence = factory.Sequence(lambda n: n % 1000)

    civility = "MME"
    sex = "F"
    last_name = factory.Faker("last_name", locale="fr_FR")
    first_names = factory.Faker("first_name_female", locale="fr_FR")
    birth_date = factory.Sequence(lambda n: datetime.date(1970 + n % 30, 1 + n % 12, 1 + n % 28))
    nir = factory.LazyAttribute(_nir_for)
    commune = factory.SubFactory(CommuneFactory)
    address = "3 rue des Tests"
    postal_code = factory.LazyAttribute(lambda p: p.commune.main_postal_code if p.commune else "")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    caf_number = factory.Sequence(lambda n: f"{1000000 + n}")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory)
    person = factory.SubFactory(PersonFactory)
    role = MemberRole.DEMANDEUR
