import re

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.core.models import AuditAction, AuditEvent
from parcours.people import saved_searches
from parcours.people.models import Follow, Household, HouseholdMember, Person, PersonEvent
from parcours.people.nir import nir_with_key
from tests.accounts.factories import AgentFactory
from tests.conftest import login_verified
from tests.people.factories import HouseholdFactory, MemberFactory, PersonFactory
from tests.territory.factories import CommuneFactory, UnitFactory


@pytest.fixture
def territory(departement):
    """Three units, one commune each, one agent per unit and a few MARTIN in every commune."""
    units, communes, agents = [], [], []
    for letter in "ABC":
        unit = UnitFactory(departement=departement, code=letter, name=f"Unité {letter}")
        units.append(unit)
        communes.append(CommuneFactory(departement=departement, unit=unit, name=f"Ville{letter}"))
        agents.append(AgentFactory(units=[unit], role="accueil"))
    persons = {
        letter: [
            PersonFactory(last_name="Martin", first_names=f"Prenom{letter}{i}", commune=communes[n])
            for i in range(3)
        ]
        for n, letter in enumerate("ABC")
    }
    return {"units": units, "communes": communes, "agents": agents, "persons": persons}


# Search


def _search(client, **criteria):
    """POST a search as the form does; the response is the results page it redirects to."""
    return client.post(reverse("people:search"), criteria, follow=True)


@pytest.mark.django_db
def test_search_never_returns_persons_outside_the_agents_scope(client, territory):
    agent_b = territory["agents"][1]
    followed = territory["persons"]["C"][0]
    Follow.objects.create(person=followed, agent=agent_b)
    login_verified(client, agent_b)

    html = _search(client, q="martin").content.decode()

    for person in territory["persons"]["B"]:
        assert person.first_names in html
    assert followed.first_names in html
    for person in [*territory["persons"]["A"], *territory["persons"]["C"][1:]]:
        assert person.first_names not in html
    assert "4 personnes trouvées" in html


@pytest.mark.django_db
def test_search_by_nir_caf_number_and_swapped_names(client, territory):
    agent_a = territory["agents"][0]
    login_verified(client, agent_a)
    person = PersonFactory(
        last_name="Dupont", birth_name="Lefebvre", first_names="Jeanne", commune=territory["communes"][0]
    )
    household = HouseholdFactory(caf_number="7654321")
    MemberFactory(household=household, person=person)
    for query in ["jeanne dupont", "LEFEBVRE", person.nir[:13], person.nir, "7654321"]:
        html = _search(client, q=query).content.decode()
        assert reverse("people:detail", args=[person.pk]) in html, query


@pytest.mark.django_db
def test_search_by_birth_date(client, territory):
    login_verified(client, territory["agents"][0])
    target = territory["persons"]["A"][1]
    html = _search(client, q="martin", birth_date=target.birth_date.isoformat()).content.decode()
    assert target.first_names in html
    assert territory["persons"]["A"][0].first_names not in html


@pytest.mark.django_db
def test_the_search_text_is_in_no_url(client, territory):
    """POST, then the results at an opaque key: no URL (request logs, history) carries the NIR."""
    login_verified(client, territory["agents"][0])
    nir = territory["persons"]["A"][0].nir
    url = reverse("people:search")
    assert client.get(url, {"q": nir}).content.decode().count(nir) == 0  # a GET searches nothing

    response = client.post(url, {"q": nir})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{url}?recherche=") and nir not in location and nir[:13] not in location
    html = client.get(location).content.decode()
    assert "1 personne trouvée" in html
    assert f'value="{nir}"' in html  # the form shows what was searched
    # The same criteria, the same key; other criteria, another key.
    assert client.post(url, {"q": nir})["Location"] == location
    assert client.post(url, {"q": "martin"})["Location"] != location


@pytest.mark.django_db
def test_a_searched_nir_is_not_kept_in_clear_in_the_session_store(client, territory):
    """Sessions live in the database: what was searched is kept there encrypted."""
    from django.contrib.sessions.models import Session

    login_verified(client, territory["agents"][0])
    nir = territory["persons"]["A"][0].nir
    location = client.post(reverse("people:search"), {"q": nir})["Location"]
    stored = Session.objects.get(session_key=client.session.session_key).session_data
    assert nir not in stored and nir[:13] not in str(Session.objects.get().get_decoded())
    assert "1 personne trouvée" in client.get(location).content.decode()


