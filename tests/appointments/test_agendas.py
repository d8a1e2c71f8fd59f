import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from parcours.appointments.agendas import generate_slots
from parcours.appointments.booking import BookingError, SlotUnavailable, book, move_booking
from parcours.appointments.calendar import PARIS, is_public_holiday
from parcours.appointments.models import Slot
from tests.accounts.factories import AgentFactory
from tests.appointments.factories import OpeningHoursFactory, SlotFactory, SlotTypeFactory
from tests.conftest import login_verified
from tests.orientation.factories import FollowUpFactory
from tests.territory.factories import DepartementFactory, SiteFactory


def test_alsace_moselle_have_their_own_public_holidays():
    good_friday = datetime.date(2026, 4, 3)
    st_stephen = datetime.date(2026, 12, 26)
    assert not is_public_holiday(good_friday, "59")
    assert all(is_public_holiday(good_friday, code) for code in ("57", "67", "68"))
    assert is_public_holiday(st_stephen, "68") and not is_public_holiday(st_stephen, "75")
    assert is_public_holiday(datetime.date(2026, 7, 14), "59")


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "expected_fridays"), [("59", 2), ("57", 1)])
def test_slots_skip_public_holidays_of_the_site(code, expected_fridays):
    departement = DepartementFactory(code=code, name=f"Dép {code}")
    opening = OpeningHoursFactory(
        site=SiteFactory(departement=departement),
        slot_type=SlotTypeFactory(departement=departement, duration_minutes=60),
        weekday=4,  # Fridays: 27 March and 3 April 2026 (Good Friday)
        starts_at=datetime.time(9),
        ends_at=datetime.time(11),
    )
    created = generate_slots(datetime.date(2026, 3, 23), datetime.date(2026, 4, 5))
    assert created == 2 * expected_fridays
    assert generate_slots(datetime.date(2026, 3, 23), datetime.date(2026, 4, 5)) == 0  # idempotent
    first = Slot.objects.filter(agent=opening.agent).first()
    assert timezone.localtime(first.starts_at, PARIS).time() == datetime.time(9)
    assert first.starts_at.utcoffset() is not None


@pytest.mark.django_db
def test_slots_across_daylight_saving_changes_last_their_real_duration():
    """Sunday night periods 01:30–03:30 local: 1 real hour in spring, 3 in autumn."""
    opening = OpeningHoursFactory(
        weekday=6, starts_at=datetime.time(1, 30), ends_at=datetime.time(3, 30),
        slot_type=SlotTypeFactory(duration_minutes=30),
    )  # fmt: skip
    spring, autumn = datetime.date(2026, 3, 29), datetime.date(2026, 10, 25)
    generate_slots(spring, spring)
    generate_slots(autumn, autumn)
    generate_slots(autumn, autumn)  # the repeated hour must not be duplicated on a second run

    def local_times(day):
        slots = Slot.objects.filter(agent=opening.agent, starts_at__date=day).order_by("starts_at")
        return [
            (
                timezone.localtime(s.starts_at, PARIS).strftime("%H:%M%z"),
                int((s.ends_at - s.starts_at).seconds / 60),
            )
            for s in slots
        ]

    assert local_times(spring) == [("01:30+0100", 30), ("03:00+0200", 30)]
    assert local_times(autumn) == [
        ("01:30+0200", 30),
        ("02:00+0200", 30),
        ("02:30+0200", 30),
        ("02:00+0100", 30),
        ("02:30+0100", 30),
        ("03:00+0100", 30),
    ]


@pytest.mark.django_db
def test_collective_session_seats_are_never_overbooked(departement):
    slot = SlotFactory(slot_type=SlotTypeFactory(kind="collectif", seats=2))
    book(slot, FollowUpFactory())
    book(slot, FollowUpFactory())
    with pytest.raises(SlotUnavailable, match="n'est plus disponible"):
        book(slot, FollowUpFactory())
    slot.refresh_from_db()
    assert slot.seats_taken == 2


@pytest.mark.django_db
def test_past_or_closed_bookings_are_refused(departement):
    followup = FollowUpFactory(closed_at=timezone.now())
    with pytest.raises(BookingError, match="clos"):
        book(SlotFactory(), followup)
    with pytest.raises(SlotUnavailable):
        book(SlotFactory(starts_at=timezone.now() - datetime.timedelta(hours=1)), FollowUpFactory())


@pytest.mark.django_db
def test_moving_keeps_the_old_seat_when_the_new_one_is_taken(departement):
    followup, other = FollowUpFactory(), FollowUpFactory()
    first, full = SlotFactory(), SlotFactory()
    booking = book(first, followup)
    book(full, other)
    with pytest.raises(SlotUnavailable):
        move_booking(booking, full)
    booking.refresh_from_db()
    first.refresh_from_db()
    assert booking.cancelled_at is None and first.seats_taken == 1

    free = SlotFactory()
    moved = move_booking(booking, free)
    first.refresh_from_db()
    assert moved.slot == free and first.seats_taken == 0


@pytest.mark.django_db
def test_deleting_an_agent_drops_free_future_slots_and_keeps_booked_ones(departement):
    agent = AgentFactory(role="charge_orientation")
    free, booked = SlotFactory(agent=agent), SlotFactory(agent=agent)
    past = SlotFactory(agent=agent, starts_at=timezone.now() - datetime.timedelta(days=3))
    book(booked, FollowUpFactory())
    agent.delete()
    assert not Slot.objects.filter(pk=free.pk).exists()
    booked.refresh_from_db()
    past.refresh_from_db()
    assert booked.agent is None and past.agent is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_booking_the_last_seat_at_the_same_moment():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency test for PostgreSQL")
    slot = SlotFactory(slot_type=SlotTypeFactory(kind="collectif", seats=3), seats_taken=2)
    followups = [FollowUpFactory(), FollowUpFactory()]
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(followup):
        try:
            barrier.wait()
            book(Slot.objects.get(pk=slot.pk), followup)
            outcomes.append("won")
        except SlotUnavailable as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(f,)) for f in followups]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slot.refresh_from_db()
    assert outcomes.count("won") == 1
    assert "n'est plus disponible" in next(o for o in outcomes if o != "won")
    assert slot.seats_taken == 3
    assert slot.bookings.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "2026-02-30", "pas-une-date"])
def test_agenda_of_an_out_of_range_week_shows_the_current_week(client, week):
    login_verified(client, AgentFactory(role="accueil"))
    response = client.get("/agendas/", {"semaine": week})
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["monday"] == today - datetime.timedelta(days=today.weekday())
