import factory

from parcours.territory.models import Commune, Departement, Site, SiteKind, TerritorialUnit


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = "59"
    name = "Nord"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TerritorialUnit

    departement = factory.SubFactory(DepartementFactory)
    code = factory.Sequence(lambda n: f"U{n}")
    name = factory.Sequence(lambda n: f"Unité {n}")


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune

    departement = factory.SubFactory(DepartementFactory)
    insee_code = factory.Sequence(lambda n: f"{59000 + n % 1000:05d}" if n < 1000 else f"{90000 + n:05d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    postal_codes = factory.LazyAttribute(lambda c: c.insee_code)
    population = 1000
    latitude = factory.Sequence(lambda n: 50.0 + (n % 50) / 100)
    longitude = factory.Sequence(lambda n: 3.0 + (n % 50) / 100)
    unit = factory.SubFactory(UnitFactory, departement=factory.SelfAttribute("..departement"))


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    departement = factory.SubFactory(DepartementFactory)
    kind = SiteKind.MDIE
    code = factory.Sequence(lambda n: f"SITE{n}")
    name = factory.Sequence(lambda n: f"MDIE {n}")
    address = "1 rue de la Paix"
    commune = factory.SubFactory(CommuneFactory, departement=factory.SelfAttribute("..departement"))
    unit = factory.SelfAttribute("commune.unit")
    latitude = factory.SelfAttribute("commune.latitude")
    longitude = factory.SelfAttribute("commune.longitude")
