"""Factories of the directory (structures and services), imported by every directory test module.

`ServiceFactory()` makes an open, up-to-date food-aid service open Monday to Saturday morning,
located at its commune's point, in a structure owned by a partner organisation (ASSOCIATION)."""

import datetime

import factory

from parcours.accounts.models import OrganisationKind
from parcours.directory.models import Service, Structure
from tests.accounts.factories import OrganisationFactory
from tests.territory.factories import CommuneFactory

SATURDAY_HOURS = "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00"


class PartnerOrganisationFactory(OrganisationFactory):
    kind = OrganisationKind.ASSOCIATION
    name = factory.Sequence(lambda n: f"Association partenaire {n}")


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    source = "parcours"
    source_id = factory.Sequence(lambda n: f"structure-{n}")
    nom = factory.Sequence(lambda n: f"Structure {n}")
    description = "Une structure d'accueil du territoire."
    adresse = "1 place de la Mairie"
    commune = factory.SubFactory(CommuneFactory)
    code_insee = factory.SelfAttribute("commune.insee_code")
    code_postal = factory.LazyAttribute(lambda s: s.commune.main_postal_code[:5] if s.commune else "")
    latitude = factory.SelfAttribute("commune.latitude")
    longitude = factory.SelfAttribute("commune.longitude")
    telephone = "03 20 00 00 00"
    courriel = factory.Sequence(lambda n: f"contact{n}@structure-partenaire.fr")
    organisation = factory.SubFactory(
        PartnerOrganisationFactory, departement=factory.SelfAttribute("..commune.departement")
    )
    date_maj = factory.LazyFunction(datetime.date.today)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    structure = factory.SubFactory(StructureFactory)
    source = "parcours"
    source_id = factory.Sequence(lambda n: f"service-{n}")
    nom = factory.Sequence(lambda n: f"Épicerie solidaire {n}")
    description = "Distribution de colis alimentaires et épicerie à petits prix."
    thematiques = factory.LazyFunction(lambda: ["equipement-et-alimentation--alimentation"])
    types = factory.LazyFunction(lambda: ["aide-materielle"])
    frais = factory.LazyFunction(lambda: ["gratuit"])
    publics = factory.LazyFunction(lambda: ["tous-publics"])
    modes_accueil = factory.LazyFunction(lambda: ["en-presentiel"])
    modes_mobilisation = factory.LazyFunction(lambda: ["se-presenter"])
    zone_eligibilite = factory.LazyFunction(list)
    horaires_accueil = SATURDAY_HOURS
    adresse = factory.SelfAttribute("structure.adresse")
    commune = factory.SelfAttribute("structure.commune")
    code_insee = factory.SelfAttribute("structure.code_insee")
    code_postal = factory.SelfAttribute("structure.code_postal")
    latitude = factory.SelfAttribute("structure.latitude")
    longitude = factory.SelfAttribute("structure.longitude")
    telephone = "03 20 00 00 01"
    courriel = factory.Sequence(lambda n: f"service{n}@structure-partenaire.fr")
    contact_nom = "Camille Martin"
    date_maj = factory.LazyFunction(datetime.date.today)
