import datetime

import pytest
from django.utils import timezone

from tests.accounts.factories import AgentFactory
from tests.indicators.factories import entrant, event
from tests.people.factories import MemberFactory, PersonFactory

FAR = datetime.timedelta(days=365 * 20)


@pytest.fixture
def later():
    """A moment past every default period (20 years from now)."""
    return timezone.now() + FAR


@pytest.fixture
def old_person(two_units):
    """A person of unit A whose pathway ended in 2019, in a household."""
    person = PersonFactory(commune=two_units["commune_a"], email="claire@example.test", phone="0601020304")
    MemberFactory(person=person, household__caf_number="7654321")
    entrant(person, "2019-03-01")
    event(person, "invitation.envoyee", "2019-03-01", "10:00")
    event(person, "rdv.honore", "2019-03-11", "14:00", site=1)
    event(person, "orientation.decidee", "2019-03-11", "15:00", orientation="sociale", organism="departement")
    return person


@pytest.fixture
def admin(two_units):
    return AgentFactory(role="administrateur", units=[two_units["unit_a"]])


@pytest.fixture
def accueil(two_units):
    return AgentFactory(role="accueil", units=[two_units["unit_a"]])
