"""Access to rights at reception: the mapping to and from OpenFisca (no service needed), the rights
follow-up's state machine and its events, who sees which rights, and the screens (OpenFisca's answer
stubbed here; the real service answers in test_rights_openfisca.py)."""

import datetime
import socket
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import Agent
from parcours.core.models import AuditAction, AuditEvent
from parcours.core.openfisca import SimulationUnavailable
from parcours.reception import event_kinds, rights
from parcours.reception.forms_rights import RightsForm
from parcours.reception.models import Benefit, FrontDoorEvent, RightsCheck, RightState, RightStatus
from tests.accounts.factories import AgentFactory, OrganisationFactory
from tests.conftest import login_verified
from tests.people.factories import MemberFactory, PersonFactory
from tests.reception.factories import ContactFactory, TrayFactory, TrayMemberFactory

MONTH = datetime.date(2026, 3, 1)
ANSWERS = {
    "age": 35,
    "couple": True,
    "partner_age": 33,
    "children_ages": [4, 9],
    "salary": "1100.00",
    "unemployment": "0.00",
    "partner_salary": "0.00",
    "partner_unemployment": "300.00",
    "pension": "0.00",
    "alimony": "0.00",
    "already": [],
    "housing_status": "locataire_hlm",
    "rent": "520.00",
    "commune": "59350",
    "commune_name": "Lille",
    "disability_rate": "80",
    "rsdae": False,
}


def answer(**families) -> dict:
    """An OpenFisca answer to `build_situation` for March 2026."""
    family = {
        "rsa": 0.0,
        "ppa": 0.0,
        "aide_logement": 0.0,
        "cmu_c": False,
        "css_participation_forfaitaire": 0.0,
    }
    family.update(families.pop("family", {}))
    individuals = {"demandeur": {"aah": {"2026-03": families.pop("aah", 0.0)}}}
    if "partner_aah" in families:
        individuals["conjoint"] = {"aah": {"2026-03": families.pop("partner_aah")}}
    return {
        "familles": {"famille": {name: {"2026-03": value} for name, value in family.items()}},
        "individus": individuals,
    }


def simulation(**amounts) -> rights.RightsSimulation:
    return rights.read_result(answer(family=amounts), {"already": []}, MONTH)


# ---------------------------------------------------------------------------------------------
# Mapping


def test_situation_describes_the_household_resources_and_housing():
    situation = rights.build_situation(ANSWERS, datetime.date(2026, 3, 17))
    person, partner = situation["individus"]["demandeur"], situation["individus"]["conjoint"]
    assert person["date_naissance"] == {"ETERNITY": "1991-01-01"}
    assert partner["date_naissance"] == {"ETERNITY": "1993-01-01"}
    assert situation["individus"]["enfant_0"]["date_naissance"] == {"ETERNITY": "2022-01-01"}
    # Resources stable since January of year N-2: RSA reads the last quarter, housing aid 12 months.
    assert set(person["salaire_net"]) == {f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)} | {
        "2026-01",
        "2026-02",
        "2026-03",
    }
    assert set(person["salaire_net"].values()) == {1100.0}
    assert person["salaire_imposable"]["2025-06"] == pytest.approx(1140.70)
    assert partner["chomage_net"]["2026-02"] == 300.0
    assert person["taux_incapacite"]["2025-12"] == 0.8
    family = situation["familles"]["famille"]
    assert family["parents"] == ["demandeur", "conjoint"] and family["enfants"] == ["enfant_0", "enfant_1"]
    assert family["rsa"] == {"2026-03": None} and family["cmu_c"] == {"2026-03": None}
    household = situation["menages"]["menage"]
    assert household["conjoint"] == ["conjoint"]
    assert household["loyer"] == {"2026-03": 520.0}
    assert household["statut_occupation_logement"] == {"2026-03": "locataire_hlm"}
    assert household["depcom"] == {"2026-03": "59350"}
    assert situation["foyers_fiscaux"]["foyer"]["personnes_a_charge"] == ["enfant_0", "enfant_1"]


