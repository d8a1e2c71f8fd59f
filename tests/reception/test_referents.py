"""The référent de parcours (`reception.referents`), its screens, and the charter's signatures."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import OrganisationKind, Role
from parcours.core.models import AuditAction, AuditEvent
from parcours.people.models import Follow, Person
from parcours.reception import event_kinds, referents
from parcours.reception.models import CharterSignature, FrontDoorEvent, ParcoursReferent
from parcours.reception.models.referents import ConsentMode
from tests.accounts.factories import AgentFactory, OrganisationFactory
from tests.conftest import login_verified
from tests.people.factories import PersonFactory
from tests.reception.factories import CharterSignatureFactory

TODAY = timezone.localdate


@pytest.fixture
def world(departement, two_units):
    cd = OrganisationFactory(
        kind=OrganisationKind.DEPARTEMENT, name="Département du Nord", departement=departement
    )
    ccas = OrganisationFactory(
        kind=OrganisationKind.CCAS, name="CCAS de Communeville", departement=departement
    )
    outsider = OrganisationFactory(kind=OrganisationKind.ASSOCIATION, name="Association non signataire")
    CharterSignatureFactory(organisation=cd)
    CharterSignatureFactory(organisation=ccas)
    return {
        "designator": AgentFactory(role=Role.REFERENT, organisation=cd, units=[two_units["unit_a"]]),
        "cd_referent": AgentFactory(role=Role.REFERENT, organisation=cd, last_name="Deledépartement"),
        "ccas_referent": AgentFactory(role=Role.REFERENT, organisation=ccas, last_name="Ducentre"),
        "outsider": AgentFactory(role=Role.REFERENT, organisation=outsider, last_name="Horscharte"),
        "person": PersonFactory(commune=two_units["commune_a"]),
        "unit_a": two_units["unit_a"],
    }


def _designate(world, referent, **kwargs):
    kwargs = {"consent_on": TODAY(), "consent_mode": ConsentMode.ORAL, **kwargs}
    return referents.designate(world["designator"], world["person"], referent_agent=referent, **kwargs)


def _sees(agent, person) -> bool:
    fresh = type(agent).objects.get(pk=agent.pk)
    return Person.objects.visible_to(fresh).filter(pk=person.pk).exists()


# -- workflows ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_designating_opens_the_person_to_the_referent_and_writes_the_event(world):
    assert not _sees(world["ccas_referent"], world["person"])
    referent = _designate(world, world["ccas_referent"], consent_mode=ConsentMode.WRITTEN)
    assert referent.organisation.kind == OrganisationKind.CCAS and referent.ended_on is None
    assert referent.designated_by == world["designator"]
    assert (
        Follow.objects.active()
        .filter(person=world["person"], agent=world["ccas_referent"], kind=ParcoursReferent.FOLLOW_KIND)
        .exists()
    )
    assert _sees(world["ccas_referent"], world["person"])
    event = FrontDoorEvent.objects.get(kind=event_kinds.REFERENT_DESIGNATED)
    assert event.person == world["person"] and event.unit == world["unit_a"]
    assert event.data == {"organisation_kind": "ccas", "consent_mode": "ecrit"}
    assert AuditEvent.objects.filter(
        agent=world["designator"], person_id=world["person"].pk, action=AuditAction.CREATE
    ).exists()


@pytest.mark.django_db
def test_a_new_designation_replaces_the_previous_referent(world):
    first = _designate(world, world["ccas_referent"])
    second = _designate(world, world["cd_referent"])
    first.refresh_from_db()
    assert first.ended_on == TODAY() and first.end_reason == "remplacé"
    assert list(ParcoursReferent.objects.active().filter(person=world["person"])) == [second]
    assert not _sees(world["ccas_referent"], world["person"])
    ended = FrontDoorEvent.objects.get(kind=event_kinds.REFERENT_ENDED)
    assert ended.data == {"reason": "remplace"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"referent": "outsider"}, "n'a pas de signature en cours de la charte"),
        ({"consent_on": None}, "date à laquelle la personne a donné son accord"),
        ({"consent_on": "tomorrow"}, "ne peut pas être dans le futur"),
        ({"consent_mode": "tacite"}, "forme de l'accord"),
    ],
)
def test_a_designation_needs_a_signatory_organisation_and_a_dated_consent(world, change, message):
    referent = world[change.pop("referent", "ccas_referent")]
    if change.get("consent_on") == "tomorrow":
        change["consent_on"] = TODAY() + datetime.timedelta(days=1)
    with pytest.raises(referents.ReferentError, match=message):
        _designate(world, referent, **change)
    assert not ParcoursReferent.objects.exists() and not FrontDoorEvent.objects.exists()


@pytest.mark.django_db
def test_an_ended_signature_stops_designations_from_that_organisation(world):
    CharterSignature.objects.filter(organisation=world["ccas_referent"].organisation).update(ended_on=TODAY())
    with pytest.raises(referents.ReferentError, match="organisation signataire"):
        _designate(world, world["ccas_referent"])
    assert world["ccas_referent"] not in referents.eligible_referents()
    assert world["cd_referent"] in referents.eligible_referents()


@pytest.mark.django_db
def test_designating_the_current_referent_again_is_refused(world):
    _designate(world, world["ccas_referent"])
    with pytest.raises(referents.ReferentError, match="déjà le référent"):
        _designate(world, world["ccas_referent"])


@pytest.mark.django_db
def test_only_a_signatory_professional_designates(world):
    world["designator"].organisation = world["outsider"].organisation
    world["designator"].save()
    fresh = type(world["designator"]).objects.get(pk=world["designator"].pk)
    assert not fresh.may_designate_parcours_referent
    with pytest.raises(referents.ReferentError, match="organisation signataire"):
        referents.designate(
            fresh,
            world["person"],
            referent_agent=world["ccas_referent"],
            consent_on=TODAY(),
            consent_mode="oral",
        )
    assert AgentFactory(role=Role.ADMINISTRATEUR, organisation=None).may_designate_parcours_referent
    assert not AgentFactory(role=Role.EMPLOYEUR).may_designate_parcours_referent


@pytest.mark.django_db
def test_ending_a_referent_ends_their_follow(world):
    referent = _designate(world, world["ccas_referent"])
    referents.end(world["designator"], referent, reason=referents.EndReason.CONSENT_WITHDRAWN)
    referent.refresh_from_db()
    assert referent.ended_on == TODAY() and referent.end_reason == "la personne retire son accord"
    assert not _sees(world["ccas_referent"], world["person"])
    assert FrontDoorEvent.objects.get(kind=event_kinds.REFERENT_ENDED).data == {"reason": "retrait_accord"}
    with pytest.raises(referents.ReferentError, match="déjà pris fin"):
        referents.end(world["designator"], referent, reason=referents.EndReason.OTHER)


# -- screens -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_designate_from_the_screen_with_a_confirmation(client, world):
    login_verified(client, world["designator"])
    url = reverse("reception:referent_designate", args=[world["person"].pk])
    page = client.get(url).content.decode()
    assert '<optgroup label="CCAS de Communeville">' in page and "DUCENTRE" in page
    assert "HORSCHARTE" not in page  # not a signatory
    data = {
        "referent_agent": world["ccas_referent"].pk,
        "consent_on": TODAY().isoformat(),
        "consent_mode": ConsentMode.ORAL,
    }
    confirmation = client.post(url, data)
    assert "Confirmer la désignation" in confirmation.content.decode()
    assert not ParcoursReferent.objects.exists()
    response = client.post(url, {**data, "confirmed": "on"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "people:detail", args=[world["person"].pk]
    )
    assert ParcoursReferent.objects.active().get().agent == world["ccas_referent"]


@pytest.mark.django_db
def test_the_screen_refuses_a_consent_in_the_future(client, world):
    login_verified(client, world["designator"])
    url = reverse("reception:referent_designate", args=[world["person"].pk])
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    data = {
        "referent_agent": world["ccas_referent"].pk,
        "consent_on": tomorrow,
        "consent_mode": "oral",
        "confirmed": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "La date de l&#x27;accord ne peut pas être dans le futur." in response.content.decode()
    assert not ParcoursReferent.objects.exists()


@pytest.mark.django_db
def test_end_from_the_screen_with_a_confirmation(client, world):
    referent = _designate(world, world["ccas_referent"])
    login_verified(client, world["designator"])
    url = reverse("reception:referent_end", args=[referent.pk])
    assert "Confirmez la fin" in client.post(url, {"reason": "demenagement"}).content.decode()
    assert ParcoursReferent.objects.active().exists()
    client.post(url, {"reason": "demenagement", "confirmed": "on"})
    referent.refresh_from_db()
    assert referent.ended_on == TODAY()
    history = client.get(reverse("reception:referent_history", args=[world["person"].pk])).content.decode()
    assert "la personne a déménagé" in history


@pytest.mark.django_db
def test_the_screens_of_a_person_out_of_scope_answer_404(client, world, two_units):
    hidden = PersonFactory(commune=two_units["commune_b"])
    other = AgentFactory(
        role=Role.REFERENT, units=[two_units["unit_b"]], organisation=world["designator"].organisation
    )
    referent = referents.designate(
        other, hidden, referent_agent=world["ccas_referent"], consent_on=TODAY(), consent_mode="oral"
    )
    login_verified(client, world["designator"])
    for url in (
        reverse("reception:referent_designate", args=[hidden.pk]),
        reverse("reception:referent_history", args=[hidden.pk]),
        reverse("reception:referent_end", args=[referent.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "autre", "confirmed": "on"}).status_code == 404
    referent.refresh_from_db()
    assert referent.ended_on is None


# -- the charter -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_administrator_signs_and_ends_a_charter_signature(client, world, django_assert_max_num_queries):
    admin = AgentFactory(role=Role.ADMINISTRATEUR)
    association = world["outsider"].organisation
    login_verified(client, admin)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("reception:charter")).content.decode()
    assert "Association non signataire" in page and "Non signataire" in page
    assert "Charte d&#x27;accueil" in page or "Charte d'accueil" in page  # the menu entry
    sign = reverse("reception:charter_sign", args=[association.pk])
    on = TODAY().isoformat()
    assert "Confirmer la signature" in client.post(sign, {"signed_on": on}).content.decode()
    client.post(sign, {"signed_on": on, "confirmed": "on"})
    signature = CharterSignature.objects.in_force().get(organisation=association)
    assert world["outsider"] in referents.eligible_referents()
    again = client.post(sign, {"signed_on": on, "confirmed": "on"}).content.decode()
    assert "a déjà signé la charte" in again
    end = reverse("reception:charter_end", args=[signature.pk])
    assert (
        "fin doit suivre la signature"
        in client.post(end, {"ended_on": on, "confirmed": "on"}).content.decode()
    )
    later = (TODAY() + datetime.timedelta(days=1)).isoformat()
    client.post(end, {"ended_on": later, "confirmed": "on"})
    signature.refresh_from_db()
    assert signature.ended_on == TODAY() + datetime.timedelta(days=1)
    assert AuditEvent.objects.filter(agent=admin, action=AuditAction.ORGANISATION_SAVED).count() == 2


@pytest.mark.django_db
def test_the_charter_screens_are_for_administrators(client, world):
    login_verified(client, world["designator"])
    assert client.get(reverse("reception:charter")).status_code == 403
    assert "/premier-accueil/administration/charte/" not in client.get("/").content.decode()


# -- two designations at once (PostgreSQL, two real connections) --------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_current", [False, True])
def test_two_designations_at_once_one_wins_the_other_is_told(with_current, departement, two_units):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrency test for PostgreSQL")
    organisation = OrganisationFactory(departement=departement)
    CharterSignatureFactory(organisation=organisation)
    person = PersonFactory(commune=two_units["commune_a"])
    designators = [AgentFactory(organisation=organisation) for _ in range(2)]
    candidates = [AgentFactory(organisation=organisation) for _ in range(2)]
    if with_current:
        referents.designate(
            designators[0], person, referent_agent=AgentFactory(organisation=organisation),
            consent_on=TODAY(), consent_mode="oral",
        )  # fmt: skip
    barrier = threading.Barrier(2)
    outcomes = {}

    def attempt(index):
        try:
            barrier.wait()
            referents.designate(
                designators[index],
                person,
                referent_agent=candidates[index],
                consent_on=TODAY(),
                consent_mode="oral",
            )
            outcomes[index] = "won"
        except referents.ReferentError as error:
            outcomes[index] = error.message
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()).count("won") == 1, outcomes
    assert any("rechargez la page" in message for message in outcomes.values())
    winner = candidates[next(index for index, outcome in outcomes.items() if outcome == "won")]
    assert [r.agent for r in ParcoursReferent.objects.active().filter(person=person)] == [winner]
    following = Follow.objects.active().filter(person=person, kind=ParcoursReferent.FOLLOW_KIND)
    assert [follow.agent for follow in following] == [winner]
