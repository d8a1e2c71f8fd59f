"""Each eligibility rule kind passes, fails or stays unknown, explained in French with the facts
used; a whole rule set costs a bounded number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from parcours.aids.eligibility import RULE_KINDS, evaluate, explain_rule, rule_errors
from parcours.aids.models import ChildProtectionPlacement
from parcours.people.event_kinds import JOB_START
from parcours.people.models import PersonEvent
from parcours.rsa.models import RsaRight
from tests.aids.factories import SchemeVersionFactory, draft
from tests.people.factories import HouseholdFactory, MemberFactory, PersonFactory
from tests.territory.factories import CommuneFactory, DepartementFactory

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 12, 1)


def one(rule: dict, person, application=None):
    version = SchemeVersionFactory(rules=[rule])
    [result] = evaluate(version, person, on=ON, application=application)
    return result


def with_right(person, state="2", duties=True, **fields):
    household = HouseholdFactory()
    MemberFactory(household=household, person=person)
    return RsaRight.objects.create(
        household=household, state=state, request_number="12345678901", reference_date=datetime.date(2026, 11, 5),
        members=[{"person": person.pk, "role": "DEM", "duties": duties}], **fields,
    )  # fmt: skip


def job_start(person, day, **data):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return PersonEvent.objects.create(person=person, kind=JOB_START, occurred_at=moment, data=data)


def test_age_from_16_in_nord():
    young = PersonFactory(birth_date=datetime.date(2009, 11, 30))
    result = one({"kind": "age", "min": 16, "max": 25}, young)
    assert result.passed is True
    assert result.explanation == "La personne a 17 ans le 01/12/2026 : critère rempli."
    assert one({"kind": "age", "min": 18}, young).passed is False


def test_rsa_open_passes_when_suspended_and_fails_when_closed():
    person = PersonFactory()
    with_right(person, state="3", suspended_on=datetime.date(2026, 10, 2))
    result = one({"kind": "rsa_open"}, person)
    assert result.passed is True
    assert "ouvert et suspendu depuis le 02/10/2026" in result.explanation
    assert "flux du 05/11/2026" in result.explanation

    closed = PersonFactory()
    with_right(closed, state="5", closed_on=datetime.date(2026, 9, 30))
    result = one({"kind": "rsa_open"}, closed)
    assert result.passed is False
    assert "clos depuis le 30/09/2026" in result.explanation and "non rempli" in result.explanation


def test_rsa_open_unknown_without_flux():
    result = one({"kind": "rsa_open"}, PersonFactory())
    assert result.passed is None
    assert "à vérifier par l'instructeur" in result.explanation


@pytest.mark.parametrize(("duties", "expected", "words"), [
    (True, True, "est soumise"), (False, False, "n'est pas soumise"), (None, None, "ne sait pas"),
])  # fmt: skip
def test_subject_to_duties(duties, expected, words):
    person = PersonFactory()
    with_right(person, duties=duties)
    result = one({"kind": "soumis_droits_devoirs"}, person)
    assert result.passed is expected
    assert words in result.explanation


def test_ase_placement():
    person = PersonFactory(birth_date=datetime.date(2006, 3, 1))
    assert one({"kind": "ase_placement"}, person).passed is None
    ChildProtectionPlacement.objects.create(
        person=person, placed_from=datetime.date(2015, 1, 5), placed_until=datetime.date(2021, 6, 30),
        attested_by="Service de l'ASE de Lille",
    )  # fmt: skip
    result = one({"kind": "ase_placement"}, person)
    assert result.passed is True
    assert "du 05/01/2015 au 30/06/2021, attesté par Service de l'ASE de Lille" in result.explanation
    # Placed until 15: not « encore confié à 16 ans ».
    result = one({"kind": "ase_placement", "min_age_at_end": 16}, person)
    assert result.passed is False
    assert "avait 15 ans à sa fin" in result.explanation


def test_residence(settings):
    settings.PARCOURS_DEPARTEMENT = "59"
    here = CommuneFactory(name="Roubaix", departement=DepartementFactory(code="59"))
    assert one({"kind": "residence"}, PersonFactory(commune=here)).explanation == (
        "La personne réside à Roubaix, dans le département 59 : critère rempli."
    )
    elsewhere = CommuneFactory(name="Arras", departement=DepartementFactory(code="62", name="Pas-de-Calais"))
    assert one({"kind": "residence"}, PersonFactory(commune=elsewhere)).passed is False
    moved = PersonFactory(commune=here, address_outside_departement=True, address_insee_code="75056")
    result = one({"kind": "residence"}, moved)
    assert result.passed is False and "hors du département 59" in result.explanation
    assert one({"kind": "residence"}, PersonFactory(commune=None)).passed is None


def test_resources_with_household_size():
    rule = {"kind": "resources", "max": "1000", "per_extra_person": "400"}
    person = PersonFactory()
    version = SchemeVersionFactory(rules=[rule])
    application = draft(person, version.scheme, declared_resources=Decimal("1700"), household_size=3)
    [result] = evaluate(version, person, on=ON, application=application)
    assert result.passed is True
    assert (
        "1\u202f700,00\u00a0€ par mois pour 3 personnes, dans la limite du plafond de 1\u202f800,00\u00a0€"
        in (result.explanation)
    )
    application.household_size = 2
    [result] = evaluate(version, person, on=ON, application=application)
    assert result.passed is False and "au-dessus du plafond de 1\u202f400,00\u00a0€" in result.explanation
    application.declared_resources = None
    [result] = evaluate(version, person, on=ON, application=application)
    assert result.passed is None and "non déclarées" in result.explanation


def test_job_start_within_days_and_sectors():
    person = PersonFactory()
    rule = {"kind": "job_start", "within_days": 30, "sectors": ["aide à la personne"]}
    assert one(rule, person).passed is None  # nothing recorded: the contract shows it
    job_start(person, ON - datetime.timedelta(days=45), sector="Aide à domicile")
    assert one(rule, person).passed is None  # too old for 30 days
    job_start(person, ON - datetime.timedelta(days=10), sector="Grande distribution")
    result = one(rule, person)
    assert result.passed is False
    assert "21/11/2026, secteur « Grande distribution », hors des secteurs retenus" in result.explanation
    job_start(person, ON - datetime.timedelta(days=5), sector="Aide à domicile")
    result = one(rule, person)
    assert result.passed is True
    assert (
        result.explanation
        == "Reprise d'emploi enregistrée le 26/11/2026, secteur « aide à la personne » : critère rempli."
    )
    assert one({"kind": "job_start", "within_days": 60}, person).passed is True


def test_job_start_seasonal_contract():
    person = PersonFactory()
    job_start(person, ON - datetime.timedelta(days=3), contract_type="saisonnier", sector="")
    assert one({"kind": "job_start", "sectors": ["saisonnier"]}, person).passed is True


def test_every_kind_is_stated_in_french():
    assert set(RULE_KINDS) == {
        "age", "rsa_open", "soumis_droits_devoirs", "ase_placement", "residence", "resources", "job_start",
    }  # fmt: skip
    assert explain_rule({"kind": "job_start", "within_days": 30, "sectors": ["numérique"]}) == (
        "Avoir repris un emploi ou une formation depuis moins de 30 jours, dans l'un de ces secteurs : numérique"
    )
    assert explain_rule({"kind": "resources", "max": "1000", "per_extra_person": "300"}).startswith(
        "Des ressources mensuelles du foyer d'au plus 1\u202f000,00\u00a0€, plus 300,00\u00a0€"
    )


def test_rule_errors():
    assert rule_errors({"kind": "age", "min": 16, "max": 25}) == []
    assert rule_errors({"kind": "age", "min": 26, "max": 25}) == [
        "Âge : l'âge minimal (26 ans) dépasse l'âge maximal (25 ans)."
    ]
    assert rule_errors({"kind": "resources"}) == [
        "Plafond de ressources : indiquez « plafond mensuel pour une personne (€) »."
    ]
    assert "secteur inconnu « BTP »" in rule_errors({"kind": "job_start", "sectors": ["BTP"]})[0]
    assert "Critère inconnu « nationalite »" in rule_errors({"kind": "nationalite"})[0]
    assert "paramètre inconnu « foo »" in rule_errors({"kind": "rsa_open", "foo": 1})[0]


def test_whole_rule_set_in_bounded_queries(django_assert_max_num_queries):
    person = PersonFactory()
    with_right(person)
    ChildProtectionPlacement.objects.create(
        person=person, placed_from=datetime.date(2015, 1, 5), attested_by="ASE"
    )
    job_start(person, ON - datetime.timedelta(days=3), sector="numérique", placement=999)
    version = SchemeVersionFactory(rules=[
        {"kind": "age", "min": 16}, {"kind": "rsa_open"}, {"kind": "soumis_droits_devoirs"},
        {"kind": "ase_placement"}, {"kind": "residence"}, {"kind": "resources", "max": "900"},
        {"kind": "job_start", "sectors": ["numérique"]},
    ])  # fmt: skip
    person.refresh_from_db()
    with django_assert_max_num_queries(6):
        results = evaluate(version, person, on=ON)
    assert [r.passed for r in results] == [True, True, True, True, True, None, True]