def test_situation_of_a_single_person_hosted_free_has_no_partner_and_no_rent():
    answers = {**ANSWERS, "couple": False, "children_ages": [], "housing_status": "loge_gratuitement"}
    answers["disability_rate"] = ""
    situation = rights.build_situation(answers, MONTH)
    assert set(situation["individus"]) == {"demandeur"}
    assert "conjoint" not in situation["menages"]["menage"]
    assert situation["menages"]["menage"]["loyer"] == {"2026-03": 0.0}
    assert situation["individus"]["demandeur"]["taux_incapacite"]["2026-03"] == 0.0


def test_result_reads_amounts_css_and_aah_of_both_adults():
    result = rights.read_result(
        answer(
            family={"rsa": 0, "ppa": 312.456, "aide_logement": 380, "cmu_c": False},
            aah=0,
            partner_aah=1033.32,
        ),
        {"already": ["aides_logement"]},
        MONTH,
    )
    by_benefit = {e.benefit: e for e in result.entitlements}
    assert [e.benefit for e in result.entitlements] == [
        "rsa",
        "prime_activite",
        "aides_logement",
        "css",
        "aah",
    ]
    assert by_benefit["rsa"].eligible is False and by_benefit["rsa"].monthly_amount == Decimal("0.00")
    assert by_benefit["prime_activite"].monthly_amount == Decimal("312.46")
    assert by_benefit["aides_logement"].eligible and by_benefit["aides_logement"].already_received
    assert by_benefit["aah"].monthly_amount == Decimal("1033.32")
    assert by_benefit["css"].eligible is False and by_benefit["css"].participation is None
    assert [e.benefit for e in result.to_follow] == ["prime_activite", "aah"]
    assert result.monthly_total == Decimal("1345.78")


def test_css_is_free_or_with_a_participation():
    free = {e.benefit: e for e in simulation(cmu_c=True).entitlements}["css"]
    assert free.eligible and free.participation == Decimal("0.00") and free.monthly_amount == 0
    paying = {e.benefit: e for e in simulation(css_participation_forfaitaire=14.0).entitlements}["css"]
    assert paying.eligible and paying.participation == Decimal("14.00")


def test_an_incomplete_answer_is_unavailable():
    with pytest.raises(SimulationUnavailable):
        rights.read_result({"familles": {"famille": {"rsa": {}}}, "individus": {}}, ANSWERS, MONTH)


def test_simulation_round_trips_through_json():
    result = simulation(rsa=568.94, cmu_c=True)
    again = rights.RightsSimulation.from_json(result.as_json())
    assert again == result


def test_every_benefit_says_how_to_claim_it_with_sources():
    for benefit in Benefit.values:
        claim = rights.claim_guidance(benefit)
        assert claim["organisme"] and claim["service_en_ligne"] and claim["delai"]
        assert claim["url"].startswith("https://")
        assert claim["pieces"] and claim["sources"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"couple": "on"}, "partner_age", "Indiquez l'âge du conjoint"),
        ({"housing_status": "locataire_vide", "rent": "0"}, "rent", "Indiquez le loyer"),
        ({"children_ages": "3, sept"}, "children_ages", "nombres entiers"),
        ({"children_ages": "30"}, "children_ages", "24 ans au plus"),
        ({"commune": "99999"}, "commune", "Commune inconnue : 99999"),
    ],
)
def test_form_errors_say_what_to_fix(data, field, message, territory_lille):
    form = RightsForm({"age": "40", "housing_status": "loge_gratuitement", "commune": "59350", **data})
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_form_answers_accept_a_postal_code(territory_lille):
    form = RightsForm(
        {
            "age": "40",
            "children_ages": "7 3",
            "housing_status": "locataire_vide",
            "rent": "450",
            "commune": "59000",
        }
    )
    assert form.is_valid(), form.errors
    answers = form.answers()
    assert answers["commune"] == "59350" and answers["commune_name"] == "Lille"
    assert answers["children_ages"] == [7, 3] and answers["rent"] == "450.00"
    assert answers["partner_age"] is None and answers["salary"] == "0.00"


