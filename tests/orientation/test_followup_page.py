"""Issue #11 item 4: the follow-up page offers only the next actions of the agent's role, every
POST redirects and is idempotent, and the reorientation queue has a menu entry."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.appointments.booking import book
from parcours.orientation.decisions import decide_orientation, designate_referent
from parcours.orientation.models import Contract, OrientationDecision
from parcours.people.models import PersonEvent
from tests.accounts.factories import AgentFactory
from tests.appointments.factories import SlotFactory
from tests.conftest import login_verified
from tests.orientation.factories import FollowUpFactory

pytestmark = pytest.mark.django_db

DECISION = {"decision-kind": "sociale", "decision-organism": "ccas", "decision-override_reason": "Logement"}


@pytest.fixture
def charge(two_units):
    return AgentFactory(role="charge_orientation", units=[two_units["unit_a"]])


@pytest.fixture
def referent(two_units):
    return AgentFactory(role="referent", units=[two_units["unit_a"]])


@pytest.fixture
def followup(two_units, departement):
    return FollowUpFactory(departement=departement, person__commune=two_units["commune_a"])


def test_a_charge_sees_no_reorientation_form_and_no_contract_form_before_the_orientation(
    client, charge, followup
):
    login_verified(client, charge)
    page = client.get(reverse("orientation:followup", args=[followup.pk])).text
    assert "Enregistrer l'orientation" in page
    assert "Convoquer au premier créneau libre" in page
    assert "à inviter ou à convoquer" in page  # where the person stands
    assert "Demander une réorientation" not in page  # a chargé d'orientation may not (403)
    assert "Enregistrer le contrat" not in page and "Désigner" not in page  # not oriented yet


def test_once_oriented_the_charge_designates_and_no_longer_decides(client, charge, followup):
    decide_orientation(followup.person, kind="sociale", organism="ccas", by=charge, followup=followup)
    login_verified(client, charge)
    page = client.get(reverse("orientation:followup", args=[followup.pk])).text
    assert "Enregistrer l'orientation" not in page and "Convoquer" not in page
    assert "Désigner" in page and "un référent est à désigner" in page
    assert "Demander une réorientation" not in page


def test_a_referent_signs_and_asks_for_a_reorientation_but_never_decides(client, charge, referent, followup):
    decide_orientation(followup.person, kind="sociale", organism="ccas", by=charge, followup=followup)
    designate_referent(followup.person, referent, by=charge)
    login_verified(client, referent)
    page = client.get(reverse("orientation:followup", args=[followup.pk])).text
    assert "Enregistrer le contrat" in page and "Demander une réorientation" in page
    assert "Enregistrer l'orientation" not in page and "Désigner" not in page
    assert "Enregistrer la présence" not in page


def test_recording_an_orientation_twice_records_one_decision(client, charge, followup):
    login_verified(client, charge)
    url = reverse("orientation:decide", args=[followup.pk])
    first, second = client.post(url, DECISION), client.post(url, DECISION)
    assert first.status_code == second.status_code == 302
    assert OrientationDecision.objects.filter(followup=followup).count() == 1
    assert PersonEvent.objects.filter(person=followup.person, kind="orientation.decidee").count() == 1
    different = client.post(url, {**DECISION, "decision-kind": "professionnelle"}, follow=True)
    assert "demandez une réorientation" in different.text
    assert OrientationDecision.objects.filter(followup=followup).count() == 1


def test_recording_attendance_twice_records_one_event(client, charge, followup):
    booking = book(SlotFactory(starts_at=timezone.now() + datetime.timedelta(minutes=5)), followup)
    booking.slot.starts_at = timezone.now() - datetime.timedelta(minutes=30)
    booking.slot.save()
    login_verified(client, charge)
    url = reverse("orientation:attendance", args=[booking.pk])
    assert client.post(url, {"attendance-attendance": "absent"}).status_code == 302
    assert client.post(url, {"attendance-attendance": "absent"}).status_code == 302
    assert PersonEvent.objects.filter(person=followup.person, kind="rdv.absent").count() == 1


def test_signing_a_contract_twice_records_one_contract(client, charge, referent, followup):
    decide_orientation(followup.person, kind="sociale", organism="ccas", by=charge, followup=followup)
    designate_referent(followup.person, referent, by=charge)
    login_verified(client, referent)
    data = {
        "contract-kind": "cer",
        "contract-objectives": "Logement",
        "contract-starts_on": "2026-01-01",
        "contract-ends_on": "2026-06-30",
    }
    url = reverse("orientation:contract", args=[followup.person_id])
    assert client.post(url, data).status_code == client.post(url, data).status_code == 302
    assert Contract.objects.filter(person=followup.person).count() == 1


def test_the_reorientation_queue_is_in_the_menu_of_those_who_decide(client, charge, referent):
    login_verified(client, charge)
    assert reverse("orientation:reorientations") in client.get(reverse("orientation:worklist")).text
    login_verified(client, referent)
    assert reverse("orientation:reorientations") not in client.get(reverse("orientation:caseload")).text
