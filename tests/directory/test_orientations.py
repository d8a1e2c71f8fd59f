"""Issue #15 item 5: tracked orientations to a service of the directory — the workflow (consent,
closed service, restriction, answers by the structure only, expiry), the structure's screens (its
inbox, an orientation's page, 404 audited for another structure's), the access grant, the person
page's panel, the pathway events and the indicators."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from parcours.appointments.models import Message, MessageKind
from parcours.core.access import visible_persons
from parcours.core.models import AuditAction, AuditEvent
from parcours.directory import orientations
from parcours.directory.access import RECEIVED_PURPOSE
from parcours.directory.models import Category, ServiceOrientation
from parcours.directory.models.orientations import (
    OrientationOrigin,
    OrientationState,
    RefusalReason,
)
from parcours.directory.person_panel import person_panel_context
from parcours.indicators.event_export import DATA_COLUMNS
from parcours.indicators.events import KINDS
from parcours.indicators.stats import compute
from parcours.people import event_kinds as ev
from parcours.people.models import PersonEvent
from parcours.privacy.restriction import set_restriction
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.directory.factories import ServiceFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def world(two_units):
    """A référent of unit A, a person of unit A, a food-aid service of a partner structure with
    one agent, and an agent of another partner structure."""
    referent = AgentFactory(role="referent", units=[two_units["unit_a"]], email="referent@cd.test")
    person = PersonFactory(
        last_name="Lefebvre", first_names="Nadia", commune=two_units["commune_a"], phone="0601020304"
    )
    service = ServiceFactory(nom="Épicerie solidaire du centre")
    structure_agent = AgentFactory(
        role="accueil", organisation=service.structure.organisation, units=[], email="epicerie@asso.test"
    )
    other_service = ServiceFactory(nom="Banque alimentaire d'à côté")
    other_agent = AgentFactory(role="accueil", organisation=other_service.structure.organisation, units=[])
    return {
        "referent": referent,
        "person": person,
        "service": service,
        "structure_agent": structure_agent,
        "other_service": other_service,
        "other_agent": other_agent,
    }


def _send(world, service=None, **overrides):
    values = {
        "origin": OrientationOrigin.REFERENT,
        "consent_given": True,
        "consent_on": timezone.localdate(),
        "consent_mode": "oral",
        "message": "Besoin d'un colis cette semaine ; disponible le matin.",
    }
    values |= overrides
    return orientations.send(world["referent"], world["person"], service or world["service"], **values)


# -- the workflow --------------------------------------------------------------------------------


def test_sending_records_the_orientation_its_log_event_and_tells_the_structure(world):
    orientation = _send(world)

    assert orientation.state == OrientationState.OPEN
    assert orientation.consent_given and orientation.consent_mode == "oral"
    assert list(orientation.events.values_list("transition", "from_state", "to_state")) == [
        ("send", "", OrientationState.OPEN)
    ]
    event = PersonEvent.objects.get(person=world["person"], kind=ev.SERVICE_ORIENTATION_SENT)
    assert event.data == {"category": Category.AIDE_ALIMENTAIRE, "origin": "referent"}
    assert event.source == "annuaire"
    alert = Message.objects.get(kind=MessageKind.DIRECTORY_ALERT, agent=world["structure_agent"])
    assert alert.person_id is None
    assert alert.context["path"] == reverse("directory:orientation_detail", args=[orientation.pk])
    assert "Lefebvre" not in str(alert.context) and "Nadia" not in str(alert.context)
    assert not Message.objects.filter(agent=world["other_agent"]).exists()
    assert AuditEvent.objects.filter(person=world["person"], action=AuditAction.CREATE).exists()


@pytest.mark.parametrize(
    "overrides",
    [{"consent_given": False}, {"consent_on": None}, {"consent_mode": ""}],
    ids=["not-given", "no-date", "no-mode"],
)
def test_sending_without_the_persons_consent_is_refused(world, overrides):
    with pytest.raises(ValidationError, match="consentement"):
        _send(world, **overrides)
    assert not ServiceOrientation.objects.exists()


def test_a_consent_dated_in_the_future_is_refused(world):
    with pytest.raises(ValidationError, match="futur"):
        _send(world, consent_on=timezone.localdate() + datetime.timedelta(days=1))


def test_a_closed_service_is_refused_with_a_message(world):
    service = world["service"]
    service.closed_on = timezone.localdate() - datetime.timedelta(days=3)
    service.save()
    with pytest.raises(ValidationError, match="a fermé le"):
        _send(world)
    assert not ServiceOrientation.objects.exists()


def test_a_person_under_restriction_of_processing_is_not_oriented(world):
    set_restriction(world["person"], reason="exactitude contestée", by=world["referent"])
    with pytest.raises(ValidationError, match="limitation du traitement"):
        _send(world)


def test_a_second_open_orientation_to_the_same_service_is_refused(world):
    _send(world)
    with pytest.raises(ValidationError, match="déjà ouverte"):
        _send(world)
    _send(world, service=world["other_service"])  # another service is fine


def test_a_message_over_1000_characters_is_refused(world):
    with pytest.raises(ValidationError, match="1000 au plus"):
        _send(world, message="x" * 1001)


def test_only_an_agent_of_the_structure_validates(world):
    orientation = _send(world)
    for intruder in (world["other_agent"], world["referent"], AgentFactory(role="administrateur")):
        with pytest.raises(ValidationError, match="Seuls les agents de la structure"):
            orientations.validate(intruder, orientation)
    orientation = orientations.validate(world["structure_agent"], orientation)

    assert orientation.state == OrientationState.VALIDATED
    assert orientation.answered_by == world["structure_agent"]
    event = PersonEvent.objects.get(kind=ev.SERVICE_ORIENTATION_VALIDATED)
    assert event.data == {"category": "aide_alimentaire", "sent_on": timezone.localdate().isoformat()}
    assert Message.objects.filter(agent=world["referent"], kind=MessageKind.DIRECTORY_ALERT).exists()
    with pytest.raises(ValidationError, match="déjà « validée »"):
        orientations.refuse(world["structure_agent"], orientation, reason=RefusalReason.FULL)


def test_a_refusal_needs_a_reason_and_a_comment_for_other(world):
    orientation = _send(world)
    agent = world["structure_agent"]
    with pytest.raises(ValidationError, match="motif du refus dans la liste"):
        orientations.refuse(agent, orientation, reason="")
    with pytest.raises(ValidationError, match="Précisez le motif"):
        orientations.refuse(agent, orientation, reason=RefusalReason.OTHER)
    orientation = orientations.refuse(
        agent, orientation, reason=RefusalReason.OUT_OF_AREA, comment="Trop loin."
    )

    assert orientation.state == OrientationState.REFUSED
    assert (orientation.refusal_reason, orientation.refusal_comment) == ("hors_zone", "Trop loin.")
    assert PersonEvent.objects.get(kind=ev.SERVICE_ORIENTATION_REFUSED).data["refusal"] == "hors_zone"
    assert list(orientation.events.values_list("transition", flat=True)) == ["send", "refuse"]


def test_an_orientation_without_answer_expires_after_30_days(world, settings):
    sent = timezone.now() - datetime.timedelta(days=31)
    old = _send(world, now=sent, consent_on=timezone.localdate(sent))
    recent = _send(world, service=world["other_service"])

    assert orientations.expire_overdue() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.state == OrientationState.EXPIRED and old.answered_by is None
    assert recent.state == OrientationState.OPEN
    assert PersonEvent.objects.filter(kind=ev.SERVICE_ORIENTATION_EXPIRED).count() == 1
    assert orientations.expire_overdue() == 0  # never twice

    settings.PARCOURS_ORIENTATION_EXPIRY_DAYS = 0
    assert orientations.expire_overdue(timezone.now() + datetime.timedelta(seconds=1)) == 1


def test_the_daily_task_is_scheduled():
    from parcours.core.schedules import DAILY_TASKS

    assert "parcours.directory.orientations.expire_overdue" in {task.func for task in DAILY_TASKS}


# -- who sees the person -------------------------------------------------------------------------


def test_the_structures_agents_see_the_persons_oriented_to_them_for_90_days_after_the_answer(world):
    person, agent = world["person"], world["structure_agent"]
    received = visible_persons(agent, purposes=(RECEIVED_PURPOSE,))
    assert not received.filter(pk=person.pk).exists()
    orientation = _send(world)
    assert received.filter(pk=person.pk).exists()
    assert (
        not visible_persons(world["other_agent"], purposes=(RECEIVED_PURPOSE,)).filter(pk=person.pk).exists()
    )

    orientations.validate(agent, orientation, now=timezone.now() - datetime.timedelta(days=89))
    assert received.filter(pk=person.pk).exists()
    ServiceOrientation.objects.filter(pk=orientation.pk).update(
        answered_at=timezone.now() - datetime.timedelta(days=91)
    )
    assert not received.filter(pk=person.pk).exists()


def test_a_structure_sees_only_what_was_sent_never_the_person_page(client, world):
    """The grant is limited to the received orientations' pages: the person page, the API and the
    search answer as if the structure had received nothing (404 audited)."""
    person, agent = world["person"], world["structure_agent"]
    orientation = _send(world)
    login_verified(client, agent)
    assert client.get(reverse("directory:orientation_detail", args=[orientation.pk])).status_code == 200
    assert not visible_persons(agent).filter(pk=person.pk).exists()
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 404
    assert AuditEvent.objects.filter(agent=agent, action=AuditAction.DENIED, person_id=person.pk).exists()


# -- the structure's screens ---------------------------------------------------------------------


def test_the_inbox_lists_only_the_orientations_of_the_agents_structure(
    client, world, django_assert_max_num_queries
):
    mine = _send(world)
    for _ in range(3):
        orientations.send(
            world["referent"],
            PersonFactory(commune=world["person"].commune),
            world["service"],
            origin="referent",
            consent_given=True,
            consent_on=timezone.localdate(),
            consent_mode="ecrit",
        )
    _send(world, service=world["other_service"])
    login_verified(client, world["structure_agent"])

    with django_assert_max_num_queries(14):
        response = client.get(reverse("directory:orientation_inbox"))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 4
    assert "LEFEBVRE" in response.content.decode()
    assert "Banque alimentaire" not in response.content.decode()

    orientations.validate(world["structure_agent"], mine)
    response = client.get(reverse("directory:orientation_inbox"), {"etat": "validee", "tri": "personne"})
    assert [o.pk for o in response.context["page_obj"]] == [mine.pk]
    assert AuditEvent.objects.filter(agent=world["structure_agent"], action=AuditAction.VIEW).exists()


def test_an_agent_without_structure_cannot_open_the_inbox(client, world):
    login_verified(client, world["referent"])
    assert client.get(reverse("directory:orientation_inbox")).status_code == 403


def test_the_orientation_page_shows_what_was_sent(client, world):
    orientation = _send(world)
    login_verified(client, world["structure_agent"])
    response = client.get(reverse("directory:orientation_detail", args=[orientation.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for shown in ("LEFEBVRE", "0601020304", "disponible le matin", "Valider l'orientation"):
        assert shown in page
    assert "3 rue des Tests" not in page  # the address was not sent
    assert AuditEvent.objects.filter(
        agent=world["structure_agent"], person=world["person"], action=AuditAction.VIEW
    ).exists()


def test_another_structures_orientation_answers_404_audited(client, world):
    orientation = _send(world)
    login_verified(client, world["other_agent"])
    for name in ("orientation_detail", "orientation_validate", "orientation_refuse"):
        response = client.post(reverse(f"directory:{name}", args=[orientation.pk]), {"confirmed": "on"})
        assert response.status_code == 404
    denied = AuditEvent.objects.filter(agent=world["other_agent"], action=AuditAction.DENIED)
    assert denied.count() == 3
    assert denied.first().person_id == world["person"].pk
    orientation.refresh_from_db()
    assert orientation.state == OrientationState.OPEN


def test_validating_asks_for_a_confirmation_first(client, world):
    orientation = _send(world)
    login_verified(client, world["structure_agent"])
    url = reverse("directory:orientation_validate", args=[orientation.pk])
    response = client.post(url)
    assert "Confirmer la validation" in response.content.decode()
    orientation.refresh_from_db()
    assert orientation.state == OrientationState.OPEN

    response = client.post(url, {"confirmed": "on"}, follow=True)
    assert "est validée" in response.content.decode()
    orientation.refresh_from_db()
    assert orientation.state == OrientationState.VALIDATED


def test_refusing_shows_the_reason_then_confirms(client, world):
    orientation = _send(world)
    login_verified(client, world["structure_agent"])
    url = reverse("directory:orientation_refuse", args=[orientation.pk])
    response = client.post(url, {"reason": "autre"})
    assert "Précisez le motif du refus" in response.content.decode()
    response = client.post(url, {"reason": "complet"})
    assert "Confirmer le refus" in response.content.decode()
    assert "Plus de place disponible" in response.content.decode()
    client.post(url, {"reason": "complet", "confirmed": "on"})
    orientation.refresh_from_db()
    assert (orientation.state, orientation.refusal_reason) == (OrientationState.REFUSED, "complet")


# -- the orienting agent -------------------------------------------------------------------------


def test_orienting_from_the_form_goes_through_a_confirmation(client, world):
    login_verified(client, world["referent"])
    url = reverse("directory:orient", args=[world["person"].pk]) + f"?service={world['service'].pk}"
    page = client.get(url).content.decode()
    assert "Épicerie solidaire du centre" in page
    data = {
        "origin": "referent",
        "consent_on": timezone.localdate().isoformat(),
        "consent_mode": "oral",
        "message": "Colis alimentaire.",
    }
    response = client.post(url, data)
    assert "Recueillez le consentement" in response.content.decode()
    response = client.post(url, data | {"consent_given": "on"})
    assert "Confirmer et envoyer l'orientation" in response.content.decode()
    assert not ServiceOrientation.objects.exists()
    response = client.post(url, data | {"consent_given": "on", "confirmed": "on"})
    assert response.status_code == 302
    assert ServiceOrientation.objects.get().message == "Colis alimentaire."


def test_orienting_to_a_service_closed_meanwhile_shows_why(client, world):
    login_verified(client, world["referent"])
    url = reverse("directory:orient", args=[world["person"].pk]) + f"?service={world['service'].pk}"
    data = {
        "origin": "referent",
        "consent_given": "on",
        "consent_on": timezone.localdate().isoformat(),
        "consent_mode": "ecrit",
        "confirmed": "on",
    }
    service = world["service"]
    service.closed_on = timezone.localdate()
    service.save()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "a fermé le" in response.content.decode()
    assert not ServiceOrientation.objects.exists()


def test_a_role_without_the_permission_cannot_orient(client, world):
    login_verified(client, AgentFactory(role="relations_entreprises", units=[world["person"].commune.unit]))
    url = reverse("directory:orient", args=[world["person"].pk]) + f"?service={world['service'].pk}"
    assert client.get(url).status_code == 403


def test_the_search_link_carries_the_person_id_and_commune_never_the_name(client, world):
    login_verified(client, world["referent"])
    response = client.get(reverse("directory:orient_search", args=[world["person"].pk]))
    assert response.status_code == 302
    assert f"personne={world['person'].pk}" in response.url
    assert world["person"].commune.insee_code in response.url
    assert "Lefebvre" not in response.url


def test_the_person_page_lists_the_orientations_and_their_state(client, world, django_assert_max_num_queries):
    orientation = _send(world)
    orientations.refuse(world["structure_agent"], orientation, reason=RefusalReason.FULL)
    _send(world, service=world["other_service"])
    with django_assert_max_num_queries(2):  # the panel's share of the page's query budget
        person_panel_context(world["person"], world["referent"])
    login_verified(client, world["referent"])
    response = client.get(reverse("people:detail", args=[world["person"].pk]))
    page = response.content.decode()
    assert "Orientations vers des services" in page
    assert "Banque alimentaire d&#x27;à côté" in page or "Banque alimentaire d'à côté" in page
    assert "Refusée" in page and "plus de place disponible" in page
    assert reverse("directory:orient_search", args=[world["person"].pk]) in page


# -- vocabulary, indicators, export --------------------------------------------------------------


def test_the_event_vocabulary_matches_the_directorys_choices():
    assert list(ev.SERVICE_CATEGORIES) == Category.values
    assert list(ev.SERVICE_REFUSAL_REASONS) == RefusalReason.values
    assert list(ev.SERVICE_ORIENTATION_ORIGINS) == OrientationOrigin.values
    codes = [kind.code for kind in KINDS]
    assert codes[-4:] == [
        ev.SERVICE_ORIENTATION_SENT,
        ev.SERVICE_ORIENTATION_VALIDATED,
        ev.SERVICE_ORIENTATION_REFUSED,
        ev.SERVICE_ORIENTATION_EXPIRED,
    ]
    assert {"category", "origin", "sent_on", "refusal"} <= set(DATA_COLUMNS)
    assert ev.details(
        ev.SERVICE_ORIENTATION_REFUSED, {"category": "aide_alimentaire", "refusal": "complet"}
    ) == ("service : aide alimentaire, motif : plus de place disponible")


def test_the_indicators_count_the_orientations_and_the_delay_to_answer(world):
    start = timezone.now() - datetime.timedelta(days=10)
    first = _send(world, now=start, consent_on=timezone.localdate(start))
    second = _send(world, service=world["other_service"], now=start, consent_on=timezone.localdate(start))
    orientations.validate(world["structure_agent"], first, now=start + datetime.timedelta(days=4))
    orientations.refuse(
        world["other_agent"], second, reason=RefusalReason.FULL, now=start + datetime.timedelta(days=2)
    )
    today = timezone.localdate()
    result = compute(today - datetime.timedelta(days=30), today)["service_orientations"]
    assert (result["sent"], result["validated"], result["refused"], result["expired"]) == (2, 1, 1, 0)
    assert result["share_validated"] == 0.5
    assert result["answer_delay"]["count"] == 2
    assert result["answer_delay"]["mean_days"] == 3.0