def test_an_insee_code_that_is_also_another_communes_postal_code_is_accepted(departement):
    # 59220 is Faches-Thumesnil's INSEE code and Denain's postal code: the form prefilled from a
    # person of Faches-Thumesnil could never be sent when it asked for « the INSEE code ».
    from tests.territory.factories import CommuneFactory, UnitFactory

    unit = UnitFactory(departement=departement)
    CommuneFactory(departement=departement, unit=unit, name="Faches-Thumesnil", insee_code="59220")
    CommuneFactory(
        departement=departement, unit=unit, name="Denain", insee_code="59172", postal_codes="59220"
    )
    CommuneFactory(
        departement=departement, unit=unit, name="Rouvignies", insee_code="59515", postal_codes="59220"
    )
    form = RightsForm({"age": "40", "housing_status": "loge_gratuitement", "commune": "59220"})
    assert form.is_valid(), form.errors
    assert form.answers()["commune_name"] == "Faches-Thumesnil"
    # A postal code of several communes (none with that INSEE code) still asks to choose.
    CommuneFactory(
        departement=departement, unit=unit, name="Aulnoy", insee_code="59032", postal_codes="59300"
    )
    CommuneFactory(
        departement=departement, unit=unit, name="Famars", insee_code="59221", postal_codes="59300"
    )
    form = RightsForm({"age": "40", "housing_status": "loge_gratuitement", "commune": "59300"})
    assert not form.is_valid()
    assert "plusieurs communes" in " ".join(form.errors["commune"])


def test_defaults_come_from_the_persons_household(territory_lille, django_assert_max_num_queries):
    person = PersonFactory(birth_date=datetime.date(1980, 6, 15), commune=territory_lille)
    membership = MemberFactory(person=person, role="demandeur")
    MemberFactory(
        household=membership.household, role="conjoint", person__birth_date=datetime.date(1982, 1, 1)
    )
    MemberFactory(household=membership.household, role="enfant", person__birth_date=datetime.date(2018, 9, 1))
    with django_assert_max_num_queries(2):
        initial = rights.defaults_for(person, today=datetime.date(2026, 3, 1))
    assert initial == {
        "age": 45,
        "commune": "59350",
        "couple": True,
        "partner_age": 44,
        "children_ages": "7",
    }


# ---------------------------------------------------------------------------------------------
# The follow-up


@pytest.fixture
def territory_lille(departement):
    from tests.territory.factories import CommuneFactory, UnitFactory

    unit = UnitFactory(departement=departement, code="LIL", name="Lille")
    return CommuneFactory(
        departement=departement, unit=unit, name="Lille", insee_code="59350", postal_codes="59000"
    )


@pytest.fixture
def accueil(territory_lille):
    return AgentFactory(role="accueil", units=[territory_lille.unit])


@pytest.fixture
def person(territory_lille):
    return PersonFactory(commune=territory_lille)


def test_record_check_follows_each_likely_right_not_already_received(accueil, person):
    result = rights.read_result(
        answer(family={"rsa": 568.94, "aide_logement": 304, "cmu_c": True}),
        {"already": ["aides_logement"]},
        MONTH,
    )
    check = rights.record_check(accueil, person=person, answers=ANSWERS, results=result.as_json())
    assert check.results["month"] == "2026-03"
    statuses = {s.benefit: s for s in check.rights.all()}
    assert set(statuses) == {"rsa", "css"}
    assert (
        statuses["rsa"].monthly_amount == Decimal("568.94") and statuses["rsa"].state == RightState.IDENTIFIED
    )
    events = FrontDoorEvent.objects.filter(kind=event_kinds.RIGHT_IDENTIFIED).order_by("benefit")
    assert [(e.benefit, e.person_id, e.unit_id, e.data["monthly_amount"]) for e in events] == [
        ("css", person.pk, person.commune.unit_id, 0.0),
        ("rsa", person.pk, person.commune.unit_id, 568.94),
    ]
    assert AuditEvent.objects.filter(person=person, action=AuditAction.CREATE, agent=accueil).exists()
    # A second check does not follow the same rights twice.
    again = rights.record_check(accueil, person=person, answers=ANSWERS, results=result)
    assert again.rights.count() == 0
    assert RightStatus.objects.filter(person=person).count() == 2