@pytest.mark.django_db
def test_an_unknown_or_expired_search_key_asks_again(client, territory):
    login_verified(client, territory["agents"][0])
    response = client.get(reverse("people:search"), {"recherche": "inconnue"})
    assert response.status_code == 200
    assert "Cette recherche n'est plus disponible" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


@pytest.mark.django_db
def test_only_the_last_searches_are_kept_in_the_session(client, territory):
    login_verified(client, territory["agents"][0])
    url = reverse("people:search")
    first = client.post(url, {"q": "martin"})["Location"]
    for n in range(saved_searches.KEPT):
        client.post(url, {"q": f"nom{n}"})
    assert len(client.session[saved_searches.SESSION_KEY]) == saved_searches.KEPT
    assert "Cette recherche n'est plus disponible" in client.get(first).content.decode()


@pytest.mark.django_db
def test_htmx_search_returns_the_results_only_and_pushes_an_opaque_url(client, territory):
    login_verified(client, territory["agents"][0])
    response = client.post(reverse("people:search"), {"q": "martin"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="results-table"' in html
    assert "<html" not in html and "<h1" not in html
    assert (
        response["HX-Push-Url"].startswith("/personnes/?recherche=")
        and "martin" not in response["HX-Push-Url"]
    )

    emptied = client.post(reverse("people:search"), {"q": ""}, HTTP_HX_REQUEST="true")
    assert emptied["HX-Push-Url"] == "/personnes/"


@pytest.mark.django_db
def test_htmx_history_restore_gets_the_whole_page(client, territory):
    login_verified(client, territory["agents"][0])
    location = client.post(reverse("people:search"), {"q": "martin"})["Location"]
    html = client.get(
        location, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    ).content.decode()
    assert "<h1" in html and 'id="results-table"' in html


@pytest.mark.django_db
def test_the_home_page_form_posts_the_search(client, territory):
    login_verified(client, territory["agents"][0])
    html = client.get(reverse("core:home")).content.decode()
    form = html[html.index('aria-label="Recherche de personnes"') - 200 :]
    assert 'method="post"' in form[:400] and "csrfmiddlewaretoken" in form[:600]


@pytest.mark.django_db
def test_search_is_audited_without_the_query_text(client, territory):
    agent = territory["agents"][0]
    login_verified(client, agent)
    nir = territory["persons"]["A"][0].nir
    _search(client, q=nir)
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.agent == agent and event.detail == {"results": 1}
    assert event.path == "/personnes/"
    assert nir[:13] not in str(event.detail)
    assert event.channel == "web"


@pytest.mark.django_db
def test_search_needs_two_characters(client, territory):
    login_verified(client, territory["agents"][0])
    response = _search(client, q="m")
    assert response.redirect_chain == []
    assert "Saisissez au moins 2 caractères." in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


@pytest.mark.django_db
def test_search_is_paginated(client, territory):
    login_verified(client, territory["agents"][0])
    commune = territory["communes"][0]
    PersonFactory.create_batch(22, last_name="Bernard", commune=commune)
    first = _search(client, q="bernard")
    html = first.content.decode()
    assert "22 personnes trouvées" in html and "fr-pagination" in html
    location = first.redirect_chain[-1][0]
    key = location.split("recherche=")[1]
    assert f'href="?recherche={key}&amp;page=2"' in html
    second = client.get(f"{location}&page=2").content.decode()
    assert "22 personnes trouvées" in second
    assert re.search(r'aria-current="page"\s+title="Page 2"', second)
    assert second.count('href="/personnes/') >= 2
    assert "bernard" not in location.lower()


@pytest.mark.django_db
def test_htmx_results_paginate_with_the_search_key(client, territory):
    login_verified(client, territory["agents"][0])
    PersonFactory.create_batch(22, last_name="Bernard", commune=territory["communes"][0])
    response = client.post(reverse("people:search"), {"q": "bernard"}, HTTP_HX_REQUEST="true")
    key = response["HX-Push-Url"].split("recherche=")[1]
    assert f'href="?recherche={key}&amp;page=2"' in response.content.decode()


@pytest.mark.django_db
def test_search_query_count_is_bounded(client, territory, django_assert_max_num_queries):
    login_verified(client, territory["agents"][0])
    PersonFactory.create_batch(15, last_name="Martin", commune=territory["communes"][0])
    location = client.post(reverse("people:search"), {"q": "martin"})["Location"]
    # 8 today (session, agent, device, the agent's facts for the menu — trays, directory, charter:
    # one query, `Agent._facts` —, units, count, audit, page): an N+1 would add 15.
    with django_assert_max_num_queries(9):
        response = client.get(location)
    assert response.status_code == 200


# Person page


@pytest.mark.django_db
def test_person_page_shows_identity_households_follows_events_and_history(client, two_units, agent_a):
    login_verified(client, agent_a)
    person = PersonFactory(first_names="Aline", last_name="Roux", commune=two_units["commune_a"])
    partner = PersonFactory(first_names="Bruno", last_name="Roux", commune=two_units["commune_a"])
    hidden = PersonFactory(first_names="Zoé", last_name="Secret", commune=two_units["commune_b"])
    household = HouseholdFactory(caf_number="1234567")
    MemberFactory(household=household, person=person, role="demandeur")
    MemberFactory(household=household, person=partner, role="conjoint")
    MemberFactory(household=household, person=hidden, role="enfant")
    referent = AgentFactory(first_name="Rémi", last_name="Référent")
    Follow.objects.create(person=person, agent=referent)
    PersonEvent.objects.create(person=person, kind="droits_ouverts", occurred_at=timezone.now())
    AuditEvent.objects.create(
        agent=referent,
        agent_label=referent.username,
        person=person,
        action="update",
        detail={"fields": ["phone"]},
    )

    html = client.get(reverse("people:detail", args=[person.pk])).content.decode()

    assert "Aline ROUX" in html
    assert reverse("people:detail", args=[partner.pk]) in html
    assert reverse("people:detail", args=[hidden.pk]) not in html
    # A member out of scope is reduced to their role: neither name nor initial.
    assert "Secret" not in html.replace("secret", "") and "Z." not in html
    assert "Membre hors de votre périmètre" in html
    assert "Rémi Référent" in html
    assert "Droits ouverts" in html  # an unknown kind, made readable
    assert "téléphone" in html


@pytest.mark.django_db
def test_person_of_another_unit_is_404_and_the_denial_audited(client, two_units, agent_a):
    login_verified(client, agent_a)
    other = PersonFactory(commune=two_units["commune_b"])
    response = client.get(reverse("people:detail", args=[other.pk]))
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    denial = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert denial.agent == agent_a and denial.person_id == other.pk


@pytest.mark.django_db
def test_person_page_read_is_audited(client, two_units, agent_a):
    login_verified(client, agent_a)
    person = PersonFactory(commune=two_units["commune_a"])
    client.get(reverse("people:detail", args=[person.pk]))
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, person_id=person.pk, agent=agent_a).count() == 1


@pytest.mark.django_db
def test_person_page_query_count_is_bounded(client, two_units, agent_a, django_assert_max_num_queries):
    login_verified(client, agent_a)
    person = PersonFactory(commune=two_units["commune_a"])
    for _ in range(2):
        household = HouseholdFactory()
        MemberFactory(household=household, person=person)
        for _ in range(4):
            MemberFactory(
                household=household, person=PersonFactory(commune=two_units["commune_a"]), role="enfant"
            )
    for i in range(10):
        PersonEvent.objects.create(person=person, kind=f"evenement{i}", occurred_at=timezone.now())
    for _ in range(3):
        Follow.objects.create(person=person, agent=AgentFactory())
    # 17 today (13 + the RSA right and its history + the latest follow-up + one INSERT auditing
    # the 8 household members shown); an N+1 over the 10 household members or the follows would
    # add 10 or more. The accompaniment panel (core.person_panels) adds 5: the accompaniments
    # (their référents prefetched only when there are some), the outcomes, the exits, and the
    # two reads of the rule that says whether coaching may be proposed. The front door's panel adds
    # 3 (référent de parcours, needs, rights followed), the directory's 2 (orientations, mobility
    # diagnosis), the aids' 2 (applications, placements with the ASE), and the menu one (the
    # agent's facts, `Agent._facts`): 32, whatever the rows.
    with django_assert_max_num_queries(32):
        response = client.get(reverse("people:detail", args=[person.pk]))
    assert response.status_code == 200


# Creating and editing


def person_data(commune, **overrides) -> dict:
    data = {
        "civility": "MME",
        "sex": "F",
        "last_name": "Durand",
        "birth_name": "",
        "first_names": "Camille",
        "birth_date": "1985-05-12",
        "nir": nir_with_key("2850559350123"),
        "caf_number": "",
        "france_travail_id": "",
        "email": "",
        "phone": "",
        "address": "1 rue de la Gare",
        "address_complement": "",
        "commune_code": commune.insee_code,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_create_person_saves_and_audits_field_names(logged_client, two_units, agent_a):
    response = logged_client.post(reverse("people:create"), person_data(two_units["commune_a"]))
    person = Person.objects.get(last_name="Durand")
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    assert person.commune == two_units["commune_a"]
    assert person.postal_code == two_units["commune_a"].main_postal_code
    event = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert event.person_id == person.pk and event.agent == agent_a
    assert "nir" in event.detail["fields"] and "commune" in event.detail["fields"]
    assert person.nir not in str(event.detail) and "Durand" not in str(event.detail)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nir": "285055935012399"}, "La clé du NIR est incorrecte : vérifiez les 15 chiffres saisis."),
        (
            {"nir": nir_with_key("2860559350123")},
            "L&#x27;année de naissance du NIR ne correspond pas à la date de naissance.",
        ),
        (
            {"nir": nir_with_key("2850659350123")},
            "Le mois de naissance du NIR ne correspond pas à la date de naissance.",
        ),
        ({"sex": "M", "civility": "M"}, "Le sexe ne correspond pas au premier chiffre du NIR."),
        ({"birth_date": "2999-01-01", "nir": ""}, "La date de naissance ne peut pas être dans le futur."),
        (
            {"birth_date": "1850-01-01", "nir": ""},
            "La date de naissance est trop ancienne (plus de 120 ans).",
        ),
        ({"commune_code": "99999"}, "Commune inconnue : 99999."),
        ({"last_name": ""}, "Indiquez le nom d&#x27;usage."),
    ],
)
@pytest.mark.django_db
def test_create_person_refuses_invalid_data_with_a_french_message(
    logged_client, two_units, overrides, message
):
    response = logged_client.post(reverse("people:create"), person_data(two_units["commune_a"], **overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "La fiche n'est pas enregistrée" in html
    assert 'aria-invalid="true"' in html
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


@pytest.mark.django_db
def test_create_person_only_in_a_commune_of_the_agents_units(logged_client, two_units):
    response = logged_client.post(reverse("people:create"), person_data(two_units["commune_b"]))
    assert "n&#x27;est pas dans l&#x27;une de vos unités territoriales" in response.content.decode()
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_administrator_creates_anywhere(client, two_units):
    login_verified(client, AgentFactory(role="administrateur"))
    client.post(reverse("people:create"), person_data(two_units["commune_b"]))
    assert Person.objects.get().commune == two_units["commune_b"]


@pytest.mark.django_db
def test_postal_code_shared_by_several_communes_asks_for_a_choice(logged_client, departement, agent_a):
    unit = agent_a.units.get()
    first = CommuneFactory(departement=departement, unit=unit, name="Haut", postal_codes="59870")
    second = CommuneFactory(departement=departement, unit=unit, name="Bas", postal_codes="59870 59871")
    response = logged_client.post(reverse("people:create"), person_data(first, commune_code="59870"))
    html = response.content.decode()
    assert "Plusieurs communes ont ce code" in html and "Haut" in html and "Bas" in html
    assert not Person.objects.exists()
    logged_client.post(
        reverse("people:create"), person_data(first, commune_code="59870", commune_choice=second.pk)
    )
    person = Person.objects.get()
    assert person.commune == second and person.postal_code == "59870"


@pytest.mark.django_db
def test_roles_without_registration_cannot_create(client, two_units):
    login_verified(client, AgentFactory(role="coach_emploi", units=[two_units["unit_a"]]))
    response = client.post(reverse("people:create"), person_data(two_units["commune_a"]))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_edit_person_audits_changed_field_names_only(logged_client, two_units, agent_a):
    person = PersonFactory(commune=two_units["commune_a"], phone="")
    page = logged_client.get(reverse("people:edit", args=[person.pk])).content.decode()
    assert f'value="{two_units["commune_a"].main_postal_code}"' in page
    data = person_data(
        two_units["commune_a"],
        civility=person.civility,
        sex=person.sex,
        last_name=person.last_name,
        first_names=person.first_names,
        birth_date=person.birth_date.isoformat(),
        nir=person.nir,
        address=person.address,
        phone="0601020304",
    )
    response = logged_client.post(reverse("people:edit", args=[person.pk]), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "0601020304"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.detail == {"fields": ["phone"]}


@pytest.mark.django_db
def test_edit_person_of_another_unit_is_404(logged_client, two_units):
    other = PersonFactory(commune=two_units["commune_b"])
    assert logged_client.get(reverse("people:edit", args=[other.pk])).status_code == 404


# Households


@pytest.mark.django_db
def test_add_person_to_a_new_and_to_an_existing_household(logged_client, two_units):
    person = PersonFactory(commune=two_units["commune_a"])
    existing = HouseholdFactory(caf_number="5550001")
    url = reverse("people:household_add", args=[person.pk])
    logged_client.post(url, {"organism": "CAF", "caf_number": "", "role": "demandeur"})
    logged_client.post(url, {"organism": "CAF", "caf_number": "5550001", "role": "conjoint"})
    roles = dict(HouseholdMember.objects.filter(person=person).values_list("household__caf_number", "role"))
    assert roles == {"": "demandeur", "5550001": "conjoint"}
    assert Household.objects.count() == 2 and existing.memberships.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, person_id=person.pk).count() == 2

    logged_client.post(url, {"organism": "CAF", "caf_number": "5550001", "role": "conjoint"})
    assert existing.memberships.count() == 1


@pytest.mark.django_db
def test_leave_household(logged_client, two_units):
    person = PersonFactory(commune=two_units["commune_a"])
    membership = MemberFactory(person=person)
    logged_client.post(reverse("people:household_leave", args=[person.pk, membership.pk]))
    assert not HouseholdMember.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_cannot_change_households_of_an_invisible_person(logged_client, two_units):
    other = PersonFactory(commune=two_units["commune_b"])
    response = logged_client.post(
        reverse("people:household_add", args=[other.pk]),
        {"organism": "CAF", "caf_number": "", "role": "enfant"},
    )
    assert response.status_code == 404
    assert not HouseholdMember.objects.exists()


@pytest.mark.django_db
def test_commune_lookup_while_typing(logged_client, departement, agent_a):
    unit = agent_a.units.get()
    CommuneFactory(departement=departement, unit=unit, name="Haut", postal_codes="59870")
    CommuneFactory(departement=departement, unit=unit, name="Bas", postal_codes="59870")
    CommuneFactory(departement=departement, unit=unit, name="Seule", insee_code="59999", postal_codes="59990")
    url = reverse("people:commune_choices")
    several = logged_client.get(url, {"commune_code": "59870"}).content.decode()
    assert "<select" in several and "Haut" in several and "Bas" in several
    assert "Commune : Seule (59999)" in logged_client.get(url, {"commune_code": "59990"}).content.decode()
    assert "Commune inconnue : 12345." in logged_client.get(url, {"commune_code": "12345"}).content.decode()


@pytest.mark.django_db
def test_person_page_names_pathway_events_in_french(client, two_units, agent_a):
    login_verified(client, agent_a)
    person = PersonFactory(commune=two_units["commune_a"])
    PersonEvent.objects.create(person=person, kind="rsa.cloture", occurred_at=timezone.now())
    html = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Clôture du droit" in html
    assert "<td>rsa.cloture</td>" not in html
