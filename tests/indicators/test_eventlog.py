"""The in-memory event log: reused while the table is unchanged, extended when rows are added,
read again when rows went away."""

import datetime

from parcours.indicators import eventlog
from parcours.indicators.stats import compute
from tests.indicators.factories import entrant, event
from tests.people.factories import PersonFactory

START, END = datetime.date(2019, 1, 1), datetime.date(2019, 12, 31)


def entrants() -> int:
    return compute(START, END, deadline_days=30)["entrants"]["count"]


def test_added_events_are_read(two_units):
    first = PersonFactory(commune=two_units["commune_a"])
    entrant(first, "2019-02-01")
    assert entrants() == 1
    second = PersonFactory(commune=two_units["commune_a"])
    entrant(second, "2019-03-01")
    event(first, "rdv.honore", "2019-02-11", site=1)
    result = compute(START, END, deadline_days=30)
    assert result["entrants"]["count"] == 2
    assert result["delay_first_interview"]["mean_days"] == 10.0
    assert eventlog.load().person.tolist() == eventlog.load(cached=False).person.tolist()


def test_deleted_person_goes_away(two_units):
    people = [PersonFactory(commune=two_units["commune_a"]) for _ in range(2)]
    for person in people:
        entrant(person, "2019-02-01")
    assert entrants() == 2
    people[0].delete()
    assert entrants() == 1


def test_unit_scope_follows_a_move(two_units):
    person = PersonFactory(commune=two_units["commune_a"])
    entrant(person, "2019-02-01")
    unit_a = [two_units["unit_a"].pk]
    assert compute(START, END, unit_ids=unit_a, deadline_days=30)["entrants"]["count"] == 1
    person.commune = two_units["commune_b"]
    person.save()
    assert compute(START, END, unit_ids=unit_a, deadline_days=30)["entrants"]["count"] == 0
