"""The contact-centre screen: lookup by phone or identity, a contact with several needs, the
unidentified contact identified later, the person created from the screen."""

import pytest
from django.utils.html import escape

from parcours.core.models import AuditAction, AuditEvent
from parcours.people.models import Person
from parcours.reception.forms_contacts import parse_duration
from parcours.reception.models import Contact, FrontDoorEvent, ItemTransition, TrayItem, TrayService
from parcours.reception.views_contacts import STATION_SESSION_KEY
from parcours.reception.workflows import NeedInput, record_contact
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.people.factories import PersonFactory
from tests.reception.factories import StationFactory, TrayFactory, TrayItemFactory, need
from tests.territory.factories import SiteFactory

SCREEN = "/premier-accueil/"
LOOKUP = "/premier-accueil/recherche/"
NUMBER = "06 12 34 56 78"


@pytest.fixture
def trays(departement, two_units):
    return {
        "front_desk": TrayFactory(
            departement=departement, service=TrayService.FRONT_DESK, unit=None, name="Accueil du Département"
        ),
        "crip": TrayFactory(departement=departement, crip=True, name="CRIP du Nord"),
    }


@pytest.fixture
def operator(client, two_units, trays):
    agent = AgentFactory(role="accueil", units=[two_units["unit_a"]])
    login_verified(client, agent)
    return agent


def needs_data(*rows, prefix="besoins"):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def test_parse_duration():
    assert parse_duration("4:30") == 270
    assert parse_duration("4") == 240
    assert parse_duration("") is None


