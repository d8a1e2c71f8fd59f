import factory

from parcours.accounts.models import Agent, Organisation, OrganisationKind, Role
from tests.territory.factories import DepartementFactory


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.DEPARTEMENT
    departement = factory.SubFactory(DepartementFactory)


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda a: f"{a.username}@departement.test")
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.REFERENT
    password = factory.django.Password("motdepasse-de-test-123")

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            self.units.set(extracted)