def test_record_check_for_an_unidentified_contact_takes_its_person_later(accueil, person):
    contact = ContactFactory(taken_by=accueil)
    check = rights.record_check(accueil, contact=contact, answers=ANSWERS, results=simulation(rsa=500))
    status = check.rights.get()
    assert status.person is None
    event = FrontDoorEvent.objects.get(kind=event_kinds.RIGHT_IDENTIFIED)
    assert event.contact_id == contact.pk and event.person_id is None
    assert rights.attach_person(contact, person) == 1
    status.refresh_from_db()
    assert status.person == person and RightsCheck.objects.get(pk=check.pk).person == person


def test_record_check_refuses_a_contact_of_another_person(accueil, person):
    contact = ContactFactory(taken_by=accueil, person=PersonFactory(commune=person.commune))
    with pytest.raises(rights.RightsError, match="autre personne"):
        rights.record_check(
            accueil, person=person, contact=contact, answers=ANSWERS, results=simulation(rsa=1)
        )


def test_transitions_write_events_and_refuse_what_the_table_forbids(accueil, person):
    check = rights.record_check(
        accueil, person=person, answers=ANSWERS, results=simulation(rsa=568.94, ppa=10)
    )
    rsa, ppa = check.rights.get(benefit="rsa"), check.rights.get(benefit="prime_activite")
    rsa = rights.start_claim(accueil, rsa)
    assert rsa.state == RightState.CLAIM_STARTED and rsa.claim_started_at and rsa.updated_by == accueil
    rsa = rights.mark_opened(accueil, rsa)
    assert rsa.state == RightState.OPENED and rsa.closed_at
    with pytest.raises(
        rights.RightsError, match="« Droit ouvert » : il ne peut plus passer à « Demande engagée »"
    ):
        rights.start_claim(accueil, rsa)
    with pytest.raises(rights.RightsError, match="pourquoi"):
        rights.mark_not_opened(accueil, ppa, reason="")
    ppa = rights.mark_not_opened(accueil, ppa, reason="abandon")
    assert ppa.state == RightState.NOT_OPENED
    kinds = list(
        FrontDoorEvent.objects.exclude(kind=event_kinds.RIGHT_IDENTIFIED).values_list(
            "kind", "benefit", "person_id"
        )
    )
    assert kinds == [
        (event_kinds.RIGHT_CLAIM_STARTED, "rsa", person.pk),
        (event_kinds.RIGHT_OPENED, "rsa", person.pk),
        (event_kinds.RIGHT_NOT_OPENED, "prime_activite", person.pk),
    ]
    assert FrontDoorEvent.objects.get(kind=event_kinds.RIGHT_NOT_OPENED).data == {
        "right": ppa.pk,
        "reason": "abandon",
    }
    assert AuditEvent.objects.filter(person=person, action=AuditAction.UPDATE).count() == 3


def test_checks_and_transitions_are_dated_at_the_given_instant(accueil, person):
    # The demo replays past months: every writer takes `at=` (default now).
    monday = timezone.make_aware(datetime.datetime(2026, 2, 2, 10, 0))
    check = rights.record_check(
        accueil, person=person, answers=ANSWERS, results=simulation(rsa=568.94, ppa=10), at=monday
    )
    assert check.made_at == monday
    rsa, ppa = check.rights.get(benefit="rsa"), check.rights.get(benefit="prime_activite")
    assert rsa.identified_at == monday
    rsa = rights.start_claim(accueil, rsa, at=monday + datetime.timedelta(days=1))
    rsa = rights.mark_opened(accueil, rsa, at=monday + datetime.timedelta(days=20))
    ppa = rights.mark_not_opened(accueil, ppa, reason="refus", at=monday + datetime.timedelta(days=30))
    assert rsa.claim_started_at == monday + datetime.timedelta(days=1)
    assert rsa.closed_at == monday + datetime.timedelta(days=20)
    assert ppa.closed_at == monday + datetime.timedelta(days=30)
    dates = dict(FrontDoorEvent.objects.filter(benefit="rsa").values_list("kind", "occurred_at"))
    assert dates == {
        event_kinds.RIGHT_IDENTIFIED: monday,
        event_kinds.RIGHT_CLAIM_STARTED: monday + datetime.timedelta(days=1),
        event_kinds.RIGHT_OPENED: monday + datetime.timedelta(days=20),
    }


