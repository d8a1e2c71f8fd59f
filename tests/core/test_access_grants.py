"""The apps' grants to see a person (`core.access_grants`): general or limited to a purpose."""

import pytest

from parcours.core.access_grants import declared, declared_for_purposes, granted_person_ids
from parcours.directory.access import RECEIVED_PURPOSE
from tests.accounts.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_the_directory_grant_is_limited_to_the_received_orientations_pages():
    """A structure's agents see an oriented person on the orientation's pages only: the grant is
    not among the general ones that open the person page, the API and the exports."""
    general = {f"{grant.__module__}.{grant.__name__}" for grant in declared()}
    assert "parcours.directory.access.persons_oriented_to" not in general
    assert "parcours.reception.access.persons_in_trays_of" in general
    assert declared_for_purposes()[RECEIVED_PURPOSE].__module__ == "parcours.directory.access"


def test_an_unknown_purpose_is_an_error_not_a_silent_refusal():
    with pytest.raises(ValueError, match="Finalité d'accès inconnue"):
        granted_person_ids(AgentFactory(), ("n-importe-quoi",))
