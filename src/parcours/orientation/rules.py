"""Pre-orientation: the département's ordered rules, first match wins.

`facts_for(person)` gathers the data the conditions read; `evaluate(rules, facts)` is
pure and returns the rule that fired with the data it fired on, so the agent sees why
an orientation is proposed. Where the facts come from:

- age: `Person.birth_date`;
- France Travail registration: the latest `PersonEvent` of kind `france_travail.inscription`
  (its date), or `data["france_travail_registration_date"]` on the rights event;
- housing: `data["housing"]` of the latest event carrying it (`rsa.droits_devoirs` or
  `situation.logement`), one of `HOUSING_PRECARIOUS`;
- household: the person's CAF/MSA household — a single parent is a demandeur without a
  conjoint; the children's ages come from their birth dates.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from parcours.orientation.models import Condition, PreOrientationRule
from parcours.people import event_kinds
from parcours.people.event_kinds import FRANCE_TRAVAIL_REGISTRATION

HOUSING_PRECARIOUS = {
    "hebergement_urgence",
    "sans_domicile_fixe",
    "sans_domicile_stable",
    "hebergement_tiers",
}
HOUSING_LABELS = {
    "hebergement_urgence": "hébergement d'urgence",
    "sans_domicile_fixe": "sans domicile fixe",
    "sans_domicile_stable": "sans domicile stable",
    "hebergement_tiers": "hébergé par un tiers",
}


@dataclass
class Facts:
    """What the conditions may read about a person, on a given day."""

    on: datetime.date
    age: int | None = None
    france_travail_registered_on: datetime.date | None = None
    housing: str = ""
    lives_with_partner: bool = False
    children_ages: list[int] = field(default_factory=list)


@dataclass
class Proposal:
    rule: PreOrientationRule
    orientation: str
    evidence: dict

    @property
    def explanation(self) -> str:
        details = ", ".join(f"{key} : {value}" for key, value in self.evidence.items())
        return f"Règle « {self.rule.name} »" + (f" ({details})" if details else "")


def _years_between(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def facts_for(person, on: datetime.date | None = None) -> Facts:
    """Gather the person's facts (see the module docstring for their sources)."""
    on = on or timezone.localdate()
    facts = Facts(on=on, age=_years_between(person.birth_date, on) if person.birth_date else None)
    person_events = person.events.filter(occurred_at__date__lte=on).order_by("-occurred_at", "-id")
    registration = person_events.filter(kind=FRANCE_TRAVAIL_REGISTRATION).first()
    if registration:
        facts.france_travail_registered_on = timezone.localdate(registration.occurred_at)
    for event in person_events.filter(kind__in=[event_kinds.DUTIES_START, event_kinds.HOUSING_SITUATION])[
        :20
    ]:
        data = event.data or {}
        if not facts.housing and data.get("housing"):
            facts.housing = str(data["housing"])
        if not facts.france_travail_registered_on and data.get("france_travail_registration_date"):
            with contextlib.suppress(ValueError):
                facts.france_travail_registered_on = datetime.date.fromisoformat(
                    data["france_travail_registration_date"]
                )
    membership = person.memberships.select_related("household").order_by("-household__created_at").first()
    if membership:
        others = membership.household.memberships.exclude(person=person).select_related("person")
        for other in others:
            if other.role == "conjoint" or (membership.role == "conjoint" and other.role == "demandeur"):
                facts.lives_with_partner = True
            elif other.role == "enfant":
                facts.children_ages.append(_years_between(other.person.birth_date, on))
    return facts


def _match(rule: PreOrientationRule, facts: Facts) -> dict | None:
    """The evidence if the rule's condition holds for the facts, else None."""
    if rule.condition == Condition.FRANCE_TRAVAIL_RECENT:
        registered = facts.france_travail_registered_on
        months = rule.parameter("months")
        if registered and registered <= facts.on and _months_between(registered, facts.on) < months:
            return {"inscription France Travail": registered.strftime("%d/%m/%Y"), "moins de (mois)": months}
    elif rule.condition == Condition.PRECARIOUS_HOUSING:
        if facts.housing in HOUSING_PRECARIOUS:
            return {"logement": HOUSING_LABELS.get(facts.housing, facts.housing)}
    elif rule.condition == Condition.AGE_UNDER:
        years = rule.parameter("years")
        if facts.age is not None and facts.age < years:
            return {"âge": facts.age, "moins de (ans)": years}
    elif rule.condition == Condition.SINGLE_PARENT_YOUNG_CHILD:
        limit = rule.parameter("child_under_years")
        young = [age for age in facts.children_ages if age < limit]
        if not facts.lives_with_partner and young:
            return {"parent isolé": "oui", "âge du plus jeune enfant": min(young), "moins de (ans)": limit}
    elif rule.condition == Condition.ALWAYS:
        return {}
    return None


def evaluate(rules: Iterable[PreOrientationRule], facts: Facts) -> Proposal | None:
    """The first active rule, in order, whose condition holds; None if none does."""
    for rule in sorted(rules, key=lambda r: (r.position, r.pk or 0)):
        if not rule.active:
            continue
        evidence = _match(rule, facts)
        if evidence is not None:
            return Proposal(rule=rule, orientation=rule.orientation, evidence=evidence)
    return None


def propose(person, departement, on: datetime.date | None = None) -> Proposal | None:
    """The pre-orientation of a person under the département's rules."""
    rules = PreOrientationRule.objects.filter(departement=departement, active=True)
    return evaluate(rules, facts_for(person, on))


DEFAULT_RULES = [
    (10, "Inscrit à France Travail depuis moins de 12 mois", Condition.FRANCE_TRAVAIL_RECENT, {"months": 12},
     "professionnelle", "france_travail"),
    (20, "Hébergement d'urgence ou sans domicile stable", Condition.PRECARIOUS_HOUSING, {},
     "sociale", "service_social"),
    (30, "Moins de 30 ans", Condition.AGE_UNDER, {"years": 30}, "professionnelle", "mdie_coaching"),
    (40, "Parent isolé avec un enfant de moins de 3 ans", Condition.SINGLE_PARENT_YOUNG_CHILD,
     {"child_under_years": 3}, "socio_professionnelle", "mdie_coaching"),
    (100, "Par défaut", Condition.ALWAYS, {}, "socio_professionnelle", "mdie_coaching"),
]  # fmt: skip


def install_default_rules(departement) -> int:
    """Create the example rules of the issue for a département that has none; returns how many."""
    if PreOrientationRule.objects.filter(departement=departement).exists():
        return 0
    PreOrientationRule.objects.bulk_create(
        PreOrientationRule(
            departement=departement, position=position, name=name, condition=condition,
            parameters=parameters, orientation=orientation, organism=organism,
        )
        for position, name, condition, parameters, orientation, organism in DEFAULT_RULES
    )  # fmt: skip
    return len(DEFAULT_RULES)
