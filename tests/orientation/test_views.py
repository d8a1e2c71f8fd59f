import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import ApiToken
from parcours.appointments.booking import book
from parcours.orientation.models import OrientationDecision
from parcours.orientation.rules import install_default_rules
from parcours.people.models import Follow
from tests.accounts.factories import AgentFactory
from tests.appointments.factories import SlotFactory
from tests.conftest import login_verified
from tests.orientation.factories import FollowUpFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def charge(two_units):
    return AgentFactory(role="charge_orientation", units=[two_units["unit_a"]])


@pytest.fixture
def followup(two_units, departement):
    return FollowUpFactory(
        departement=departement,
        person__commune=two_units["commune_a"],
        person__birth_date=datetime.date(2001, 3, 1),
        rights_opened_on=timezone.localdate() - datetime.timedelta(days=26),
    )


def test_worklist_shows_deadlines_of_the_agents_territory_only(
    client, charge, followup, two_units, departement
):
    FollowUpFactory(
        departement=departement,
        person__commune=two_units["commune_b"],
        person__last_name="Horsterritoire",
        rights_opened_on=followup.rights_opened_on,
    )
    login_verified(client, charge)
    page = client.get(reverse("orientation:worklist"))
    assert page.status_code == 200
    assert followup.person.full_name in page.text
    assert "HORSTERRITOIRE" not in page.text
    assert "À inviter" in page.text


def test_followup_page_shows_the_proposal_and_records_the_interview(client, charge, followup, departement):
    install_default_rules(departement)
    referent = AgentFactory(role="referent")
    booking = book(
        SlotFactory(starts_at=timezone.now() + datetime.timedelta(minutes=5)), followup, channel="agent"
    )
    booking.slot.starts_at = timezone.now() - datetime.timedelta(minutes=30)
    booking.slot.save()
    login_verified(client, charge)

    page = client.get(reverse("orientation:followup", args=[followup.pk]))
    assert "Moins de 30 ans" in page.text  # the rule that fired, with its data
    assert "âge : " in page.text

    client.post(reverse("orientation:attendance", args=[booking.pk]), {"attendance-attendance": "honore"})
    response = client.post(
        reverse("orientation:decide", args=[followup.pk]),
        {"decision-kind": "sociale", "decision-organism": "ccas", "decision-override_reason": ""},
        follow=True,
    )
    assert "Indiquez le motif" in response.text
    client.post(
        reverse("orientation:decide", args=[followup.pk]),
        {
            "decision-kind": "sociale",
            "decision-organism": "ccas",
            "decision-override_reason": "Situation de logement",
        },
    )
    client.post(reverse("orientation:referent", args=[followup.person_id]), {"referent-agent": referent.pk})
    client.post(
        reverse("orientation:contract", args=[followup.person_id]),
        {
            "contract-kind": "cer",
            "contract-objectives": "Logement",
            "contract-starts_on": "2026-01-01",
            "contract-ends_on": "2026-06-30",
        },
    )

    decision = OrientationDecision.objects.get(followup=followup)
    assert decision.kind == "sociale" and decision.proposed_kind == "professionnelle"
    assert Follow.objects.active().get(person=followup.person, kind="referent").agent == referent
    page = client.get(reverse("orientation:followup", args=[followup.pk]))
    assert 'id="followup-status">Orienté' in page.text
    assert "Contrat d&#x27;engagements réciproques" in page.text

    login_verified(client, referent)
    caseload = client.get(reverse("orientation:caseload"))
    assert followup.person.full_name in caseload.text
    client.post(
        reverse("orientation:reorientation_request", args=[followup.person_id]),
        {"reorientation-requested_kind": "professionnelle", "reorientation-reason": "Projet d'emploi"},
    )
    login_verified(client, charge)
    assert "Projet d&#x27;emploi" in client.get(reverse("orientation:reorientations")).text


def test_a_followup_outside_the_scope_is_404(client, followup, two_units):
    outsider = AgentFactory(role="charge_orientation", units=[two_units["unit_b"]])
    login_verified(client, outsider)
    assert client.get(reverse("orientation:followup", args=[followup.pk])).status_code == 404


def test_a_referent_cannot_decide(client, followup, two_units):
    referent = AgentFactory(role="referent", units=[two_units["unit_a"]])
    login_verified(client, referent)
    response = client.post(
        reverse("orientation:decide", args=[followup.pk]), {"kind": "sociale", "organism": "ccas"}
    )
    assert response.status_code == 403
    assert not OrientationDecision.objects.exists()


