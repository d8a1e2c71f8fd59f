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
    assert "Annuler votre rendez-vous ?" in response.text
    response = client.post(invited["url"], {"action": "confirm_cancel"}, follow=True)
    assert "annulé" in response.text
    assert not Booking.objects.filter(followup=invited["followup"], cancelled_at__isnull=True).exists()


def test_cancelling_asks_for_a_confirmation_first(client, invited):
    slot = SlotFactory(site=invited["site"])
    client.post(invited["url"], {"action": "book", "slot": slot.pk})
    page = client.post(invited["url"], {"action": "cancel"})
    assert page.status_code == 200
    assert "Annuler votre rendez-vous ?" in page.text and 'value="confirm_cancel"' in page.text
    assert "Non, garder le rendez-vous" in page.text
    assert Booking.objects.filter(followup=invited["followup"], cancelled_at__isnull=True).exists()
    client.post(invited["url"], {"action": "confirm_cancel"})
    assert not Booking.objects.filter(followup=invited["followup"], cancelled_at__isnull=True).exists()


def test_one_button_per_time_whatever_the_number_of_agents(client, invited):
    """Two agents free at the same time make one button; if the slot behind it is taken
    meanwhile, the other agent's slot at that time is booked."""
    at = timezone.now() + datetime.timedelta(days=3)
    first = SlotFactory(site=invited["site"], starts_at=at)
    second = SlotFactory(site=invited["site"], starts_at=at, slot_type=first.slot_type)
    later = SlotFactory(
        site=invited["site"], starts_at=at + datetime.timedelta(hours=1), slot_type=first.slot_type
    )
    page = client.get(invited["url"]).text
    assert page.count("data-slot=") == 2
    assert f'data-slot="{first.pk}"' in page and f'data-slot="{later.pk}"' in page
    first.seats_taken = 1  # someone else took it between the page and the click
    first.save()
    response = client.post(invited["url"], {"action": "book", "slot": first.pk}, follow=True)
    assert "Votre rendez-vous est confirmé" in response.text
    assert Booking.objects.get(followup=invited["followup"]).slot == second


def test_public_pages_show_no_agent_link_and_the_town_once(client, invited):
    site = invited["site"]
    site.address = f"6 place de la Mairie, 59000 {site.commune.name}"
    site.save()
    SlotFactory(site=site)
    page = client.get(invited["url"]).text
    assert page.count(site.commune.name) == 1
    assert "Se connecter" not in page and "/comptes/" not in page and 'href="/"' not in page
    assert reverse("accounts:login") not in page
    for gone in ("expired", "closed"):
        if gone == "expired":
            invited["invitation"].expires_at = timezone.now() - datetime.timedelta(minutes=1)
        else:
            invited["invitation"].cancelled_at = timezone.now()
        invited["invitation"].save()
        page = client.get(invited["url"])
        assert page.status_code == 410 and "Se connecter" not in page.text


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


def test_an_unknown_link_answers_a_french_page_even_in_debug(client, invited, settings):
    settings.DEBUG = True
    response = client.get("/rdv/n-importe-quoi/")
    assert response.status_code == 404
    assert "Ce lien est introuvable" in response.text
    assert "Technical" not in response.text and "Se connecter" not in response.text
