import datetime
import re

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from parcours.appointments.booking import book
from parcours.appointments.invitations import plan_invitations, process_invitations
from parcours.appointments.models import Alert, Booking, DeliveryStatus, Invitation, Message
from parcours.appointments.notifications import _context, deliver_pending
from parcours.orientation.status import Status, derive
from tests.accounts.factories import AgentFactory
from tests.appointments.factories import OpeningHoursFactory, SlotFactory
from tests.orientation.factories import FollowUpFactory
from tests.territory.factories import CommuneFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def channel_dirs(settings, tmp_path):
    settings.PARCOURS_SMS_DIR = tmp_path / "sms"
    settings.PARCOURS_LETTER_DIR = tmp_path / "letters"
    return tmp_path


@pytest.fixture
def near_and_far(departement):
    home = CommuneFactory(departement=departement, latitude=50.60, longitude=3.06)
    near = SiteFactory(
        departement=departement, name="MDIE Proche", commune__latitude=50.62, commune__longitude=3.06
    )
    far = SiteFactory(
        departement=departement, name="MDIE Loin", commune__latitude=50.95, commune__longitude=2.40
    )
    for site in (near, far):
        OpeningHoursFactory(site=site)
    return {"home": home, "near": near, "far": far}


def followup_at(home, **person):
    defaults = {"email": "personne@example.test", "phone": "0601020304"}
    return FollowUpFactory(
        person__commune=home,
        departement=home.departement,
        **{f"person__{k}": v for k, v in {**defaults, **person}.items()},
    )


def test_invitation_goes_to_the_nearest_site_with_a_free_seat_on_every_channel(near_and_far, channel_dirs):
    SlotFactory(site=near_and_far["near"])
    SlotFactory(site=near_and_far["far"])
    followup = followup_at(near_and_far["home"])

    result = plan_invitations()
    assert [i.site for i in result.invited] == [near_and_far["near"]]
    assert derive(followup).status == Status.INVITED
    assert followup.person.events.filter(kind="invitation.envoyee").count() == 1

    counts = deliver_pending()
    assert counts == {DeliveryStatus.SENT: 3}
    assert set(Message.objects.values_list("channel", "status")) == {
        ("email", "envoye"),
        ("sms", "envoye"),
        ("courrier", "envoye"),
    }
    assert len(mail.outbox) == 1
    link = re.search(r"http\S+/rdv/\S+/", mail.outbox[0].body).group(0)
    assert Invitation.objects.by_token(link.rstrip("/").rsplit("/", 1)[1]) == result.invited[0]
    assert link in (channel_dirs / "sms").joinpath(f"{timezone.localdate():%Y-%m-%d}.log").read_text()
    assert list((channel_dirs / "letters").glob("*.pdf"))

    # Idempotent: nothing is sent twice.
    assert plan_invitations().invited == []
    assert deliver_pending() == {}


def test_missing_contacts_are_recorded_per_message(near_and_far):
    SlotFactory(site=near_and_far["near"])
    followup = followup_at(near_and_far["home"], email="", phone="")
    plan_invitations()
    deliver_pending()
    assert list(Message.objects.filter(invitation__followup=followup).values_list("channel", "status")) == [
        ("courrier", "envoye")
    ]


def test_no_invitation_without_a_free_slot_alerts_the_site_manager(near_and_far):
    manager = AgentFactory(role="manager", units=[near_and_far["near"].unit])
    SlotFactory(site=near_and_far["near"])  # one seat for two people
    first = followup_at(near_and_far["home"])
    second = followup_at(near_and_far["home"])
    # The far site is within the three offered sites: fill it to force the alert.
    SlotFactory(site=near_and_far["far"], seats_taken=1)

    result = plan_invitations()
    assert [i.followup for i in result.invited] == [first]
    assert result.alerted == [second]
    assert not Invitation.objects.filter(followup=second).exists()
    alert = Alert.objects.get(followup=second)
    assert alert.site == near_and_far["near"]
    deliver_pending()
    assert [m.to for m in mail.outbox if "aucun créneau" in m.subject] == [[manager.email]]

    assert plan_invitations().alerted == []  # the open alert is not repeated
    assert Alert.objects.count() == 1


def test_reminder_then_expiry_then_convocation(near_and_far):
    followup = followup_at(near_and_far["home"])
    slot = SlotFactory(site=near_and_far["near"], starts_at=timezone.now() + datetime.timedelta(days=15))
    start = timezone.now()
    plan_invitations(now=start)

    assert process_invitations(now=start + datetime.timedelta(days=2))["reminders"] == 0
    assert process_invitations(now=start + datetime.timedelta(days=3, minutes=1))["reminders"] == 1
    assert process_invitations(now=start + datetime.timedelta(days=4))["reminders"] == 0
    assert Message.objects.filter(kind="relance").count() == 2  # e-mail and SMS, no letter

    later = start + datetime.timedelta(days=10, minutes=1)
    assert process_invitations(now=later)["convocations"] == 1
    assert process_invitations(now=later)["convocations"] == 0
    booking = Booking.objects.get(followup=followup)
    assert booking.slot == slot and booking.channel == "convocation"
    state = derive(followup, now=later)
    assert state.status == Status.BOOKED
    assert state.date_of(Status.INVITATION_EXPIRED) is not None
    assert Message.objects.filter(kind="convocation").count() == 3
    assert followup.person.events.filter(kind="convocation.envoyee").count() == 1


def test_answered_invitations_get_neither_reminder_nor_convocation(near_and_far):
    followup = followup_at(near_and_far["home"])
    slot = SlotFactory(site=near_and_far["near"])
    start = timezone.now()
    invitation = plan_invitations(now=start).invited[0]
    book(slot, followup, invitation=invitation)
    counts = process_invitations(now=start + datetime.timedelta(days=11))
    assert counts == {"reminders": 0, "convocations": 0, "alerts": 0}


def test_letter_is_one_page_and_its_window_shows_only_the_address(near_and_far):
    SlotFactory(site=near_and_far["near"])
    followup = followup_at(near_and_far["home"], address="12 rue du Moulin")
    plan_invitations()
    message = Message.objects.get(channel="courrier")
    html = render_to_string("appointments/letters/letter.html", _context(message))
    window = re.search(r'<div class="window">(.*?)</div>', html, re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", " ", window).split())
    assert "12 rue du Moulin" in text and followup.person.last_name.upper() in text
    assert "RSA" not in text and "solidarité" not in text.lower()
    assert len(HTML(string=html).render().pages) == 1


def test_new_slots_lift_the_alerts_and_the_followup_is_invited(near_and_far):
    from django.core.management import call_command

    followup = followup_at(near_and_far["home"])
    assert plan_invitations().alerted == [followup]
    call_command("generate_slots", "--weeks", "2")  # the fixture's opening hours: Monday mornings
    assert not Alert.objects.open().exists()
    assert [i.followup for i in plan_invitations().invited] == [followup]