def test_agenda_page(client, charge, followup):
    slot = SlotFactory(site__departement=followup.departement)
    from parcours.appointments.models import OpeningHours, SlotType

    OpeningHours.objects.create(
        agent=slot.agent, site=slot.site, slot_type=SlotType.objects.first(), weekday=0,
        starts_at=datetime.time(9), ends_at=datetime.time(10),
    )  # fmt: skip
    book(slot, followup)
    login_verified(client, charge)
    local = timezone.localtime(slot.starts_at).date()
    page = client.get(reverse("appointments:agenda"), {"site": slot.site.pk, "semaine": local.isoformat()})
    assert page.status_code == 200
    assert followup.person.full_name in page.text


def test_api_followups(client, charge, followup):
    _, raw = ApiToken.issue(charge, "test")
    response = client.get(
        f"/api/v1/orientation/personnes/{followup.person_id}/suivis/",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200
    assert response.json()[0]["status"] == "a_inviter"


def test_convoking_after_an_absence(client, charge, followup):
    from parcours.appointments.models import OpeningHours, SlotType

    slot = SlotFactory(site__departement=followup.departement, site__commune=followup.person.commune)
    OpeningHours.objects.create(
        agent=slot.agent, site=slot.site, slot_type=SlotType.objects.first(), weekday=0,
        starts_at=datetime.time(9), ends_at=datetime.time(10),
    )  # fmt: skip
    login_verified(client, charge)
    response = client.post(reverse("orientation:convoke", args=[followup.pk]), follow=True)
    assert "Convocation envoyée" in response.text
    assert followup.bookings.get().slot == slot
    response = client.post(reverse("orientation:convoke", args=[followup.pk]), follow=True)
    assert "déjà un rendez-vous" in response.text


def test_worklist_queries_do_not_grow_with_rows(
    client, charge, two_units, departement, django_assert_max_num_queries
):
    login_verified(client, charge)
    opened = timezone.localdate() - datetime.timedelta(days=40)
    FollowUpFactory(departement=departement, person__commune=two_units["commune_a"], rights_opened_on=opened)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("orientation:worklist"), {"liste": "retard"})
    for _ in range(5):
        FollowUpFactory(
            departement=departement, person__commune=two_units["commune_a"], rights_opened_on=opened
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("orientation:worklist"), {"liste": "retard"})
    assert "6 suivis" in page.text


def test_worklist_of_my_agenda(client, charge, followup, departement):
    other = FollowUpFactory(
        departement=departement,
        person__commune=followup.person.commune,
        rights_opened_on=followup.rights_opened_on,
    )
    book(SlotFactory(agent=charge), followup)
    book(SlotFactory(), other)
    login_verified(client, charge)
    everyone = client.get(reverse("orientation:worklist"), {"liste": "echeance"})
    assert other.person.full_name in everyone.text
    page = client.get(reverse("orientation:worklist"), {"liste": "echeance", "agent": "moi"})
    assert followup.person.full_name in page.text
    assert other.person.full_name not in page.text


def test_worklist_and_person_page_flag_an_address_outside_the_departement(client, charge, followup):
    """A CNAF address in another département (62041, Arras): a badge, and the town of the address."""
    person = followup.person
    person.address_outside_departement, person.address_insee_code = True, "62041"
    person.postal_code = "62000"
    person.save()
    login_verified(client, charge)
    assert "Adresse hors département" in client.get(reverse("orientation:worklist")).text
    page = client.get(reverse("people:detail", args=[person.pk])).text
    assert "Adresse hors département" in page and "62000 Arras" in page


def test_a_coachs_caseload_counts_what_the_home_page_counts(client, two_units):
    """The home page counted every active follow, "Mon portefeuille" only the référent ones: a
    coach read "0 personnes suivies" there and 2 on the home page."""
    coach = AgentFactory(role="coach_emploi", units=[two_units["unit_a"]])
    for _ in range(2):
        Follow.objects.create(person=PersonFactory(commune=two_units["commune_a"]), agent=coach, kind="coach")
    login_verified(client, coach)
    assert "Les personnes que vous suivez (2)" in client.get(reverse("core:home")).text
    assert "2 personnes suivies" in client.get(reverse("orientation:caseload")).text