def test_the_screen_asks_the_number_first(client, operator, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = client.get(SCREEN)
    page = response.content.decode()
    assert response.status_code == 200
    assert "autofocus" in page and 'name="phone"' in page
    assert "Alt</kbd>+<kbd>N" in page and "Alt</kbd>+<kbd>B" in page
    assert 'id="need-template"' in page and "__prefix__" in page
    assert "<script>" not in page and "onclick" not in page


def test_the_lookup_is_posted_never_in_the_url(client, operator):
    assert client.get(LOOKUP, {"phone": NUMBER}).status_code == 405


def test_a_number_finds_the_persons_the_agent_may_see_with_their_open_items(
    client, operator, two_units, django_assert_max_num_queries
):
    person = PersonFactory(last_name="Dupond", phone="0612345678", commune=two_units["commune_a"])
    hidden = PersonFactory(last_name="Lointain", phone="+33 6 12 34 56 78", commune=two_units["commune_b"])
    item = TrayItemFactory(contact__person=person)
    with django_assert_max_num_queries(14):
        response = client.post(LOOKUP, {"phone": "06.12.34.56.78"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "DUPOND" in page and escape(item.need.label) in page and item.tray.name in page
    assert "LOINTAIN" not in page
    assert f'data-choose-person="{person.pk}"' in page
    assert AuditEvent.objects.filter(agent=operator, action=AuditAction.VIEW, person=person).exists()
    assert not AuditEvent.objects.filter(person=hidden).exists()
    assert AuditEvent.objects.filter(agent=operator, action=AuditAction.SEARCH).exists()


def test_two_persons_with_the_same_number_the_operator_chooses(client, operator, two_units):
    first = PersonFactory(
        last_name="Martin", first_names="Anne", phone="0612345678", commune=two_units["commune_a"]
    )
    second = PersonFactory(
        last_name="Martin", first_names="Paul", phone="06 12 34 56 78", commune=two_units["commune_a"]
    )
    page = client.post(LOOKUP, {"phone": NUMBER}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="several-matches"' in page
    assert f'data-choose-person="{first.pk}"' in page and f'data-choose-person="{second.pk}"' in page
    # Nothing is chosen for the operator: the screen's person field stays empty.
    screen = client.post(LOOKUP, {"phone": NUMBER}).content.decode()
    assert 'name="person"' in screen and f'name="person" value="{first.pk}"' not in screen


def test_a_name_search_reuses_the_persons_search(client, operator, two_units):
    PersonFactory(last_name="Vasseur", first_names="Léa", commune=two_units["commune_a"])
    page = client.post(LOOKUP, {"q": "lea vasseur"}, HTTP_HX_REQUEST="true").content.decode()
    assert "VASSEUR" in page


def test_an_incomplete_number_is_refused(client, operator):
    page = client.post(LOOKUP, {"phone": "0612"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Numéro incomplet" in page


def test_a_contact_with_two_needs_is_recorded_and_routed(client, operator, two_units, trays):
    station = StationFactory(
        site=SiteFactory(departement=two_units["unit_a"].departement, commune=two_units["commune_a"])
    )
    session = client.session
    session[STATION_SESSION_KEY] = station.pk
    session.save()
    person = PersonFactory(phone="0612345678", commune=two_units["commune_a"])
    housing, childhood = need("logement"), need("enfance")
    data = {
        "channel": "telephone",
        "person": str(person.pk),
        "summary": "Loyer impayé, inquiétude pour un enfant",
        "duration": "3:05",
        **needs_data(
            {"need": str(housing.pk), "urgency": "48h", "note": "Expulsion annoncée"},
            {"need": str(childhood.pk), "urgency": "immediate", "is_child_concern": "on"},
        ),
    }
    response = client.post(SCREEN, data)
    contact = Contact.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/premier-accueil/sollicitations/{contact.pk}/"
    )
    assert (contact.person, contact.station, contact.site, contact.duration_seconds, contact.taken_by) == (
        person,
        station,
        station.site,
        185,
        operator,
    )
    items = {item.need_id: item for item in TrayItem.objects.filter(contact=contact)}
    assert items[housing.pk].tray == trays["front_desk"] and items[housing.pk].urgency == "48h"
    assert items[childhood.pk].tray == trays["crip"] and items[childhood.pk].is_child_concern
    page = client.get(response["Location"]).content.decode()
    assert trays["crip"].name in page and trays["front_desk"].name in page
    assert "Information préoccupante : transmise à la CRIP" in page
    assert "durée 3 min 05 s" in page
    assert f"/premier-accueil/demandes/{items[housing.pk].pk}/" in page


def test_needs_are_required(client, operator):
    response = client.post(SCREEN, {"channel": "telephone", **needs_data({"urgency": "ordinaire"})})
    assert response.status_code == 422
    assert "Indiquez au moins un besoin exprimé." in response.content.decode()
    assert not Contact.objects.exists()


def test_a_person_out_of_scope_cannot_be_chosen(client, operator, two_units):
    hidden = PersonFactory(commune=two_units["commune_b"])
    data = {
        "channel": "telephone",
        "person": str(hidden.pk),
        **needs_data({"need": str(need().pk), "urgency": "ordinaire"}),
    }
    response = client.post(SCREEN, data)
    assert response.status_code == 422
    assert "Personne introuvable" in response.content.decode()
    assert not Contact.objects.exists()
    assert client.get(SCREEN, {"personne": hidden.pk}).status_code == 404


def test_the_screen_opens_with_a_person_chosen(client, operator, two_units):
    person = PersonFactory(last_name="Choisie", commune=two_units["commune_a"])
    page = client.get(SCREEN, {"personne": person.pk}).content.decode()
    assert "CHOISIE" in page and f'value="{person.pk}"' in page


def test_an_unidentified_contact_is_found_by_its_number_and_identified_later(client, operator, two_units):
    data = {
        "channel": "telephone",
        "provisional_first_name": "Sami",
        "provisional_commune": two_units["commune_a"].insee_code,
        "provisional_phone": NUMBER,
        **needs_data({"need": str(need().pk), "urgency": "ordinaire"}),
    }
    assert client.post(SCREEN, data).status_code == 302
    contact = Contact.objects.get()
    assert contact.person is None and contact.provisional_commune == two_units["commune_a"]
    # The same number later: the earlier contact shows.
    page = client.post(LOOKUP, {"phone": "0612345678"}, HTTP_HX_REQUEST="true").content.decode()
    assert f"/premier-accueil/sollicitations/{contact.pk}/identifier/" in page
    person = PersonFactory(first_names="Sami", phone="0612345678", commune=two_units["commune_a"])
    identify_url = f"/premier-accueil/sollicitations/{contact.pk}/identifier/"
    page = client.get(identify_url).content.decode()  # the provisional phone is looked up at once
    assert "C&#x27;est cette personne" in page or "C'est cette personne" in page
    assert client.post(identify_url, {"person": person.pk}).status_code == 302
    contact.refresh_from_db()
    assert contact.person == person and contact.provisional_first_name == "Sami"
    item = TrayItem.objects.get(contact=contact)
    assert item.person == person
    assert list(ItemTransition.objects.filter(item=item).values_list("name", flat=True)) == [
        "route",
        "identify",
    ]
    assert FrontDoorEvent.objects.filter(kind="accueil.identification", person=person).exists()


def test_a_person_is_created_from_an_unidentified_contact(client, operator, two_units):
    contact = record_contact(
        operator,
        channel="telephone",
        needs=[NeedInput(need=need())],
        provisional={
            "first_name": "Inès",
            "last_name": "Nouvelle",
            "commune": two_units["commune_a"],
            "phone": NUMBER,
        },
    )
    url = f"/premier-accueil/personnes/nouvelle/?sollicitation={contact.pk}"
    page = client.get(url).content.decode()
    assert 'value="Nouvelle"' in page and 'value="Inès"' in page  # pre-filled
    response = client.post(
        url,
        {
            "last_name": "Nouvelle",
            "first_names": "Inès",
            "birth_date": "1990-04-02",
            "commune_code": two_units["commune_a"].insee_code,
            "phone": NUMBER,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person = Person.objects.get(last_name="Nouvelle")
    contact.refresh_from_db()
    assert contact.person == person
    assert response["Location"] == f"/premier-accueil/sollicitations/{contact.pk}/"


def test_a_person_created_from_the_screen_with_the_people_validation(client, operator, two_units):
    response = client.post("/premier-accueil/personnes/nouvelle/", {"last_name": "Sansdate"})
    assert response.status_code == 200 and not Person.objects.filter(last_name="Sansdate").exists()
    response = client.post(
        "/premier-accueil/personnes/nouvelle/",
        {
            "last_name": "Créée",
            "first_names": "Zoé",
            "birth_date": "1985-01-01",
            "commune_code": two_units["commune_a"].insee_code,
        },
    )
    person = Person.objects.get(last_name="Créée")
    assert response["Location"] == f"/premier-accueil/?personne={person.pk}"


def test_a_contact_of_a_person_out_of_scope_is_not_found(client, operator, two_units):
    hidden = PersonFactory(commune=two_units["commune_b"])
    other = AgentFactory(role="accueil", units=[two_units["unit_b"]])
    contact = record_contact(other, channel="telephone", needs=[NeedInput(need=need())], person=hidden)
    assert client.get(f"/premier-accueil/sollicitations/{contact.pk}/").status_code == 404
    assert AuditEvent.objects.filter(agent=operator, action=AuditAction.DENIED).exists()


def test_the_station_is_chosen_once_and_kept(client, operator, departement, two_units):
    station = StationFactory(
        site=SiteFactory(departement=departement, commune=two_units["commune_a"]), label="Poste 7"
    )
    StationFactory(site=station.site, active=False, label="Poste fermé")
    page = client.get("/premier-accueil/poste/").content.decode()
    assert "Poste 7" in page and "Poste fermé" not in page
    client.post("/premier-accueil/poste/", {"station": station.pk})
    assert client.session[STATION_SESSION_KEY] == station.pk
    page = client.get(SCREEN).content.decode()
    assert "Poste 7" in page and 'hx-trigger="every 2s"' in page
    assert 'value="telephone" selected' in page


def test_agents_without_the_role_are_refused(client, two_units):
    login_verified(client, AgentFactory(role="coach_emploi", units=[two_units["unit_a"]]))
    assert client.get(SCREEN).status_code == 403


def test_a_partner_agent_takes_contacts_only_as_a_tray_member(client, departement, trays, two_units):
    from tests.accounts.factories import OrganisationFactory
    from tests.reception.factories import member

    ccas = OrganisationFactory(kind="ccas", departement=departement)
    partner = AgentFactory(role="accueil", organisation=ccas)
    login_verified(client, partner)
    assert client.get(SCREEN).status_code == 403
    tray = TrayFactory(departement=departement, service=TrayService.PARTNER, organisation=ccas, unit=None)
    member(tray, partner)
    partner = type(partner).objects.get(pk=partner.pk)  # predicates are cached per instance
    assert partner.may_take_contacts
    assert client.get(SCREEN).status_code == 200


def test_a_partner_sees_only_the_unidentified_contacts_of_their_trays(departement, trays, two_units):
    from parcours.reception.contact_centre import unidentified_contacts
    from tests.accounts.factories import OrganisationFactory
    from tests.reception.factories import member

    ccas = OrganisationFactory(kind="ccas", departement=departement)
    tray = TrayFactory(departement=departement, service=TrayService.PARTNER, organisation=ccas, unit=None)
    partner = member(tray, role="accueil", organisation=ccas)
    operator = AgentFactory(role="accueil", units=[two_units["unit_a"]])
    elsewhere = record_contact(
        operator, channel="telephone", needs=[NeedInput(need=need())], provisional={"phone": NUMBER}
    )
    ours = TrayItemFactory(tray=tray, contact__provisional_phone=NUMBER).contact
    assert set(unidentified_contacts(partner).with_phone(NUMBER)) == {ours}
    assert set(unidentified_contacts(operator).with_phone(NUMBER)) == {ours, elsewhere}


def test_recording_a_contact_reads_and_writes_in_few_queries(
    client, operator, two_units, trays, django_assert_num_queries
):
    """The operator's Enter: the need choices are not built for a valid form, each need is read
    with its theme, the routing reads rules and trays once, items, transitions and events are
    written in bulk (38 queries before)."""
    person = PersonFactory(commune=two_units["commune_a"])
    data = {
        "channel": "telephone",
        "person": str(person.pk),
        **needs_data(
            {"need": str(need("logement").pk), "urgency": "ordinaire"},
            {"need": str(need("budget").pk), "urgency": "48h"},
        ),
    }
    with django_assert_num_queries(CONTACT_CREATION_QUERIES):
        response = client.post(SCREEN, data)
    assert response.status_code == 302
    assert TrayItem.objects.filter(contact__person=person).count() == 2


# Session, agent, second factor, the agent's predicates, the agent's units and the person (the
# access rule), the two needs; SAVEPOINT, contact, rules, trays, service levels, items,
# transitions, events, audit, RELEASE.
CONTACT_CREATION_QUERIES = 18
