import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from parcours.jobs.matching import CandidateArrays, rank_candidates, rank_candidates_exhaustive, rank_offers
from parcours.jobs.models import Application, MatchingEntry
from tests.accounts.factories import AgentFactory
from tests.jobs.factories import (
    ACCOMPAGNATEUR_SOCIOPRO,
    ACCUEILLANT_ADULTES,
    AGENT_A_DOMICILE,
    AIDE_A_DOMICILE,
    NETTOYAGE_INDUSTRIEL,
    ExperienceFactory,
    OfferFactory,
    ProfileFactory,
)
from tests.people.factories import PersonFactory
from tests.territory.factories import CommuneFactory


@pytest.fixture
def admin(db):
    return AgentFactory(role="administrateur")


@pytest.fixture
def here(two_units):
    return two_units["commune_a"]


def profile_at(commune, targets, **kwargs):
    return ProfileFactory(person=PersonFactory(commune=commune), targets=targets, **kwargs)


def test_rome_levels_rank_same_appellation_first(admin, here):
    offer = OfferFactory(commune=here)
    same_app = profile_at(here, [AIDE_A_DOMICILE])
    same_code = profile_at(here, [AGENT_A_DOMICILE])
    same_family = profile_at(here, [ACCUEILLANT_ADULTES])
    related = profile_at(here, [ACCOMPAGNATEUR_SOCIOPRO])
    unrelated = profile_at(here, [NETTOYAGE_INDUSTRIEL])

    ranked = rank_candidates(offer, admin)

    assert [m.profile_id for m in ranked] == [same_app.pk, same_code.pk, same_family.pk, related.pk]
    assert unrelated.pk not in {m.profile_id for m in ranked}
    assert ranked[0].lines[0].display == "Même appellation ROME que l'offre : +40"
    assert ranked[1].lines[0].display == "Même code ROME (K1304) : +30"
    assert ranked[2].lines[0].display == "Même famille de métiers (K13) : +15"
    assert ranked[3].lines[0].display == "Métier proche (même sous-domaine K1) : +5"


def test_score_is_the_sum_of_its_lines(admin, here):
    offer = OfferFactory(commune=here, requires_driving_licence=True, qualification_level=4, languages="en")
    profile_at(here, [AIDE_A_DOMICILE], has_driving_licence=False, education_level=3, languages="")
    match = rank_candidates(offer, admin)[0]
    assert match.score == sum(line.points for line in match.lines)
    displays = [line.display for line in match.lines]
    assert "Permis B exigé : non détenu : −15" in displays
    assert "Niveau requis Baccalauréat (niveau 4) : non atteint : −10" in displays
    assert "Langues exigées : 1 non parlée : −5" in displays


def test_distance_against_the_radius(admin, departement):
    offer_commune = CommuneFactory(departement=departement, latitude=50.0, longitude=3.0)
    near = CommuneFactory(departement=departement, latitude=50.09, longitude=3.0)  # ≈ 10 km
    far = CommuneFactory(departement=departement, latitude=50.36, longitude=3.0)  # ≈ 40 km
    offer = OfferFactory(commune=offer_commune)
    within = profile_at(near, [AIDE_A_DOMICILE], mobility_radius_km=20)
    profile_at(far, [AIDE_A_DOMICILE], mobility_radius_km=20)  # beyond their radius: not ranked
    wide = profile_at(far, [AIDE_A_DOMICILE], mobility_radius_km=50)

    ranked = rank_candidates(offer, admin)

    assert [m.profile_id for m in ranked] == [within.pk, wide.pk]
    assert ranked[0].lines[1].display == "10 km pour un rayon de 20 km : +15"
    assert ranked[1].lines[1].display == "40 km pour un rayon de 50 km : +12"
    assert [m.profile_id for m in rank_candidates(offer, admin, max_km=15)] == [within.pk]


def test_hours_constraints_availability_and_rotation(admin, here):
    today = timezone.localdate()
    offer = OfferFactory(commune=here, hours_per_week=35, start_date=today + datetime.timedelta(days=10))
    fits = profile_at(here, [AIDE_A_DOMICILE])
    childcare = profile_at(here, [AIDE_A_DOMICILE], childcare_hours_per_week=24)
    late = profile_at(here, [AIDE_A_DOMICILE], available_from=today + datetime.timedelta(days=70))
    recently = profile_at(here, [AIDE_A_DOMICILE])
    Application.objects.create(offer=OfferFactory(), person=recently.person, proposed_at=timezone.now())

    by_id = {m.profile_id: m for m in rank_candidates(offer, admin)}

    assert "35 h/semaine, aucune contrainte horaire : +10" in [line.display for line in by_id[fits.pk].lines]
    assert "35 h/semaine au-delà de la limite de 24 h (garde, temps de travail) : −20" in [
        line.display for line in by_id[childcare.pk].lines
    ]
    assert "Disponible 60 jours après le début du poste : −10" in [
        line.display for line in by_id[late.pk].lines
    ]
    assert "Dernière proposition il y a 0 jour : +0" in [line.display for line in by_id[recently.pk].lines]
    assert by_id[fits.pk].score - by_id[recently.pk].score == 10
    assert list(by_id)[0] == fits.pk


