import datetime

import factory
from django.utils import timezone

from parcours.accounts.models import OrganisationKind, Role
from parcours.jobs.models import (
    Application,
    CandidateProfile,
    ContractType,
    Employer,
    EmployerSite,
    JobOffer,
    OfferStatus,
    ProfileExperience,
    RomeAppellation,
    SectorGroup,
)
from parcours.jobs.siret import luhn_valid
from tests.accounts.factories import AgentFactory, OrganisationFactory
from tests.people.factories import PersonFactory
from tests.territory.factories import CommuneFactory, DepartementFactory

AIDE_A_DOMICILE = 10805  # K1304
AGENT_A_DOMICILE = 10348  # K1304
ACCUEILLANT_ADULTES = 10237  # K1302 (same family K13)
ACCOMPAGNATEUR_SOCIOPRO = 10225  # K1203 (same sub-domain K1: "related")
NETTOYAGE_INDUSTRIEL = 10537  # K2204 (another sub-domain: no match)


def make_siret(n: int) -> str:
    """A valid SIRET (Luhn) derived from n."""
    stem = f"{400000000 + n:09d}0001"
    for key in range(10):
        if luhn_valid(stem + str(key)):
            return stem + str(key)
    raise AssertionError("unreachable")


def appellation(code_ogr: int) -> RomeAppellation:
    return RomeAppellation.objects.get(code_ogr=code_ogr)


class SectorGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SectorGroup

    name = factory.Sequence(lambda n: f"GOME {n}")
    sector = "Aide à la personne"
    departement = factory.SubFactory(DepartementFactory)


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    siret = factory.Sequence(make_siret)
    name = factory.Sequence(lambda n: f"Entreprise {n}")
    naf_code = "88.10A"


class EmployerSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmployerSite

    employer = factory.SubFactory(EmployerFactory)
    name = "Siège"
    address = "1 rue de l'Usine"
    commune = factory.SubFactory(CommuneFactory)


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobOffer

    employer = factory.SubFactory(EmployerFactory)
    appellation = factory.LazyFunction(lambda: appellation(AIDE_A_DOMICILE))
    title = "Aide à domicile"
    commune = factory.SubFactory(CommuneFactory)
    contract_type = ContractType.CDI
    hours_per_week = 24
    start_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=15))
    status = OfferStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    refreshed_at = factory.LazyFunction(timezone.now)


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CandidateProfile
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    mobility_radius_km = 30
    consents_to_employers = True
    consent_recorded_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def targets(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_appellations.set([appellation(code) for code in extracted])

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.reindex()


class ExperienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProfileExperience

    profile = factory.SubFactory(ProfileFactory)
    rome_id = "K1302"
    years = 2

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        experience = super()._create(model_class, *args, **kwargs)
        experience.profile.reindex()
        return experience


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    offer = factory.SubFactory(OfferFactory)
    person = factory.SubFactory(PersonFactory)


def employer_account(employer: Employer, departement=None):
    """A portal account acting for `employer`."""
    organisation = OrganisationFactory(
        kind=OrganisationKind.EMPLOYER,
        name=employer.name,
        **({"departement": departement} if departement else {}),
    )
    employer.organisation = organisation
    employer.save(update_fields=["organisation"])
    return AgentFactory(organisation=organisation, role=Role.EMPLOYEUR)