def test_the_contact_page_and_the_person_panel_lead_to_the_rights_check(client, accueil, person):
    login_verified(client, accueil)
    contact = ContactFactory(taken_by=accueil, person=person)
    page = client.get(reverse("reception:contact", args=[contact.pk])).content.decode()
    assert reverse("reception:rights_check_contact", args=[contact.pk]) in page
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert reverse("reception:rights_check_person", args=[person.pk]) in page


def test_agents_who_may_not_check_rights_see_no_rights_button(client, territory_lille, person):
    viewer = AgentFactory(role="instructeur_aides", units=[territory_lille.unit])
    assert not viewer.may_check_rights
    login_verified(client, viewer)
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Premier accueil" in page
    assert reverse("reception:rights_check_person", args=[person.pk]) not in page


def test_a_stale_right_loses_the_race(accueil, person):
    check = rights.record_check(accueil, person=person, answers=ANSWERS, results=simulation(rsa=568.94))
    first, second = check.rights.get(), check.rights.get()
    rights.start_claim(accueil, first)
    with pytest.raises(rights.RightsError, match="vient d'être modifié"):
        rights.mark_not_opened(accueil, second, reason="refus")
    assert FrontDoorEvent.objects.filter(kind=event_kinds.RIGHT_NOT_OPENED).count() == 0


def test_take_up_reads_the_events(accueil, person):
    check = rights.record_check(accueil, person=person, answers=ANSWERS, results=simulation(rsa=500, ppa=100))
    rights.mark_opened(accueil, check.rights.get(benefit="rsa"))
    rights.start_claim(accueil, check.rights.get(benefit="prime_activite"))
    other = PersonFactory(commune=person.commune)
    rights.record_check(accueil, person=other, answers=ANSWERS, results=simulation(rsa=500))
    start = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    end = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)
    table = {row["benefit"]: row for row in rights.take_up(start, end)}
    assert table["rsa"] == {
        "benefit": "rsa",
        "label": Benefit.RSA.label,
        "identified": 2,
        "pending": 1,
        "claimed": 0,
        "opened": 1,
        "not_opened": 0,
        "non_take_up": 0.5,
    }
    assert table["prime_activite"]["claimed"] == 1 and table["prime_activite"]["non_take_up"] == 1.0
    assert table["aah"]["non_take_up"] is None


def test_visible_rights_follow_the_access_rule(accueil, person, departement):
    from tests.territory.factories import CommuneFactory

    elsewhere = PersonFactory(commune=CommuneFactory(departement=departement))
    other_agent = AgentFactory(role="accueil", units=[elsewhere.commune.unit])
    mine = rights.record_check(
        accueil, person=person, answers=ANSWERS, results=simulation(rsa=1)
    ).rights.get()
    theirs = rights.record_check(other_agent, person=elsewhere, answers=ANSWERS, results=simulation(rsa=1))
    anonymous = rights.record_check(other_agent, answers=ANSWERS, results=simulation(rsa=1)).rights.get()
    assert list(rights.visible_rights(accueil)) == [mine]
    assert set(rights.visible_rights(other_agent)) == {theirs.rights.get(), anonymous}


# ---------------------------------------------------------------------------------------------
# Screens


@pytest.fixture
def stub_openfisca(monkeypatch):
    """OpenFisca's answer for a single person without income, renting in Lille."""
    sent = []

    def calculate(situation):
        sent.append(situation)
        month = next(iter(situation["familles"]["famille"]["rsa"]))
        values = {
            "rsa": 568.94,
            "ppa": 0.0,
            "aide_logement": 304.0,
            "cmu_c": True,
            "css_participation_forfaitaire": 0,
        }
        return {
            "familles": {"famille": {name: {month: value} for name, value in values.items()}},
            "individus": {"demandeur": {"aah": {month: 0.0}}},
        }

    monkeypatch.setattr(rights.openfisca, "calculate", calculate)
    return sent


FORM = {
    "action": "simuler",
    "age": "35",
    "housing_status": "locataire_vide",
    "rent": "450",
    "commune": "59350",
}