def test_experience_counts_as_a_rome_match(admin, here):
    offer = OfferFactory(commune=here)
    experienced = ExperienceFactory(profile=profile_at(here, []), rome_id="K1304", years=3).profile
    match = rank_candidates(offer, admin)[0]
    assert match.profile_id == experienced.pk
    assert [line.display for line in match.lines[:2]] == [
        "Même code ROME (K1304) : +30",
        "3 ans d'expérience sur ce métier (K1304) : +6",
    ]


def test_only_consenting_and_visible_persons_are_ranked(two_units, agent_a):
    offer = OfferFactory(commune=two_units["commune_a"])
    mine = profile_at(two_units["commune_a"], [AIDE_A_DOMICILE])
    profile_at(two_units["commune_a"], [AIDE_A_DOMICILE], consents_to_employers=False)
    profile_at(two_units["commune_b"], [AIDE_A_DOMICILE])  # another unit: not visible to agent_a
    assert [m.profile_id for m in rank_candidates(offer, agent_a)] == [mine.pk]


def test_unit_filter(admin, two_units):
    offer = OfferFactory(commune=two_units["commune_a"])
    profile_at(two_units["commune_a"], [AIDE_A_DOMICILE])
    in_b = profile_at(two_units["commune_b"], [AIDE_A_DOMICILE], mobility_radius_km=100)
    ranked = rank_candidates(offer, admin, unit_id=two_units["unit_b"].pk)
    assert [m.profile_id for m in ranked] == [in_b.pk]


def test_exhaustive_scan_gives_the_same_ranking(admin, departement):
    communes = [
        CommuneFactory(departement=departement, latitude=50 + i * 0.05, longitude=3 + (i % 3) * 0.05)
        for i in range(6)
    ]
    targets = [[AIDE_A_DOMICILE], [AGENT_A_DOMICILE], [ACCUEILLANT_ADULTES], [ACCOMPAGNATEUR_SOCIOPRO], []]
    for i in range(40):
        profile_at(
            communes[i % 6],
            targets[i % 5] or [NETTOYAGE_INDUSTRIEL],
            mobility_radius_km=5 + (i * 7) % 40,
            has_driving_licence=bool(i % 2),
            childcare_hours_per_week=20 if i % 4 == 0 else None,
        )
    offers = [
        OfferFactory(commune=communes[0], requires_driving_licence=True),
        OfferFactory(commune=communes[5], hours_per_week=35),
    ]
    arrays = CandidateArrays.load_all()
    for offer in offers:
        fast = [(m.profile_id, m.score) for m in rank_candidates(offer, admin, limit=10)]
        full = [(m.profile_id, m.score) for m in rank_candidates_exhaustive(offer, arrays, limit=10)]
        assert fast == full
        assert len(fast) == 10


def test_ranked_offers_for_a_person(here, departement):
    profile = profile_at(here, [AIDE_A_DOMICILE], mobility_radius_km=30)
    best = OfferFactory(commune=here)
    other = OfferFactory(commune=here, appellation_id=ACCUEILLANT_ADULTES, contract_type="cdd")
    OfferFactory(commune=here, appellation_id=NETTOYAGE_INDUSTRIEL)
    OfferFactory(commune=here, status="brouillon")
    OfferFactory(commune=here, refreshed_at=timezone.now() - datetime.timedelta(days=61))
    far = CommuneFactory(departement=departement, latitude=here.latitude + 1, longitude=here.longitude)
    OfferFactory(commune=far)

    ranked = rank_offers(profile)

    assert [m.offer_id for m in ranked] == [best.pk, other.pk]
    assert ranked[0].score == sum(line.points for line in ranked[0].lines)
    assert [m.offer_id for m in rank_offers(profile, contract_type="cdd")] == [other.pk]


def test_search_index_follows_moves_consent_and_rebuild(admin, two_units, departement):
    offer = OfferFactory(commune=two_units["commune_a"])
    profile = profile_at(two_units["commune_a"], [AIDE_A_DOMICILE], mobility_radius_km=5)
    assert [m.profile_id for m in rank_candidates(offer, admin)] == [profile.pk]

    far = CommuneFactory(departement=departement, latitude=two_units["commune_a"].latitude + 1)
    person = profile.person
    person.commune = far
    person.save()  # the person moved: their profile is reindexed
    assert rank_candidates(offer, admin) == []

    person.commune = two_units["commune_a"]
    person.save()
    profile.consents_to_employers = False
    profile.save()
    profile.reindex()
    assert rank_candidates(offer, admin) == []

    profile.consents_to_employers = True
    profile.save()
    MatchingEntry.objects.all().delete()
    call_command("reindex_candidates")
    assert [m.profile_id for m in rank_candidates(offer, admin)] == [profile.pk]
