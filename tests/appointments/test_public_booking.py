import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.appointments.models import Booking, Invitation
from parcours.orientation.followups import close_followup
from tests.appointments.factories import OpeningHoursFactory, SlotFactory
from tests.orientation.factories import FollowUpFactory
from tests.territory.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(departement):
    site = SiteFactory(departement=departement)
    OpeningHoursFactory(site=site)
    followup = FollowUpFactory(departement=departement, person__commune=site.commune)
    invitation = Invitation.objects.create(
        followup=followup, person=followup.person, kind="invitation", site=site,
        expires_at=timezone.now() + datetime.timedelta(days=10),
    )  # fmt: skip
    url = reverse("booking:invitation", args=[invitation.link_token])
    return {"site": site, "followup": followup, "invitation": invitation, "url": url}


def test_book_move_and_cancel_through_the_personal_link(client, invited):
    first, second = SlotFactory(site=invited["site"]), SlotFactory(site=invited["site"])
    page = client.get(invited["url"])
    assert page.status_code == 200
    assert f'data-slot="{first.pk}"' in page.text and "RSA" not in page.text

    response = client.post(invited["url"], {"action": "book", "slot": first.pk}, follow=True)
    assert "Votre rendez-vous est confirmé" in response.text
    booking = Booking.objects.get(followup=invited["followup"], cancelled_at__isnull=True)
    assert booking.slot == first and booking.invitation == invited["invitation"]

    response = client.post(invited["url"], {"action": "move", "slot": second.pk}, follow=True)
    assert "déplacé" in response.text
    assert Booking.objects.get(followup=invited["followup"], cancelled_at__isnull=True).slot == second

    response = client.post(invited["url"], {"action": "cancel"}, follow=True)
    assert "annulé" in response.text
    assert not Booking.objects.filter(followup=invited["followup"], cancelled_at__isnull=True).exists()


def test_the_last_seat_taken_meanwhile_gives_a_clear_message(client, invited):
    slot = SlotFactory(site=invited["site"])
    client.get(invited["url"])
    slot.seats_taken = 1  # someone else took it between the page and the click
    slot.save()
    response = client.post(invited["url"], {"action": "book", "slot": slot.pk}, follow=True)
    assert "il vient d'être réservé par quelqu'un d'autre" in response.text
    assert not Booking.objects.exists()


def test_a_slot_outside_the_offer_cannot_be_booked(client, invited, departement):
    elsewhere = SlotFactory(site=SiteFactory(departement=departement))  # no opening hours: not offered
    response = client.post(invited["url"], {"action": "book", "slot": elsewhere.pk}, follow=True)
    assert "ne peut pas être réservé avec ce lien" in response.text
    assert not Booking.objects.exists()


def test_expired_link(client, invited):
    invited["invitation"].expires_at = timezone.now() - datetime.timedelta(minutes=1)
    invited["invitation"].save()
    response = client.get(invited["url"])
    assert response.status_code == 410
    assert "Ce lien a expiré" in response.text
    slot = SlotFactory(site=invited["site"])
    assert client.post(invited["url"], {"action": "book", "slot": slot.pk}).status_code == 410


def test_cancelled_link_after_the_followup_closed(client, invited):
    close_followup(invited["followup"], "depart_departement")
    response = client.get(invited["url"])
    assert response.status_code == 410
    assert "n'est plus valable" in response.text


def test_forged_link(client, invited):
    forged = invited["url"].replace(
        str(invited["invitation"].pk) + ":", str(invited["invitation"].pk + 1) + ":"
    )
    assert client.get(forged).status_code == 404
    assert client.get("/rdv/n-importe-quoi/").status_code == 404
