import pytest

from parcours.territory.geo import distance_km

LILLE_TOWN_HALL = (50.63089, 3.07086)
DUNKERQUE_TOWN_HALL = (51.03751, 2.37742)


def test_lille_dunkerque_town_halls_as_the_crow_flies():
    # Both town halls are ~45.2 km apart north-south and ~48.7 km east-west.
    assert distance_km(LILLE_TOWN_HALL, DUNKERQUE_TOWN_HALL) == pytest.approx(66.45, abs=0.2)


def test_distance_is_symmetric_and_zero_on_the_same_point():
    assert distance_km(LILLE_TOWN_HALL, DUNKERQUE_TOWN_HALL) == distance_km(
        DUNKERQUE_TOWN_HALL, LILLE_TOWN_HALL
    )
    assert distance_km(LILLE_TOWN_HALL, LILLE_TOWN_HALL) == 0


def test_one_degree_of_latitude_is_about_111_km():
    assert distance_km((45.0, 2.0), (46.0, 2.0)) == pytest.approx(111.2, abs=0.1)
