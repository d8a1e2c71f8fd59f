import pytest

from parcours.territory.models import Commune, Site, SiteKind
from tests.territory.factories import CommuneFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_nearest_sites_are_sorted_by_distance(departement):
    here = CommuneFactory(departement=departement, latitude=50.0, longitude=3.0)
    far = SiteFactory(departement=departement, name="Loin", latitude=50.5, longitude=3.0)
    near = SiteFactory(departement=departement, name="Près", latitude=50.05, longitude=3.0)
    middle = SiteFactory(departement=departement, name="Milieu", latitude=50.0, longitude=3.3)
    sites = Site.objects.nearest_to(here)
    assert sites == [near, middle, far]
    assert sites[0].distance == pytest.approx(5.56, abs=0.01)
    assert sites[0].distance == near.distance_from(here)
    assert Site.objects.nearest_to(here, limit=2) == [near, middle]
    assert Site.objects.filter(kind=SiteKind.CCAS).nearest_to(here) == []


def test_commune_search_by_name_insee_and_postal_code(departement):
    lille = CommuneFactory(
        departement=departement, insee_code="59350", name="Lille", postal_codes="59000 59800"
    )
    lomme = CommuneFactory(departement=departement, insee_code="59355", name="Lomme", postal_codes="59160")
    assert list(Commune.objects.search("lil")) == [lille]
    assert set(Commune.objects.search("5935")) == {lille, lomme}
    assert list(Commune.objects.search("59800")) == [lille]
    assert list(Commune.objects.search("5916")) == [lomme]
    assert list(Commune.objects.search("9000")) == []  # postal codes match from their start
    assert list(Commune.objects.search("  ")) == []


def test_by_insee_code_resolves_former_communes(departement):
    lille = CommuneFactory(departement=departement, insee_code="59350", former_codes="59298 59355")
    assert Commune.objects.by_insee_code("59350") == lille
    assert Commune.objects.by_insee_code("59355") == lille
    assert Commune.objects.by_insee_code("5935") is None
    assert Commune.objects.by_insee_code("59999") is None
