"""Eligibility rules of a scheme version, evaluated against what Parcours knows of the person,
each explained in French whether it passes or fails.

A version's `rules` is a list of JSON objects, each with a `kind` among `RULE_KINDS` and its
parameters. `evaluate(version, person, on=…, application=…)` returns one `RuleResult` per rule:
`passed` True, False, or None when Parcours cannot tell (the instructor checks it, with the
documents). `explain_rule(rule)` states a rule in French for the catalogue.

Rule kinds (parameters):
- `age` (min, max): age on the request day, both ends included;
- `rsa_open`: an RSA right open (or suspended) according to the last CNAF flux;
- `soumis_droits_devoirs`: « soumis à droits et devoirs » in the last flux;
- `ase_placement`: a past placement with the aide sociale à l'enfance is attested;
- `residence`: lives in the département (commune known and in it, address not outside);
- `resources` (max, per_extra_person): the household's declared monthly resources are at most
  max + per_extra_person × (persons − 1);
- `job_start` (sectors, within_days): a job started less than `within_days` ago (optionally in
  one of the listed sectors), recorded in the person's pathway.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal


@dataclass(frozen=True)
class RuleResult:
    kind: str
    label: str  # the rule stated in French
    passed: bool | None
    explanation: str  # why it passes or fails, in French, with the facts used

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Facts:
    """What the rules read of the person (gathered once per evaluation)."""

    person: object
    on: datetime.date
    application: object | None


Evaluator = Callable[[dict, Facts], RuleResult]
RULE_KINDS: dict[str, tuple[str, Callable[[dict], str], Evaluator]] = {}


def rule_kind(kind: str, title: str, describe: Callable[[dict], str]):
    """Register an evaluator for `kind` (`title`: the kind's name in the catalogue editor;
    `describe(rule)`: the rule stated in French)."""

    def register(evaluator: Evaluator) -> Evaluator:
        RULE_KINDS[kind] = (title, describe, evaluator)
        return evaluator

    return register


def explain_rule(rule: dict) -> str:
    entry = RULE_KINDS.get(rule.get("kind", ""))
    if entry is None:
        return f"Critère inconnu ({rule.get('kind', '?')})"
    return entry[1](rule)


def evaluate(version, person, *, on: datetime.date, application=None) -> list[RuleResult]:
    facts = Facts(person=person, on=on, application=application)
    results = []
    for rule in version.rules or []:
        entry = RULE_KINDS.get(rule.get("kind", ""))
        if entry is None:
            results.append(
                RuleResult(rule.get("kind", "?"), explain_rule(rule), None, "Critère inconnu : à vérifier.")
            )
            continue
        results.append(entry[2](rule, facts))
    return results


def failing(results: list[RuleResult]) -> list[RuleResult]:
    return [r for r in results if r.passed is False]


def _date(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


def _age_on(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _describe_age(rule: dict) -> str:
    low, high = rule.get("min"), rule.get("max")
    if low is not None and high is not None:
        return f"Avoir entre {low} et {high} ans le jour de la demande"
    if low is not None:
        return f"Avoir au moins {low} ans le jour de la demande"
    return f"Avoir au plus {high} ans le jour de la demande"


@rule_kind("age", "Âge", _describe_age)
def _age(rule: dict, facts: Facts) -> RuleResult:
    age = _age_on(facts.person.birth_date, facts.on)
    low, high = rule.get("min"), rule.get("max")
    passed = (low is None or age >= low) and (high is None or age <= high)
    verdict = "rempli" if passed else "non rempli"
    return RuleResult(
        "age",
        _describe_age(rule),
        passed,
        f"La personne a {age} ans le {_date(facts.on)} : critère {verdict}.",
    )


def _money(value) -> str:
    from parcours.aids.money import euros

    return euros(Decimal(str(value)))
