"""Issue #13, phase 2: the screens of coaching and of outcomes (caseload, start, contacts, end,
training, job, exit), each calling the workflows and showing their French messages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.accompaniment.cadence import monday_of
from parcours.accompaniment.models import Accompaniment, Contact, Exit, Outcome, Programme
from parcours.core.models import AuditAction, AuditEvent
from parcours.people import event_kinds as ev
from parcours.people.models import PersonEvent
from tests.accompaniment.factories import AccompanimentFactory, ContactFactory, oriented_person
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_WEEK = monday_of(TODAY) - datetime.timedelta(days=7)


@pytest.fixture
def coach(two_units):
    return AgentFactory(role="coach_emploi", units=[two_units["unit_a"]])


@pytest.fixture
def person(two_units):
    return oriented_person(TODAY - datetime.timedelta(days=60), commune=two_units["commune_a"])


def opened(person, coach, *, started_on=None, **kwargs) -> Accompaniment:
    return AccompanimentFactory(
        person=person, referent=coach, started_on=started_on or TODAY - datetime.timedelta(days=40), **kwargs
    )


# The caseload


def test_the_caseload_lists_first_who_had_no_contact_this_week(client, coach, two_units):
    commune = two_units["commune_a"]
    seen = opened(PersonFactory(last_name="Contacte", commune=commune), coach)
    ContactFactory(accompaniment=seen, on=TODAY)
    silent = opened(PersonFactory(last_name="Silencieux", commune=commune), coach)
    ContactFactory(accompaniment=silent, on=LAST_WEEK)
    login_verified(client, coach)
    html = client.get(reverse("accompaniment:caseload")).content.decode()
    assert html.index("SILENCIEUX") < html.index("CONTACTE")
    assert "Pas encore de contact cette semaine" in html


def test_the_caseload_orders_the_longest_silence_then_the_nearest_planned_end(client, coach, two_units):
    commune = two_units["commune_a"]
    recent = opened(PersonFactory(last_name="Recent", commune=commune), coach)
    ContactFactory(accompaniment=recent, on=LAST_WEEK)
    old = opened(PersonFactory(last_name="Ancien", commune=commune), coach)
    ContactFactory(accompaniment=old, on=LAST_WEEK - datetime.timedelta(days=14))
    # Same silence (no contact, same start): the nearest planned end first.
    start = TODAY - datetime.timedelta(days=100)
    opened(
        PersonFactory(last_name="Finlointaine", commune=commune),
        coach,
        started_on=start,
        planned_end_on=TODAY + datetime.timedelta(days=30),
    )
    opened(
        PersonFactory(last_name="Finproche", commune=commune),
        coach,
        started_on=start,
        planned_end_on=TODAY + datetime.timedelta(days=3),
    )
    login_verified(client, coach)
    html = client.get(reverse("accompaniment:caseload")).content.decode()
    order = sorted(["RECENT", "ANCIEN", "FINLOINTAINE", "FINPROCHE"], key=html.index)
    assert order == ["FINPROCHE", "FINLOINTAINE", "ANCIEN", "RECENT"]


def test_the_caseload_shows_only_the_coachs_own_and_filters(client, coach, two_units):
    commune = two_units["commune_a"]
    mine = opened(PersonFactory(last_name="Mienne", commune=commune), coach)
    ContactFactory(accompaniment=mine, on=TODAY)
    opened(PersonFactory(last_name="Collegue", commune=commune), AgentFactory(role="coach_emploi"))
    opened(PersonFactory(last_name="Sociale", commune=commune), coach, programme=Programme.SOCIAL)
    login_verified(client, coach)
    url = reverse("accompaniment:caseload")
    html = client.get(url).content.decode()
    assert "MIENNE" in html and "SOCIALE" in html and "COLLEGUE" not in html
    html = client.get(url, {"programme": "coaching"}).content.decode()
    assert "MIENNE" in html and "SOCIALE" not in html
    html = client.get(url, {"sans_contact": "1"}).content.decode()
    assert "MIENNE" not in html and "SOCIALE" in html


def test_a_manager_sees_the_accompaniments_of_their_units(client, coach, two_units):
    manager = AgentFactory(role="manager", units=[two_units["unit_a"]])
    opened(PersonFactory(last_name="Dedans", commune=two_units["commune_a"]), coach)
    opened(
        PersonFactory(last_name="Dehors", commune=two_units["commune_b"]), AgentFactory(role="coach_emploi")
    )
    login_verified(client, manager)
    html = client.get(reverse("accompaniment:caseload")).content.decode()
    assert "DEDANS" in html and "DEHORS" not in html


def test_the_caseload_flags_a_coaching_past_its_three_months(client, coach, person):
    opened(
        person,
        coach,
        started_on=TODAY - datetime.timedelta(days=100),
        planned_end_on=TODAY - datetime.timedelta(days=8),
    )
    login_verified(client, coach)
    assert "À clôturer" in client.get(reverse("accompaniment:caseload")).content.decode()


def test_the_caseload_counts_weeks_and_audits_the_persons_shown(client, coach, person):
    accompaniment = opened(person, coach, started_on=monday_of(TODAY) - datetime.timedelta(days=21))
    ContactFactory(accompaniment=accompaniment, on=monday_of(TODAY) - datetime.timedelta(days=20))
    login_verified(client, coach)
    response = client.get(reverse("accompaniment:caseload"))
    row = response.context["page_obj"][0]
    assert row.weeks.with_contact == 1
    assert row.weeks.missed in (1, 2)  # two weeks without contact, one may be a holiday week
    assert AuditEvent.objects.filter(agent=coach, person=person, action=AuditAction.VIEW).exists()


def test_the_caseload_exports_csv_with_the_weeks(client, coach, person):
    accompaniment = opened(person, coach)
    ContactFactory(accompaniment=accompaniment, on=TODAY)
    login_verified(client, coach)
    response = client.get(reverse("accompaniment:caseload"), {"export": "csv"})
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "Semaines avec contact" in text and person.last_name.upper() in text


def test_the_caseload_query_count_is_bounded(client, coach, two_units, django_assert_max_num_queries):
    for index in range(30):
        accompaniment = opened(PersonFactory(commune=two_units["commune_a"]), coach)
        ContactFactory(accompaniment=accompaniment, on=TODAY - datetime.timedelta(days=index))
    login_verified(client, coach)
    # 8 today: session, agent, OTP device, the agent's units, the count, the page, its contacts
    # (one prefetch, read by the weeks columns), the audit insert. An N+1 over the 30 rows would add 30.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("accompaniment:caseload"))
    assert len(response.context["page_obj"]) == 30


def test_other_roles_may_not_open_the_caseload(client, two_units):
    login_verified(client, AgentFactory(role="accueil", units=[two_units["unit_a"]]))
    assert client.get(reverse("accompaniment:caseload")).status_code == 403


# Starting


def start_data(coach, **overrides) -> dict:
    return {"programme": "coaching", "referents": [coach.pk], "on": TODAY.isoformat(), "site": ""} | overrides


def test_start_asks_a_confirmation_then_opens_the_coaching(client, coach, person):
    login_verified(client, coach)
    url = reverse("accompaniment:start", args=[person.pk])
    response = client.get(url)
    assert response.context["form"]["on"].value() == TODAY
    response = client.post(url, start_data(coach))
    assert "Confirmez l'entrée en accompagnement" in response.content.decode()
    assert not Accompaniment.objects.exists()
    response = client.post(url, start_data(coach, confirmed="on"))
    accompaniment = Accompaniment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "accompaniment:detail", args=[accompaniment.pk]
    )
    assert accompaniment.programme == Programme.COACHING and accompaniment.planned_end_on is not None
    assert PersonEvent.objects.filter(person=person, kind=ev.COACHING_START).count() == 1


def test_start_before_the_first_interview_shows_the_rules_reason(client, coach, two_units):
    newcomer = PersonFactory(commune=two_units["commune_a"])
    login_verified(client, coach)
    person_page = client.get(reverse("people:detail", args=[newcomer.pk])).content.decode()
    assert "Proposer le coaching" not in person_page
    assert "après le premier entretien" in person_page
    response = client.post(
        reverse("accompaniment:start", args=[newcomer.pk]), start_data(coach, confirmed="on")
    )
    assert "après le premier entretien" in response.content.decode()
    assert not Accompaniment.objects.exists()


def test_a_second_open_coaching_is_refused_in_french(client, coach, person):
    opened(person, coach)
    login_verified(client, coach)
    response = client.post(
        reverse("accompaniment:start", args=[person.pk]), start_data(coach, confirmed="on")
    )
    assert "déjà un accompagnement" in response.content.decode()
    assert Accompaniment.objects.count() == 1


def test_a_future_start_is_refused_next_to_its_field(client, coach, person):
    login_verified(client, coach)
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = client.post(reverse("accompaniment:start", args=[person.pk]), start_data(coach, on=tomorrow))
    assert response.context["form"].errors["on"] == ["La date de début ne peut pas être dans le futur."]


def test_the_person_page_offers_coaching_and_shows_the_accompaniments(client, coach, person):
    login_verified(client, coach)
    html = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Proposer le coaching" in html
    accompaniment = opened(person, coach)
    html = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Proposer le coaching" not in html
    assert reverse("accompaniment:detail", args=[accompaniment.pk]) in html
    assert str(coach) in html


# The accompaniment page: cadence and contacts


def test_the_page_shows_the_cadence_weeks(client, coach, person):
    accompaniment = opened(person, coach, started_on=monday_of(TODAY) - datetime.timedelta(days=14))
    ContactFactory(accompaniment=accompaniment, on=monday_of(TODAY) - datetime.timedelta(days=14))
    login_verified(client, coach)
    response = client.get(reverse("accompaniment:detail", args=[accompaniment.pk]))
    html = response.content.decode()
    assert len(response.context["weeks"]) == 3
    assert "Avec contact" in html and "Semaine en cours" in html


def test_log_a_contact_without_javascript_redirects(client, coach, person):
    accompaniment = opened(person, coach)
    login_verified(client, coach)
    url = reverse("accompaniment:log_contact", args=[accompaniment.pk])
    response = client.post(
        url, {"on": TODAY.isoformat(), "mode": "telephone", "note": "Point sur les candidatures"}
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.on, contact.mode, contact.by) == (TODAY, "telephone", coach)
    assert PersonEvent.objects.filter(person=person, kind=ev.COACHING_CONTACT).count() == 1


def test_log_a_contact_with_htmx_answers_the_tracking_block(client, coach, person):
    accompaniment = opened(person, coach)
    login_verified(client, coach)
    url = reverse("accompaniment:log_contact", args=[accompaniment.pk])
    response = client.post(url, {"on": TODAY.isoformat(), "mode": "entretien"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="tracking">')
    assert "Contact enregistré." in html and "<html" not in html


def test_contact_errors_are_in_french_next_to_their_field(client, coach, person):
    accompaniment = opened(person, coach)
    login_verified(client, coach)
    url = reverse("accompaniment:log_contact", args=[accompaniment.pk])
    before = (accompaniment.started_on - datetime.timedelta(days=1)).isoformat()
    response = client.post(url, {"on": before, "mode": "entretien", "note": "x" * 501})
    errors = response.context["form"].errors
    assert "précède le début" in errors["on"][0]
    assert errors["note"] == ["Le commentaire fait 501 caractères : 500 au plus, raccourcissez-le."]
    assert not Contact.objects.exists()


def test_a_proposal_to_an_offer_shows_as_a_contact_linking_the_application(client, coach, person):
    from tests.jobs.factories import ApplicationFactory

    accompaniment = opened(person, coach)
    application = ApplicationFactory(person=person)
    ContactFactory(accompaniment=accompaniment, on=TODAY, mode="mise_en_relation", application=application)
    login_verified(client, coach)
    html = client.get(reverse("accompaniment:detail", args=[accompaniment.pk])).content.decode()
    assert reverse("jobs:application", args=[application.pk]) in html


# Ending


def test_end_asks_a_confirmation_then_ends_with_an_exit_when_the_reason_ends_the_pathway(
    client, coach, person
):
    accompaniment = opened(person, coach)
    login_verified(client, coach)
    url = reverse("accompaniment:end", args=[accompaniment.pk])
    data = {"on": TODAY.isoformat(), "reason": "emploi", "note": ""}
    response = client.post(url, data)
    assert "Confirmez la fin" in response.content.decode()
    accompaniment.refresh_from_db()
    assert accompaniment.is_open
    client.post(url, data | {"confirmed": "on"})
    accompaniment.refresh_from_db()
    assert accompaniment.ended_on == TODAY and accompaniment.end_reason == "emploi"
    assert Exit.objects.get(person=person).reason == "emploi"


def test_end_without_a_reason_says_so(client, coach, person):
    accompaniment = opened(person, coach)
    login_verified(client, coach)
    response = client.post(reverse("accompaniment:end", args=[accompaniment.pk]), {"on": TODAY.isoformat()})
    assert response.context["form"].errors["reason"] == ["Choisissez le motif de fin."]


# Outcomes


def test_record_a_training_from_the_accompaniment_page(client, coach, person):
    accompaniment = opened(person, coach)
    login_verified(client, coach)
    url = reverse("accompaniment:record_training", args=[person.pk]) + f"?accompagnement={accompaniment.pk}"
    data = {
        "organism": "AFPA Lille",
        "title": "Titre professionnel agent de propreté",
        "started_on": TODAY.isoformat(),
        "ended_on": "",
        "qualifying": "oui",
        "accompagnement": accompaniment.pk,
    }
    response = client.post(url, data)
    assert response["Location"] == reverse("accompaniment:detail", args=[accompaniment.pk])
    outcome = Outcome.objects.get()
    assert outcome.qualifying is True and outcome.accompaniment == accompaniment
    assert PersonEvent.objects.get(person=person, kind=ev.TRAINING_START).data == {
        "training_kind": "qualifiante"
    }


def test_training_errors_are_in_french_next_to_their_field(client, coach, person):
    login_verified(client, coach)
    response = client.post(
        reverse("accompaniment:record_training", args=[person.pk]),
        {"organism": "", "started_on": "2026-05-10", "ended_on": "2026-05-01", "qualifying": ""},
    )
    errors = response.context["form"].errors
    assert errors["organism"] == ["Indiquez l'organisme de formation."]
    assert errors["qualifying"] == ["Indiquez si la formation est qualifiante."]
    assert not Outcome.objects.exists()


def test_record_a_job_found_outside_the_platform(client, coach, person):
    login_verified(client, coach)
    data = {
        "contract_type": "cdd",
        "hours_per_week": "24",
        "sector": "K1304",
        "employer_name": "Boulangerie Martin",
        "started_on": TODAY.isoformat(),
    }
    response = client.post(reverse("accompaniment:record_job", args=[person.pk]), data)
    assert response["Location"].startswith(reverse("people:detail", args=[person.pk]))
    outcome = Outcome.objects.get()
    assert (outcome.contract_type, outcome.employer_name) == ("cdd", "Boulangerie Martin")
    assert PersonEvent.objects.filter(person=person, kind=ev.JOB_START).count() == 1


def test_job_hours_out_of_range_are_refused_next_to_their_field(client, coach, person):
    login_verified(client, coach)
    response = client.post(
        reverse("accompaniment:record_job", args=[person.pk]),
        {"contract_type": "", "hours_per_week": "0", "started_on": TODAY.isoformat()},
    )
    errors = response.context["form"].errors
    assert errors["contract_type"] == ["Choisissez le type de contrat."]
    assert errors["hours_per_week"] == ["Indiquez au moins 1 heure par semaine."]


def test_record_an_exit(client, coach, person):
    login_verified(client, coach)
    client.post(
        reverse("accompaniment:record_exit", args=[person.pk]),
        {"on": TODAY.isoformat(), "reason": "demenagement"},
    )
    exit_ = Exit.objects.get()
    assert (exit_.reason, exit_.source, exit_.recorded_by) == ("demenagement", "agent", coach)
    html = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Sortie du parcours le" in html


def test_an_accompaniment_of_a_person_out_of_scope_answers_404(client, coach, two_units):
    hidden = opened(PersonFactory(commune=two_units["commune_b"]), AgentFactory(role="coach_emploi"))
    login_verified(client, coach)
    assert client.get(reverse("accompaniment:detail", args=[hidden.pk])).status_code == 404
    url = reverse("accompaniment:log_contact", args=[hidden.pk])
    assert client.post(url, {"on": TODAY.isoformat(), "mode": "entretien"}).status_code == 404
    assert not Contact.objects.exists()


def test_the_accompaniment_page_query_count_is_bounded(client, coach, person, django_assert_max_num_queries):
    from tests.jobs.factories import ApplicationFactory

    accompaniment = opened(person, coach)
    for index in range(10):
        ContactFactory(accompaniment=accompaniment, on=TODAY - datetime.timedelta(days=index * 3))
    for _ in range(3):
        application = ApplicationFactory(person=person)
        ContactFactory(
            accompaniment=accompaniment, on=TODAY, mode="mise_en_relation", application=application
        )
    login_verified(client, coach)
    # 11 today: session, agent, OTP device, the accompaniment, the person (units, person, audit),
    # the cadence's contact dates, the référents, the outcomes, the contacts with their offers.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accompaniment:detail", args=[accompaniment.pk]))
    assert len(response.context["contacts"]) == 13
