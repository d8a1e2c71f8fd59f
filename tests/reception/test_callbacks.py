"""Callbacks: scheduled from the contact form, queued (due first, overdue flagged), taken, tried,
done or cancelled; only the callbacks of contacts the agent may see."""

import datetime

import pytest
from django.utils import timezone

from parcours.reception.models import Callback, FrontDoorEvent, TrayService
from parcours.reception.models.contacts import CallbackState
from parcours.reception.workflows import NeedInput, record_contact
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.people.factories import PersonFactory
from tests.reception.factories import CallbackFactory, ContactFactory, TrayFactory, need

QUEUE = "/premier-accueil/rappels/"


@pytest.fixture
def operator(client, departement, two_units):
    TrayFactory(departement=departement, service=TrayService.FRONT_DESK, unit=None)
    agent = AgentFactory(role="accueil", units=[two_units["unit_a"]])
    login_verified(client, agent)
    return agent


def test_a_callback_is_scheduled_from_the_contact_form(client, operator, two_units):
    person = PersonFactory(phone="0612345678", commune=two_units["commune_a"])
    when = (timezone.localtime() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    response = client.post(
        "/premier-accueil/",
        {
            "channel": "telephone",
            "person": person.pk,
            "callback_at": when.strftime("%Y-%m-%dT%H:%M"),
            "besoins-TOTAL_FORMS": "1",
            "besoins-INITIAL_FORMS": "0",
            "besoins-0-need": need().pk,
            "besoins-0-urgency": "ordinaire",
        },
    )
    assert response.status_code == 302
    callback = Callback.objects.get()
    assert callback.due_at == when and callback.phone == "0612345678" and callback.created_by == operator


def test_a_callback_without_a_number_is_refused(client, operator):
    when = timezone.localtime() + datetime.timedelta(days=1)
    response = client.post(
        "/premier-accueil/",
        {
            "channel": "telephone",
            "callback_at": when.strftime("%Y-%m-%dT%H:%M"),
            "besoins-TOTAL_FORMS": "1",
            "besoins-INITIAL_FORMS": "0",
            "besoins-0-need": need().pk,
            "besoins-0-urgency": "ordinaire",
        },
    )
    assert response.status_code == 422 and "Indiquez le numéro à rappeler." in response.content.decode()
    assert not Callback.objects.exists()


def _callback(agent, person=None, *, hours=2, **provisional):
    contact = record_contact(
        agent,
        channel="telephone",
        needs=[NeedInput(need=need())],
        person=person,
        provisional=provisional or None,
        callback_at=timezone.now() + datetime.timedelta(hours=hours),
        callback_phone="0699999999",
    )
    return contact.callbacks.get()


def test_the_queue_shows_the_oldest_due_first_overdue_flagged(
    client, operator, two_units, django_assert_max_num_queries
):
    later = _callback(operator, PersonFactory(last_name="Plustard", commune=two_units["commune_a"]), hours=5)
    overdue = _callback(operator, first_name="Enretard")
    Callback.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    hidden_person = PersonFactory(last_name="Cachee", commune=two_units["commune_b"])
    _callback(AgentFactory(role="accueil", units=[two_units["unit_b"]]), hidden_person)
    for _ in range(5):
        _callback(operator, PersonFactory(commune=two_units["commune_a"]), hours=8)
    with django_assert_max_num_queries(14):
        response = client.get(QUEUE)
    page = response.content.decode()
    assert page.index("Enretard") < page.index(later.contact.person.full_name)
    assert page.count("En retard</p>") == 1
    assert "Cachee" not in page and "CACHEE" not in page
    assert "7 rappels en attente" in page


def test_take_fail_done_and_cancel(client, operator, two_units):
    person = PersonFactory(commune=two_units["commune_a"])
    callback = _callback(operator, person)
    url = f"{QUEUE}{callback.pk}/"
    client.post(url, {"action": "prendre"})
    callback.refresh_from_db()
    assert callback.assigned_to == operator
    retry = (timezone.localtime() + datetime.timedelta(hours=3)).replace(second=0, microsecond=0)
    client.post(url, {"action": "sans_reponse", "retry_at": retry.strftime("%Y-%m-%dT%H:%M")})
    callback.refresh_from_db()
    assert (callback.attempts, callback.due_at, callback.state) == (1, retry, CallbackState.PENDING)
    client.post(url, {"action": "fait"})
    callback.refresh_from_db()
    assert (callback.state, callback.attempts, callback.done_by) == (CallbackState.DONE, 2, operator)
    assert FrontDoorEvent.objects.filter(kind="accueil.rappel", contact=callback.contact).exists()
    # Once done, nothing more: the operator is told.
    response = client.post(url, {"action": "annuler"}, follow=True)
    assert "déjà été traité" in response.content.decode()
    other = _callback(operator, person)
    client.post(f"{QUEUE}{other.pk}/", {"action": "annuler"})
    other.refresh_from_db()
    assert other.state == CallbackState.CANCELLED


def test_a_callback_of_a_contact_out_of_scope_is_not_found(client, operator, two_units):
    hidden = PersonFactory(commune=two_units["commune_b"])
    callback = CallbackFactory(contact=ContactFactory(person=hidden))
    assert client.post(f"{QUEUE}{callback.pk}/", {"action": "fait"}).status_code == 404
    callback.refresh_from_db()
    assert callback.state == CallbackState.PENDING


def test_cancelling_asks_for_confirmation(client, operator, two_units):
    _callback(operator, PersonFactory(commune=two_units["commune_a"]))
    page = client.get(QUEUE).content.decode()
    assert 'data-confirm="Annuler ce rappel' in page


def test_the_contact_page_reads_as_french_text(client, operator):
    # Walkthrough: « prise par Karima Benali . » and « (Julie ) » on the contact and item pages.
    contact = record_contact(
        operator,
        channel="formulaire",
        needs=[NeedInput(need=need("logement"))],
        provisional={"first_name": "Julie", "phone": "0612345678"},
    )
    page = client.get(f"/premier-accueil/sollicitations/{contact.pk}/").content.decode()
    assert f"prise par {operator}." in page
    assert "Julie </" not in page and "Julie )" not in page
    item = contact.items.get()
    login_verified(client, AgentFactory(role="administrateur"))
    response = client.get(f"/premier-accueil/demandes/{item.pk}/")
    assert response.status_code == 200
    assert "(Julie)" in response.content.decode()
