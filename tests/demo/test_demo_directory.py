"""The demo directory: plausible services in the real communes, gaps that come from the data."""

import datetime
from collections import Counter

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parcours.accounts.models import OrganisationKind
from parcours.demo.directory import generate_directory, opening_hours
from parcours.demo.generation import TerritoryNotLoaded
from parcours.directory import coverage, hours, travel
from parcours.directory.models import Category, Service, Structure
from parcours.territory.geo import distance_km
from parcours.territory.loader import load_territory
from parcours.territory.models import Commune
from tests.accounts.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def area(analysis, centres: list[str], km: float = 12) -> list[int]:
    """Indexes of the communes within `km` of one of these communes' points."""
    communes = analysis.communes
    points = [(communes.latitude[communes.index(c)], communes.longitude[communes.index(c)]) for c in centres]
    return [
        i
        for i in range(len(communes.codes))
        if any(distance_km((communes.latitude[i], communes.longitude[i]), p) <= km for p in points)
    ]


def test_seine_maritime_food_aid_gaps_of_bray_and_fecamp_come_out_of_the_data():
    load_territory("76")  # no units file: one unit, the département
    outcome = generate_directory("76", seed=1)
    assert outcome.services > 1_000
    without_car = coverage.analyse("76", Category.AIDE_ALIMENTAIRE, mode=travel.Mode.NO_CAR)
    by_car = coverage.analyse("76", Category.AIDE_ALIMENTAIRE, mode=travel.Mode.CAR)
    gap = np.array([row.in_gap for row in without_car.rows])
    # The areas, by their towns: Forges-les-Eaux and Neufchâtel-en-Bray; Fécamp. Cities to compare.
    bray, fecamp = area(without_car, ["76276", "76462"]), area(without_car, ["76259"])
    cities = area(without_car, ["76540", "76351"], km=8)  # Rouen, Le Havre
    overall = gap.mean()
    assert gap[bray].mean() >= overall + 0.1 and gap[bray].mean() >= 0.75
    assert gap[fecamp].mean() >= overall + 0.1 and gap[fecamp].mean() >= 0.7
    assert gap[cities].mean() <= 0.25
    # By car nobody is past 30 minutes, but these areas are farther than the département's average.
    assert by_car.km[bray].mean() > by_car.km.mean() and by_car.km[fecamp].mean() > by_car.km.mean()
    assert by_car.km[cities].mean() < by_car.km.mean() / 2


def test_nord_directory_follows_population_with_stale_closed_and_owned_entries():
    load_territory("59")
    ccas = OrganisationFactory(kind=OrganisationKind.CCAS, departement__code="59", name="CCAS de Lille")
    association = OrganisationFactory(kind=OrganisationKind.ASSOCIATION, departement=ccas.departement)
    today = datetime.date(2026, 6, 1)
    outcome = generate_directory("59", seed=1, today=today)
    services = Service.objects.filter(source="demo")
    assert outcome.services == services.count() > 3_000
    assert outcome.structures == Structure.objects.filter(source="demo").count()
    # Every commune of 1,500 inhabitants or more has its CCAS; Lille has many more services than a village.
    per_commune = Counter(services.values_list("code_insee", flat=True))
    assert per_commune["59350"] > 40
    for commune in Commune.objects.filter(departement__code="59", population__gte=1_500):
        assert Structure.objects.filter(source="demo", commune=commune, nom__startswith="CCAS").exists()
    assert set(services.values_list("category", flat=True)) == set(Category.values)
    mobility = set(services.filter(category=Category.MOBILITE).values_list("nom", flat=True))
    assert {"Garage solidaire", "Préparation au code et au permis (auto-école sociale)"} <= mobility
    # Plausible opening hours, a few stale and closed entries, structures owned by demo organisations.
    for text in services.values_list("horaires_accueil", flat=True)[:500]:
        hours.validate(text)
    assert 0.03 < outcome.stale / outcome.services < 0.1 and 0 < outcome.closed < outcome.services * 0.03
    owners = set(Structure.objects.exclude(organisation=None).values_list("organisation_id", flat=True))
    assert owners == {ccas.pk, association.pk}
    assert all(
        service.commune.departement.code == "59" for service in services.select_related("commune")[:200]
    )
    # Idempotent.
    assert not generate_directory("59", seed=1).created
    assert services.count() == outcome.services


def test_opening_hours_have_the_asked_half_days():
    import random

    rng = random.Random(4)
    for half_days in (1, 2, 5, 10, 11):
        text = opening_hours(rng, half_days)
        assert hours.half_days_per_week(text) == half_days, text


def test_the_command_names_the_missing_territory(departement):
    with pytest.raises(TerritoryNotLoaded):
        generate_directory("76")
    with pytest.raises(CommandError, match="load-territory --departement 76"):
        call_command("demo_directory", departement="76")


def test_the_demo_orients_persons_to_the_partners_services_through_the_workflows():
    """`demo-directory` also plays orientations (send, answers, expiry) with the directory's own
    workflows: the structures' inboxes are not empty, and the events are the workflows' ones."""
    from parcours.demo.directory import play_orientations
    from parcours.directory.models import ServiceOrientation
    from parcours.people.models import PersonEvent
    from tests.accounts.factories import AgentFactory
    from tests.directory.factories import ServiceFactory
    from tests.people.factories import PersonFactory
    from tests.territory.factories import CommuneFactory, UnitFactory

    unit = UnitFactory()
    commune = CommuneFactory(departement=unit.departement, unit=unit)
    AgentFactory(username="demo.orientation", role="charge_orientation", units=[unit])
    service = ServiceFactory(structure__commune=commune, commune=commune)
    AgentFactory(role="accueil", organisation=service.structure.organisation)
    for _ in range(30):
        PersonFactory(commune=commune)

    sent = play_orientations(unit.departement.code, seed=1, count=30)

    states = Counter(ServiceOrientation.objects.values_list("state", flat=True))
    assert sent == 30 and sum(states.values()) == 30
    assert states["validee"] and states["refusee"] and states["ouverte"] + states["expiree"]
    assert PersonEvent.objects.filter(kind__startswith="orientation_service.").count() >= 30
    assert play_orientations(unit.departement.code, seed=1) == 0  # once only
