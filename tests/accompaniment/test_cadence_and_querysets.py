"""The weekly contact cadence (public-holiday weeks excused) and the querysets a caseload pages on."""

import datetime

import pytest

from parcours.accompaniment import workflows
from parcours.accompaniment.cadence import is_holiday_week, last_due_week, working_days
from parcours.accompaniment.models import Accompaniment, Programme
from tests.accompaniment.factories import AccompanimentFactory, ContactFactory
from tests.accounts.factories import AgentFactory
from tests.people.factories import PersonFactory
from tests.territory.factories import CommuneFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def test_a_week_that_is_a_public_holiday_week():
    # 8 May (Wednesday) and Ascension (Thursday 9 May) 2024: 3 working days, excused.
    assert working_days(D(2024, 5, 6)) == [D(2024, 5, 6), D(2024, 5, 7), D(2024, 5, 10)]
    assert is_holiday_week(D(2024, 5, 6))
    # One holiday (Easter Monday 2026) leaves 4 working days: a contact is due.
    assert not is_holiday_week(D(2026, 4, 6))
    # Alsace-Moselle: 25 and 26 December 2025 (Thursday, Friday) both off.
    assert is_holiday_week(D(2025, 12, 22), "57") and not is_holiday_week(D(2025, 12, 22), "59")


def test_cadence_counts_contacts_per_iso_week_and_excuses_holiday_weeks():
    accompaniment = AccompanimentFactory(started_on=D(2024, 4, 29))  # a Monday
    ContactFactory(accompaniment=accompaniment, on=D(2024, 4, 30))
    ContactFactory(accompaniment=accompaniment, on=D(2024, 5, 2))
    ContactFactory(accompaniment=accompaniment, on=D(2024, 5, 21))
    weeks = workflows.cadence(accompaniment, today=D(2024, 5, 22))
    assert [(w.monday, w.contacts, w.holiday_week, w.missed, w.in_progress) for w in weeks] == [
        (D(2024, 4, 29), 2, False, False, False),  # 1 May off: 4 working days, 2 contacts
        (D(2024, 5, 6), 0, True, False, False),  # 8 May + Ascension: excused
        (D(2024, 5, 13), 0, False, True, False),  # no contact: missed
        (D(2024, 5, 20), 1, False, False, True),  # the current week (Whit Monday off)
    ]
    assert weeks[0].iso == (2024, 18)


def test_cadence_excuses_a_week_started_late_and_stops_at_the_end():
    accompaniment = AccompanimentFactory(started_on=D(2026, 3, 5), ended_on=D(2026, 3, 17))  # a Thursday
    weeks = workflows.cadence(accompaniment, today=D(2026, 6, 1))
    assert [(w.monday, w.excused, w.missed) for w in weeks] == [
        (D(2026, 3, 2), True, False),  # 2 working days covered
        (D(2026, 3, 9), False, True),
        (D(2026, 3, 16), True, False),  # ended on Tuesday: 2 working days covered
    ]


def test_last_due_week_skips_a_holiday_week():
    assert last_due_week(D(2024, 5, 15)).monday == D(2024, 4, 29)  # the week of 6 May is excused
    due = last_due_week(D(2026, 3, 11))
    assert (due.monday, due.latest_start, due.earliest_end) == (D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 5))


def test_with_cadence_flags_the_overdue_in_sql(django_assert_num_queries):
    today = D(2026, 3, 18)  # last due week: 9–13 March
    overdue = AccompanimentFactory(started_on=D(2026, 3, 2))
    ContactFactory(accompaniment=overdue, on=D(2026, 3, 6))
    seen = AccompanimentFactory(started_on=D(2026, 3, 2))
    ContactFactory(accompaniment=seen, on=D(2026, 3, 12))
    seen_this_week = AccompanimentFactory(started_on=D(2026, 3, 2))
    ContactFactory(accompaniment=seen_this_week, on=D(2026, 3, 16))
    too_recent = AccompanimentFactory(started_on=D(2026, 3, 12))  # 2 working days of the due week
    never = AccompanimentFactory(started_on=D(2026, 2, 2))
    with django_assert_num_queries(1):
        rows = {a.pk: a for a in Accompaniment.objects.with_cadence(today).order_by("pk")[:50]}
    assert {pk for pk, row in rows.items() if row.contact_overdue} == {overdue.pk, never.pk}
    assert rows[seen.pk].last_contact_on == D(2026, 3, 12)
    assert rows[too_recent.pk].cadence_due_since == D(2026, 3, 9)
    assert list(Accompaniment.objects.with_cadence(today).filter(contact_overdue=True).order_by("pk")) == [
        overdue,
        never,
    ]


def test_open_on_followed_by_and_visible_to():
    coach = AgentFactory(role="coach_emploi")
    ended = AccompanimentFactory(started_on=D(2026, 1, 5), ended_on=D(2026, 2, 27), referent=coach)
    current = AccompanimentFactory(started_on=D(2026, 3, 2), referent=coach)
    other = AccompanimentFactory(started_on=D(2026, 3, 2))
    assert set(Accompaniment.objects.open()) == {current, other}
    assert set(Accompaniment.objects.on(D(2026, 2, 27))) == {ended}
    assert set(Accompaniment.objects.on(D(2026, 3, 2))) == {current, other}
    assert set(Accompaniment.objects.followed_by(coach)) == {ended, current}
    commune = CommuneFactory()
    manager = AgentFactory(role="manager", units=[commune.unit])
    mine = AccompanimentFactory(person=PersonFactory(commune=commune))
    assert list(Accompaniment.objects.visible_to(manager)) == [mine]
    assert Accompaniment.objects.visible_to(AgentFactory(role="employeur")).count() == 0


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("coach_emploi", True),
        ("referent", True),
        ("manager", True),
        ("administrateur", True),
        ("accueil", False),
        ("relations_entreprises", False),
        ("employeur", False),
    ],
)
def test_may_accompany(role, allowed):
    assert AgentFactory.build(role=role).may_accompany is allowed


def test_programme_labels():
    assert Programme.COACHING.label == "Coaching MDIE « Réussir sans attendre »"
    assert Programme.SOCIO_PRO.label == "Accompagnement socio-professionnel (partenaire)"