def test_person_form_is_prefilled_and_results_show_how_to_claim(client, accueil, person, stub_openfisca):
    login_verified(client, accueil)
    url = reverse("reception:rights_check_person", args=[person.pk])
    page = client.get(url).content.decode()
    assert 'value="59350"' in page
    assert AuditEvent.objects.filter(person=person, action=AuditAction.VIEW).exists()
    response = client.post(url, FORM)
    page = response.content.decode()
    assert "568,94 €" in page and "Sans participation (gratuite)" in page
    assert "Droit probable" in page and "Pas de droit estimé" in page
    assert "caf.fr" in page and "Pièces usuelles" in page and "Cerfa n° 12504" in page
    assert "Enregistrer les droits identifiés" in page
    assert stub_openfisca[0]["menages"]["menage"]["loyer"] == {f"{timezone.localdate():%Y-%m}": 450.0}
    token = response.context["token"]
    response = client.post(url, {"action": "enregistrer", "resultat": token})
    assert response.status_code == 302 and response.url == reverse("reception:rights_followup")
    assert sorted(RightStatus.objects.filter(person=person).values_list("benefit", flat=True)) == [
        "aides_logement",
        "css",
        "rsa",
    ]
    assert RightsCheck.objects.get().answers["rent"] == "450.00"


def test_a_tampered_or_foreign_result_is_refused(client, accueil, person, stub_openfisca):
    login_verified(client, accueil)
    url = reverse("reception:rights_check_person", args=[person.pk])
    token = client.post(url, FORM).context["token"]
    response = client.post(url, {"action": "enregistrer", "resultat": token[:-2] + "xx"}, follow=True)
    assert "relancez la simulation" in response.content.decode()
    other = PersonFactory(commune=person.commune)
    response = client.post(
        reverse("reception:rights_check_person", args=[other.pk]),
        {"action": "enregistrer", "resultat": token},
    )
    assert response.status_code == 404
    assert not RightStatus.objects.exists()


