"""Issue #15 item 7: the mobility diagnosis — the means a person can really use, the job-search
radius it derives and feeds to the job matching, the mobility services it proposes near the
person, and its screens."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from parcours.directory import mobility
from parcours.directory.models import MobilityDiagnosis
from parcours.jobs.models import MatchingEntry
from parcours.privacy.restriction import set_restriction
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.directory.factories import ServiceFactory
from tests.jobs.factories import AIDE_A_DOMICILE, ProfileFactory
from tests.people.factories import PersonFactory
from tests.territory.factories import CommuneFactory

pytestmark = pytest.mark.django_db


def diagnosis(**values) -> MobilityDiagnosis:
    defaults = {
        "licence": "permis_b",
        "vehicle": "personnel",
        "vehicle_works": True,
        "transport_near_home": "oui",
        "transport_near_job": "oui",
        "max_travel_minutes": 30,
        "means": ["voiture", "transports", "pied"],
        "fears": [],
    }
    return MobilityDiagnosis(**(defaults | values))


# -- what the diagnosis derives ------------------------------------------------------------------


def test_the_car_needs_a_licence_a_working_vehicle_and_no_fear_of_driving():
    assert mobility.usable_means(diagnosis()) == ["voiture", "transports", "pied"]
    for values in (
        {"licence": "code_en_cours"},
        {"licence": "permis_suspendu"},
        {"vehicle": "aucun"},
        {"vehicle_works": False},
        {"fears": ["conduire"]},
    ):
        assert "voiture" not in mobility.usable_means(diagnosis(**values)), values
    assert mobility.usable_means(diagnosis(vehicle="partage")) == ["voiture", "transports", "pied"]


def test_public_transport_needs_a_line_near_home_and_no_fear_of_it():
    assert "transports" not in mobility.usable_means(diagnosis(transport_near_home="non"))
    assert "transports" not in mobility.usable_means(diagnosis(fears=["transports_en_commun"]))
    assert "transports" in mobility.usable_means(diagnosis(transport_near_home="inconnu"))


@pytest.mark.parametrize(
    ("values", "radius", "means"),
    [
        ({}, 19, "voiture"),  # 30 min × 50 km/h / 1.3
        ({"max_travel_minutes": 60}, 38, "voiture"),
        ({"licence": "aucun"}, 4, "transports"),  # (30 − 15) min × 20 km/h / 1.3
        ({"licence": "aucun", "max_travel_minutes": 60}, 12, "transports"),
        ({"licence": "aucun", "means": ["pied"]}, 2, "pied"),  # 30 min × 4.5 km/h / 1.3
        ({"licence": "aucun", "means": []}, 2, "pied"),  # walking when nothing else
        ({"means": ["voiture", "velo"], "fears": ["conduire"]}, 6, "velo"),
        ({"max_travel_minutes": 180}, 100, "voiture"),  # capped at the profile's maximum
        ({"max_travel_minutes": 60, "fears": ["sortir_commune"]}, 10, "voiture"),
    ],
)
def test_the_job_search_radius_is_reached_in_the_accepted_time_with_the_fastest_means(values, radius, means):
    found = diagnosis(**values)
    assert found.job_search_radius_km() == radius
    assert mobility.fastest_means(found) == means


def test_proposals_follow_the_diagnosis():
    kinds = [
        p.thematique
        for p in mobility.proposals(diagnosis(licence="aucun", vehicle="aucun", fears=["conduire"]))
    ]
    assert kinds == [mobility.PREPARE_LICENCE, mobility.GET_VEHICLE, mobility.SUPPORT]
    kinds = [p.thematique for p in mobility.proposals(diagnosis(vehicle_works=False, monthly_budget_eur=20))]
    assert kinds == [mobility.FINANCE, mobility.REPAIR]
    kinds = [p.thematique for p in mobility.proposals(diagnosis(transport_near_job="non"))]
    assert kinds == [mobility.SHARED]
    assert mobility.proposals(diagnosis()) == []


# -- recording it, and the job matching ----------------------------------------------------------


@pytest.fixture
def referent(two_units):
    return AgentFactory(role="referent", units=[two_units["unit_a"]])


@pytest.fixture
def person(two_units):
    return PersonFactory(commune=two_units["commune_a"])


def test_recording_feeds_the_job_profile_and_its_matching_index(referent, person):
    profile = ProfileFactory(
        person=person, mobility_radius_km=30, has_driving_licence=True, targets=[AIDE_A_DOMICILE]
    )
    found = diagnosis(licence="aucun", vehicle="aucun", means=["transports", "velo"], max_travel_minutes=45)
    mobility.record(referent, person, found)

    profile.refresh_from_db()
    # 45 minutes: by bicycle (45 × 15 / 60 / 1.3 ≈ 8.7 km) further than by bus ((45 − 15) × 20 / 60 / 1.3 ≈ 7.7)
    assert (profile.mobility_radius_km, profile.mobility_means) == (9, "velo")
    assert (profile.has_driving_licence, profile.has_vehicle) == (False, False)
    assert set(
        MatchingEntry.objects.filter(profile=profile).values_list("mobility_radius_km", flat=True)
    ) == {9}


def test_recording_without_updating_the_profile_leaves_it(referent, person):
    profile = ProfileFactory(person=person, mobility_radius_km=30)
    mobility.record(referent, person, diagnosis(licence="aucun"), update_profile=False)
    profile.refresh_from_db()
    assert profile.mobility_radius_km == 30


def test_a_person_under_restriction_gets_no_diagnosis(referent, person):
    set_restriction(person, reason="exactitude contestée", by=referent)
    with pytest.raises(ValidationError, match="limitation du traitement"):
        mobility.record(referent, person, diagnosis())
    assert not MobilityDiagnosis.objects.exists()


# -- mobility services near the person -----------------------------------------------------------


def _mobility_service(commune, thematique, **values):
    return ServiceFactory(
        thematiques=[thematique],
        structure__commune=commune,
        nom=values.pop("nom", f"Service {thematique}"),
        **values,
    )


def test_nearby_services_are_open_eligible_of_the_right_kind_and_nearest_first(person, two_units):
    home = person.commune
    far = CommuneFactory(latitude=home.latitude + 1.0, longitude=home.longitude, departement=home.departement)
    near = CommuneFactory(
        latitude=home.latitude + 0.05, longitude=home.longitude, departement=home.departement
    )
    school = _mobility_service(home, mobility.PREPARE_LICENCE, nom="Auto-école sociale")
    second = _mobility_service(near, mobility.PREPARE_LICENCE, nom="Code en ligne accompagné")
    _mobility_service(far, mobility.PREPARE_LICENCE, nom="Trop loin")
    _mobility_service(
        home,
        mobility.PREPARE_LICENCE,
        nom="Fermé",
        closed_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    _mobility_service(home, mobility.PREPARE_LICENCE, nom="Ailleurs seulement", zone_eligibilite=["99999"])
    _mobility_service(home, mobility.GET_VEHICLE, nom="Location solidaire")
    ServiceFactory(structure__commune=home, nom="Épicerie")  # not a mobility service

    wanted = mobility.proposals(diagnosis(licence="aucun", vehicle="aucun"))
    filled = mobility.nearby_services(person, wanted)
    assert [s.nom for s in filled[0].services] == [school.nom, second.nom]
    assert [s.nom for s in filled[1].services] == ["Location solidaire"]


# -- the screens ---------------------------------------------------------------------------------


def test_filling_the_diagnosis_shows_the_radius_and_proposes_services(client, referent, person):
    _mobility_service(person.commune, mobility.PREPARE_LICENCE, nom="Auto-école sociale")
    login_verified(client, referent)
    response = client.get(reverse("directory:mobility_new", args=[person.pk]))
    assert response.status_code == 200
    data = {
        "made_on": timezone.localdate().isoformat(),
        "licence": "aucun",
        "vehicle": "aucun",
        "vehicle_works": "",
        "transport_near_home": "oui",
        "transport_near_job": "inconnu",
        "monthly_budget_eur": "30",
        "fears": ["conduire"],
        "max_travel_minutes": "45",
        "means": ["transports", "pied"],
        "comment": "",
        "update_profile": "on",
    }
    response = client.post(reverse("directory:mobility_new", args=[person.pk]), data, follow=True)
    page = response.content.decode()
    assert "rayon de recherche d&#x27;emploi de 8 km" in page or "rayon de recherche d'emploi de 8 km" in page
    assert "Auto-école sociale" in page
    assert '<dd id="mobility-usable">Transports en commun, À pied</dd>' in page
    assert "Préparer le code ou le permis de conduire" in page
    assert f"{reverse('directory:orient', args=[person.pk])}?service=" in page
    saved = MobilityDiagnosis.objects.get(person=person)
    assert saved.made_by == referent and saved.fears == ["conduire"]


def test_a_future_diagnosis_date_is_refused(client, referent, person):
    login_verified(client, referent)
    response = client.post(
        reverse("directory:mobility_new", args=[person.pk]),
        {"made_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(), "licence": "aucun",
         "vehicle": "aucun", "transport_near_home": "oui", "transport_near_job": "oui", "max_travel_minutes": "30"},
    )  # fmt: skip
    assert "ne peut pas être dans le futur" in response.content.decode()
    assert not MobilityDiagnosis.objects.exists()


def test_the_mobility_pages_need_the_permission_and_the_person_in_scope(client, two_units, person):
    login_verified(client, AgentFactory(role="instructeur_aides", units=[two_units["unit_a"]]))
    assert client.get(reverse("directory:mobility", args=[person.pk])).status_code == 403
    client.logout()
    login_verified(client, AgentFactory(role="referent", units=[two_units["unit_b"]]))
    assert client.get(reverse("directory:mobility_new", args=[person.pk])).status_code == 404


def test_the_diagnosis_form_lays_every_field_of_a_fieldset_out_as_a_dsfr_element(client, referent, person):
    """Fields put straight in a `fr-fieldset` ran into each other (labels glued, columns misaligned)."""
    import re

    login_verified(client, referent)
    html = client.get(reverse("directory:mobility_new", args=[person.pk])).content.decode()
    for legend in ("Permis et véhicule", "Transports en commun et budget", "Déplacements"):
        assert re.search(
            rf'<legend class="fr-fieldset__legend">{legend}</legend>\s*<div class="fr-fieldset__element">',
            html,
        ), legend
