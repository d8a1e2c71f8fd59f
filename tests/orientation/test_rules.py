import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.orientation.models import PreOrientationRule
from parcours.orientation.rules import Facts, evaluate, facts_for, install_default_rules, propose
from parcours.people.models import PersonEvent
from tests.orientation.factories import RuleFactory
from tests.people.factories import MemberFactory, PersonFactory

ON = datetime.date(2026, 6, 1)


def default_rules():
    """The issue's example rules, unsaved (the evaluator is pure)."""
    return [
        PreOrientationRule(position=1, name="FT récent", condition="france_travail_recent",
                           parameters={"months": 6}, orientation="professionnelle"),
        PreOrientationRule(position=2, name="Logement", condition="precarious_housing", orientation="sociale"),
        PreOrientationRule(position=3, name="Jeunes", condition="age_under", parameters={"years": 30},
                           orientation="professionnelle", organism="mdie_coaching"),
        PreOrientationRule(position=4, name="Parent isolé", condition="single_parent_young_child",
                           orientation="socio_professionnelle"),
        PreOrientationRule(position=9, name="Défaut", condition="always", orientation="socio_professionnelle"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "rule", "evidence"),
    [
        (Facts(on=ON, age=45, france_travail_registered_on=datetime.date(2026, 1, 15), housing="sans_domicile_fixe"),
         "FT récent", {"inscription France Travail": "15/01/2026", "moins de (mois)": 6}),
        (Facts(on=ON, age=45, france_travail_registered_on=datetime.date(2025, 11, 15), housing="sans_domicile_fixe"),
         "Logement", {"logement": "sans domicile fixe"}),
        (Facts(on=ON, age=24, children_ages=[1]), "Jeunes", {"âge": 24, "moins de (ans)": 30}),
        (Facts(on=ON, age=35, children_ages=[7, 2]), "Parent isolé",
         {"parent isolé": "oui", "âge du plus jeune enfant": 2, "moins de (ans)": 3}),
        (Facts(on=ON, age=35, children_ages=[2], lives_with_partner=True), "Défaut", {}),
        (Facts(on=ON, age=35, children_ages=[3]), "Défaut", {}),
    ],
)  # fmt: skip
def test_first_matching_rule_wins_and_shows_its_data(facts, rule, evidence):
    proposal = evaluate(default_rules(), facts)
    assert proposal.rule.name == rule
    assert proposal.evidence == evidence


def test_inactive_rules_are_skipped_and_no_rule_means_no_proposal():
    rules = default_rules()
    for rule in rules:
        rule.active = rule.condition != "always"
    assert evaluate(rules, Facts(on=ON, age=50)) is None


def test_rule_parameters_are_validated():
    rule = PreOrientationRule(
        position=1, name="x", condition="age_under", parameters={"months": 3}, orientation="sociale"
    )
    with pytest.raises(ValidationError, match="inconnu"):
        rule.clean()
    rule.parameters = {"years": -2}
    with pytest.raises(ValidationError, match="entier positif"):
        rule.clean()


@pytest.mark.django_db
def test_facts_come_from_events_and_household(departement):
    parent = PersonFactory(birth_date=datetime.date(1990, 5, 1))
    membership = MemberFactory(person=parent, role="demandeur")
    toddler_born = timezone.localdate() - datetime.timedelta(days=400)
    MemberFactory(household=membership.household, role="enfant", person__birth_date=toddler_born)
    PersonEvent.objects.create(
        person=parent, kind="rsa.droits_devoirs", occurred_at=timezone.now() - datetime.timedelta(days=3),
        data={"housing": "hebergement_urgence"}, source="flux",
    )  # fmt: skip
    registered_at = timezone.now() - datetime.timedelta(days=400)
    PersonEvent.objects.create(
        person=parent, kind="france_travail.inscription", occurred_at=registered_at, source="flux",
    )  # fmt: skip

    facts = facts_for(parent)
    assert facts.housing == "hebergement_urgence"
    assert facts.children_ages == [1]
    assert not facts.lives_with_partner
    # The Paris calendar day of that instant: 400 days ago at 23:30 in winter is a day later in summer time.
    assert facts.france_travail_registered_on == timezone.localtime(registered_at).date()

    install_default_rules(departement)
    proposal = propose(parent, departement)
    assert proposal.rule.condition == "precarious_housing"  # the registration is older than 12 months
    assert proposal.orientation == "sociale"


@pytest.mark.django_db
def test_rules_are_ordered_data_per_departement(departement):
    RuleFactory(departement=departement, position=2, condition="always", orientation="sociale")
    RuleFactory(departement=departement, position=1, condition="age_under", parameters={"years": 99},
                orientation="professionnelle")  # fmt: skip
    person = PersonFactory(birth_date=datetime.date(1980, 1, 1))
    assert propose(person, departement).orientation == "professionnelle"
    assert install_default_rules(departement) == 0