def test_simulation_unavailable_keeps_the_answers(client, accueil, monkeypatch, territory_lille):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("OPENFISCA_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("OPENFISCA_TIMEOUT", "2")
    login_verified(client, accueil)
    response = client.post(reverse("reception:rights_check"), {**FORM, "age": "47"})
    page = response.content.decode()
    assert "Simulation indisponible" in page
    assert 'value="47"' in page and 'value="450' in page
    assert "Enregistrer les droits identifiés" not in page


def test_contact_check_and_an_out_of_scope_person(client, accueil, person, departement, stub_openfisca):
    from tests.territory.factories import CommuneFactory

    login_verified(client, accueil)
    contact = ContactFactory(taken_by=accueil)
    url = reverse("reception:rights_check_contact", args=[contact.pk])
    token = client.post(url, FORM).context["token"]
    client.post(url, {"action": "enregistrer", "resultat": token})
    assert RightsCheck.objects.get().contact == contact
    hidden = PersonFactory(commune=CommuneFactory(departement=departement))
    response = client.get(reverse("reception:rights_check_person", args=[hidden.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, person=hidden).exists()


def test_followup_list_filters_paginates_exports_and_acts(
    client, accueil, person, django_assert_max_num_queries
):
    for _ in range(3):
        other = PersonFactory(commune=person.commune)
        rights.record_check(accueil, person=other, answers=ANSWERS, results=simulation(rsa=500, ppa=50))
    check = rights.record_check(accueil, person=person, answers=ANSWERS, results=simulation(rsa=568.94))
    opened = rights.record_check(
        accueil, person=PersonFactory(commune=person.commune), answers=ANSWERS, results=simulation(rsa=1)
    ).rights.get()
    rights.mark_opened(accueil, opened)
    login_verified(client, accueil)
    url = reverse("reception:rights_followup")
    client.get(url)  # warm the session and the agent's caches
    with django_assert_max_num_queries(11):  # constant: measured with 2 and 42 rows
        response = client.get(url)
    page = response.content.decode()
    assert "7 droits" in page  # 3 × (RSA, prime d'activité) + 1 RSA; the opened one is not listed
    assert person.full_name in page
    assert "3 droits" in client.get(url, {"benefit": "prime_activite"}).content.decode()
    assert "1 droit" in client.get(url, {"state": "ouvert"}).content.decode()
    export = client.get(url, {"export": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    assert export.content.decode("utf-8-sig").count("\n") == 8
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, detail__list="droits-identifies").exists()

    right = check.rights.get()
    action = reverse("reception:rights_start_claim", args=[right.pk])
    confirmation = client.get(action).content.decode()
    assert "Confirmez-vous" in confirmation and "Demande engagée" in confirmation
    right.refresh_from_db()
    assert right.state == RightState.IDENTIFIED  # a GET changes nothing
    response = client.post(action)
    assert response.status_code == 302
    right.refresh_from_db()
    assert right.state == RightState.CLAIM_STARTED
    refused = client.get(action).content.decode()
    assert "ne peut plus passer à « Demande engagée »" in refused
    response = client.post(action, follow=True)
    assert "ne peut plus passer" in response.content.decode()

    not_opened = reverse("reception:rights_not_opened", args=[right.pk])
    assert "Indiquez pourquoi" in client.post(not_opened, {}).content.decode()
    client.post(not_opened, {"reason": "refus"})
    right.refresh_from_db()
    assert right.state == RightState.NOT_OPENED


def test_a_right_of_an_out_of_scope_person_is_not_found(client, accueil, departement):
    from tests.territory.factories import CommuneFactory

    hidden = PersonFactory(commune=CommuneFactory(departement=departement))
    right = rights.record_check(
        AgentFactory(role="accueil"), person=hidden, answers=ANSWERS, results=simulation(rsa=1)
    ).rights.get()
    login_verified(client, accueil)
    for name in ("rights_start_claim", "rights_opened", "rights_not_opened"):
        assert client.post(reverse(f"reception:{name}", args=[right.pk])).status_code == 404
    right.refresh_from_db()
    assert right.state == RightState.IDENTIFIED
    assert hidden.full_name not in client.get(reverse("reception:rights_followup")).content.decode()


def test_roles_without_the_permission_are_refused(client, territory_lille):
    agent = AgentFactory(role="relations_entreprises", units=[territory_lille.unit])
    login_verified(client, agent)
    assert client.get(reverse("reception:rights_followup")).status_code == 403
    assert AgentFactory(role="coach_emploi").may_check_rights
    assert AgentFactory(role="accueil").may_check_rights
    assert not AgentFactory(role="instructeur_aides").may_check_rights


def test_a_partners_agent_checks_rights_only_as_a_tray_member(departement):
    ccas = OrganisationFactory(kind="ccas", departement=departement)
    referent = AgentFactory(role="referent", organisation=ccas)
    assert not referent.may_check_rights
    TrayMemberFactory(tray=TrayFactory(departement=departement), agent=referent)
    referent = Agent.objects.get(pk=referent.pk)
    assert referent.may_check_rights


def test_defaults_of_the_conjoint_name_the_demandeur_as_partner(territory_lille):
    # The conjoint's form was prefilled as a single person with the demandeur's children.
    person = PersonFactory(birth_date=datetime.date(1985, 4, 19), commune=territory_lille)
    membership = MemberFactory(person=person, role="conjoint")
    MemberFactory(
        household=membership.household, role="demandeur", person__birth_date=datetime.date(1984, 1, 1)
    )
    initial = rights.defaults_for(person, today=datetime.date(2026, 12, 1))
    assert initial["couple"] is True and initial["partner_age"] == 42


def test_the_followup_actions_have_their_own_column(client, accueil, person):
    # The buttons sat under « Simulation faite par », in a column without a header of its own.
    rights.record_check(accueil, person=person, answers=ANSWERS, results=simulation(rsa=568.94))
    login_verified(client, accueil)
    page = client.get(reverse("reception:rights_followup")).content.decode()
    headers = page.split("<thead>")[1].split("</thead>")[0]
    assert "Simulation faite par" in headers and "Suite donnée" in headers
    row = page.split("<tbody>")[1].split("</tr>")[0]
    assert row.count("<td") == 8
