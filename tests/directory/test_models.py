import datetime

import pytest

from parcours.directory.models import Category, Service, categories_of
from parcours.directory.models.services import category_of_thematique
from tests.accounts.factories import AgentFactory
from tests.directory.factories import ServiceFactory, StructureFactory
from tests.territory.factories import CommuneFactory

pytestmark = pytest.mark.django_db


def test_derived_fields_are_written_at_save():
    service = ServiceFactory(
        thematiques=[
            "numerique--acceder-a-des-services-en-ligne",
            "equipement-et-alimentation--alimentation",
        ],
        publics=["jeunes", "beneficiaires-des-minimas-sociaux"],
        frais=["gratuit"],
        horaires_accueil="Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00",
    )
    service.refresh_from_db()
    assert service.category == Category.AIDE_ALIMENTAIRE  # first in Category order
    assert service.categories_key == "|aide_alimentaire|mediation_numerique|"
    assert service.thematiques_key == (
        "|equipement-et-alimentation--alimentation|numerique--acceder-a-des-services-en-ligne|"
    )
    assert service.publics_key == "|beneficiaires-des-minimas-sociaux|jeunes|"
    assert service.is_free
    assert service.half_days_per_week == 11
    assert service.open_weekdays == "012345"


def test_update_fields_also_refreshes_derived_fields():
    service = ServiceFactory(horaires_accueil="Mo 09:00-12:00")
    service.horaires_accueil = "Mo-Fr 09:00-17:00"
    service.save(update_fields=["horaires_accueil"])
    service.refresh_from_db()
    assert service.half_days_per_week == 10


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("equipement-et-alimentation--alimentation", "aide_alimentaire"),
        ("equipement-et-alimentation--habillement", "accueil_social"),
        (
            "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",
            "acces_aux_droits",
        ),
        ("sante--constituer-un-dossier-mdph-invalidite", "handicap"),
        ("sante--addictions", "sante"),
        ("mobilite--preparer-un-permis", "mobilite"),
        ("famille--soutien-a-la-parentalite-et-a-leducation", "parentalite"),
        ("trouver-un-emploi--repondre-a-des-offres-demploi", "emploi"),
        ("logement-hebergement--louer-un-logement", "logement"),
        ("souvrir-a-linternational--sorganiser-suite-a-son-retour-en-france", ""),
    ],
)
def test_category_of_thematique(code, category):
    assert category_of_thematique(code) == category


def test_every_thematique_of_the_schema_is_known_and_every_category_reachable():
    from data_inclusion.schema.v1 import Thematique

    reached = set(categories_of([t.value for t in Thematique]))
    assert reached == set(Category.values)


def test_near_filters_by_exact_distance_and_sorts():
    lille = CommuneFactory(latitude=50.6292, longitude=3.0573)
    here = ServiceFactory(structure__commune=lille)
    roubaix = ServiceFactory(latitude=50.6942, longitude=3.1746)  # ~11 km
    ServiceFactory(latitude=50.95, longitude=2.37)  # Dunkerque, far
    found = Service.objects.near(lille.latitude, lille.longitude, 12)
    assert [s.pk for s in found] == [here.pk, roubaix.pk]
    assert found[1].distance == pytest.approx(10.9, abs=0.5)
    assert Service.objects.near(lille.latitude, lille.longitude, 8) == [here]


def test_stale_and_open():
    today = datetime.date(2026, 6, 30)
    fresh = ServiceFactory(date_maj=datetime.date(2026, 1, 1))
    stale = ServiceFactory(date_maj=datetime.date(2025, 12, 29))
    ServiceFactory(date_maj=datetime.date(2020, 1, 1), closed_on=datetime.date(2021, 1, 1))
    assert list(Service.objects.stale(today)) == [stale]
    assert not fresh.is_stale(today) and stale.is_stale(today)


def test_editable_by():
    mine = ServiceFactory()
    other = ServiceFactory()
    partner = AgentFactory(organisation=mine.structure.organisation, role="accueil")
    assert list(Service.objects.editable_by(partner)) == [mine]
    assert partner.may_edit_directory
    assert set(Service.objects.editable_by(AgentFactory(role="manager"))) == {mine, other}
    assert not AgentFactory(role="accueil").may_edit_directory


def test_structure_without_organisation_is_editable_by_admins_only():
    service = ServiceFactory(structure=StructureFactory(organisation=None))
    assert service in Service.objects.editable_by(AgentFactory(role="administrateur"))
    assert not Service.objects.editable_by(AgentFactory(role="referent", organisation=None)).exists()
