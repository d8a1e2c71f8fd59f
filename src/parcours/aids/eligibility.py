"""Eligibility rules of a scheme version, evaluated against what Parcours knows of the person,
each explained in French whether it passes or fails.

A version's `rules` is a list of JSON objects, each with a `kind` among `RULE_KINDS` and its
parameters. `evaluate(version, person, on=…, application=…)` returns one `RuleResult` per rule:
`passed` True, False, or None when Parcours cannot tell (the instructor checks it, with the
documents). `explain_rule(rule)` states a rule in French for the catalogue; `rule_errors(rule)`
lists what is wrong with a rule's parameters (`RULE_PARAMS`), for the catalogue editor.

Rule kinds (parameters):
- `age` (min, max): age on the request day, both ends included;
- `rsa_open`: an RSA right open (or suspended) according to the last CNAF flux;
- `soumis_droits_devoirs`: « soumis à droits et devoirs » in the last flux;
- `ase_placement` (min_age_at_end, optional): a placement with the aide sociale à l'enfance is
  attested (`aids.ChildProtectionPlacement`), lasting at least until that age when given;
- `residence`: lives in the département (commune known and in it, address not outside);
- `resources` (max, per_extra_person): the household's declared monthly resources are at most
  max + per_extra_person × (persons − 1);
- `job_start` (sectors, within_days): a job started less than `within_days` ago (optionally in
  one of the listed sectors), recorded in the person's pathway.

False means Parcours knows the rule fails (a grant is then refused); None, that it does not know
(no flux, no commune, nothing declared, no hire recorded): « à vérifier par l'instructeur ».
Each kind reads its facts once per evaluation (`Facts.cached`): a whole rule set costs at most
five queries (RSA right, placements, commune, job starts, their placements' offers).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone

TO_CHECK = "à vérifier par l'instructeur"


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
    """What the rules read of the person (gathered once per evaluation, on first use)."""

    person: object
    on: datetime.date
    application: object | None
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    def cached(self, key: str, read: Callable[[], object]):
        """`read()` once per evaluation: rules sharing a fact share its query."""
        if key not in self.cache:
            self.cache[key] = read()
        return self.cache[key]


@dataclass(frozen=True)
class Param:
    """A parameter of a rule kind: `type` is "int", "euros" or "sectors" (a list of names)."""

    name: str
    label: str
    type: str = "int"
    required: bool = False
    help: str = ""


Evaluator = Callable[[dict, Facts], RuleResult]
RULE_KINDS: dict[str, tuple[str, Callable[[dict], str], Evaluator]] = {}
RULE_PARAMS: dict[str, tuple[Param, ...]] = {}
# The sectors a `job_start` rule may list (those of `jobs.earnings.cumulation_sector`).
SECTORS = ("numérique", "aide à la personne", "saisonnier")


def rule_kind(kind: str, title: str, describe: Callable[[dict], str], params: tuple[Param, ...] = ()):
    """Register an evaluator for `kind` (`title`: the kind's name in the catalogue editor;
    `describe(rule)`: the rule stated in French; `params`: its parameters, for the editor and
    `rule_errors`)."""

    def register(evaluator: Evaluator) -> Evaluator:
        RULE_KINDS[kind] = (title, describe, evaluator)
        RULE_PARAMS[kind] = params
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


def rule_errors(rule: dict) -> list[str]:
    """What is wrong with `rule` (unknown kind, unknown, missing or ill-typed parameters), in
    French; empty when the rule can be evaluated."""
    kind = rule.get("kind", "")
    if kind not in RULE_KINDS:
        return [f"Critère inconnu « {kind} » : choisissez parmi {', '.join(sorted(RULE_KINDS))}."]
    title = RULE_KINDS[kind][0]
    params = {p.name: p for p in RULE_PARAMS[kind]}
    errors = [
        f"{title} : paramètre inconnu « {name} »." for name in rule if name != "kind" and name not in params
    ]
    for param in params.values():
        value = rule.get(param.name)
        if value is None or value == "" or value == []:
            if param.required:
                errors.append(f"{title} : indiquez « {param.label} ».")
            continue
        if param.type == "int" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            errors.append(f"{title} : « {param.label} » est un nombre entier positif.")
        elif param.type == "euros":
            try:
                if Decimal(str(value)) < 0:
                    raise InvalidOperation
            except InvalidOperation:
                errors.append(f"{title} : « {param.label} » est un montant positif en euros.")
        elif param.type == "sectors":
            unknown = [s for s in value if s not in SECTORS] if isinstance(value, list) else [value]
            if unknown:
                errors.append(
                    f"{title} : secteur inconnu « {unknown[0]} » (secteurs possibles : {', '.join(SECTORS)})."
                )
    if kind == "age" and not errors:
        low, high = rule.get("min"), rule.get("max")
        if low is None and high is None:
            errors.append("Âge : indiquez un âge minimal, un âge maximal, ou les deux.")
        elif low is not None and high is not None and low > high:
            errors.append(f"Âge : l'âge minimal ({low} ans) dépasse l'âge maximal ({high} ans).")
    return errors


def _date(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


def _verdict(passed: bool | None) -> str:
    return {True: "critère rempli", False: "critère non rempli", None: TO_CHECK}[passed]


def _age_on(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _money(value) -> str:
    from parcours.aids.money import euros

    return euros(Decimal(str(value)))


# -- age --------------------------------------------------------------------------------------


def _describe_age(rule: dict) -> str:
    low, high = rule.get("min"), rule.get("max")
    if low is not None and high is not None:
        return f"Avoir entre {low} et {high} ans le jour de la demande"
    if low is not None:
        return f"Avoir au moins {low} ans le jour de la demande"
    return f"Avoir au plus {high} ans le jour de la demande"


@rule_kind(
    "age",
    "Âge",
    _describe_age,
    (Param("min", "âge minimal (ans)"), Param("max", "âge maximal (ans)")),
)
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


# -- RSA --------------------------------------------------------------------------------------


def _rsa_right(facts: Facts):
    from parcours.rsa.rights import current_right

    return facts.cached("rsa_right", lambda: current_right(facts.person))


def _describe_rsa_open(rule: dict) -> str:
    return "Avoir un droit au RSA ouvert (même suspendu) selon le dernier flux de la CAF ou de la MSA"


@rule_kind("rsa_open", "Droit au RSA ouvert", _describe_rsa_open)
def _rsa_open(rule: dict, facts: Facts) -> RuleResult:
    right = _rsa_right(facts)
    if right is None:
        return RuleResult(
            "rsa_open",
            _describe_rsa_open(rule),
            None,
            f"Aucun droit au RSA de la personne dans les flux reçus : {TO_CHECK} (attestation CAF ou MSA).",
        )
    passed = right.is_open
    state = right.get_state_display().lower()
    since = ""
    if right.suspended_on and right.state in ("3", "4"):
        since = f" depuis le {_date(right.suspended_on)}"
    elif right.closed_on and not passed:
        since = f" depuis le {_date(right.closed_on)}"
    return RuleResult(
        "rsa_open",
        _describe_rsa_open(rule),
        passed,
        f"Droit au RSA {state}{since} selon le flux du {_date(right.reference_date)} : {_verdict(passed)}.",
    )


def _describe_duties(rule: dict) -> str:
    return "Être soumis(e) à droits et devoirs au titre du RSA"


@rule_kind("soumis_droits_devoirs", "Soumis(e) à droits et devoirs", _describe_duties)
def _duties(rule: dict, facts: Facts) -> RuleResult:
    from parcours.rsa.rights import subject_to_duties

    right = _rsa_right(facts)
    duties = subject_to_duties(facts.person, right) if right is not None else None
    if duties is None:
        where = f"le flux du {_date(right.reference_date)}" if right is not None else "aucun flux reçu"
        explanation = (
            f"Parcours ne sait pas si la personne est soumise à droits et devoirs ({where}) : {TO_CHECK}."
        )
    elif duties:
        explanation = (
            f"La personne est soumise à droits et devoirs selon le flux du {_date(right.reference_date)} : "
            "critère rempli."
        )
    else:
        explanation = (
            f"La personne n'est pas soumise à droits et devoirs selon le flux du {_date(right.reference_date)} : "
            "critère non rempli."
        )
    return RuleResult("soumis_droits_devoirs", _describe_duties(rule), duties, explanation)


# -- child protection -------------------------------------------------------------------------


def _describe_ase(rule: dict) -> str:
    age = rule.get("min_age_at_end")
    text = "Avoir été confié(e) à l'aide sociale à l'enfance (placement attesté)"
    return f"{text}, au moins jusqu'à {age} ans" if age is not None else text


@rule_kind(
    "ase_placement",
    "Placement à l'aide sociale à l'enfance",
    _describe_ase,
    (
        Param(
            "min_age_at_end",
            "encore confié(e) à l'âge de (ans)",
            help="Facultatif : le placement a duré au moins jusqu'à cet âge (ex. 16).",
        ),
    ),
)
def _ase(rule: dict, facts: Facts) -> RuleResult:
    placements = facts.cached("ase_placements", lambda: list(facts.person.ase_placements.all()))
    label = _describe_ase(rule)
    if not placements:
        return RuleResult(
            "ase_placement",
            label,
            None,
            f"Aucun placement à l'ASE enregistré dans Parcours : {TO_CHECK} (attestation du service de l'ASE).",
        )
    min_age = rule.get("min_age_at_end")
    birth = facts.person.birth_date

    def long_enough(placement) -> bool:
        if min_age is None:
            return True
        end = placement.placed_until or facts.on
        return _age_on(birth, end) >= min_age

    chosen = next((p for p in placements if long_enough(p)), placements[0])
    passed = long_enough(chosen)
    until = f" au {_date(chosen.placed_until)}" if chosen.placed_until else " (en cours)"
    explanation = f"Placement à l'ASE du {_date(chosen.placed_from)}{until}, attesté par {chosen.attested_by}"
    if min_age is not None:
        end = chosen.placed_until or facts.on
        explanation += f" ; la personne avait {_age_on(birth, end)} ans à sa fin"
    return RuleResult("ase_placement", label, passed, f"{explanation} : {_verdict(passed)}.")


# -- residence --------------------------------------------------------------------------------


def _describe_residence(rule: dict) -> str:
    return "Résider dans le département"


@rule_kind("residence", "Résidence dans le département", _describe_residence)
def _residence(rule: dict, facts: Facts) -> RuleResult:
    from parcours.territory.models import Commune

    person = facts.person
    label = _describe_residence(rule)
    code = settings.PARCOURS_DEPARTEMENT
    if person.address_outside_departement:
        town = person.address_insee_code or "inconnue"
        return RuleResult(
            "residence",
            label,
            False,
            f"La dernière adresse connue est hors du département {code} (commune INSEE {town}) : critère non rempli.",
        )
    if not person.commune_id:
        return RuleResult(
            "residence",
            label,
            None,
            f"Aucune commune connue pour la personne : {TO_CHECK} (justificatif de domicile).",
        )
    name, departement = facts.cached(
        "commune",
        lambda: Commune.objects.filter(pk=person.commune_id).values_list("name", "departement__code").first(),
    ) or ("?", "")
    passed = departement == code
    where = "dans le" if passed else "hors du"
    return RuleResult(
        "residence",
        label,
        passed,
        f"La personne réside à {name}, {where} département {code} : {_verdict(passed)}.",
    )


# -- resources --------------------------------------------------------------------------------


def _resources_ceiling(rule: dict, persons: int) -> Decimal:
    return Decimal(str(rule.get("max") or 0)) + Decimal(str(rule.get("per_extra_person") or 0)) * max(
        persons - 1, 0
    )


def _describe_resources(rule: dict) -> str:
    text = f"Des ressources mensuelles du foyer d'au plus {_money(rule.get('max') or 0)}"
    if rule.get("per_extra_person"):
        text += f", plus {_money(rule['per_extra_person'])} par personne supplémentaire au foyer"
    return text


@rule_kind(
    "resources",
    "Plafond de ressources",
    _describe_resources,
    (
        Param("max", "plafond mensuel pour une personne (€)", "euros", required=True),
        Param("per_extra_person", "majoration par personne supplémentaire (€)", "euros"),
    ),
)
def _resources(rule: dict, facts: Facts) -> RuleResult:
    label = _describe_resources(rule)
    application = facts.application
    declared = getattr(application, "declared_resources", None)
    if declared is None:
        return RuleResult(
            "resources", label, None, f"Ressources du foyer non déclarées dans la demande : {TO_CHECK}."
        )
    persons = getattr(application, "household_size", None) or 1
    ceiling = _resources_ceiling(rule, persons)
    passed = Decimal(str(declared)) <= ceiling
    who = "1 personne" if persons == 1 else f"{persons} personnes"
    compare = "dans la limite du" if passed else "au-dessus du"
    return RuleResult(
        "resources",
        label,
        passed,
        f"Ressources déclarées : {_money(declared)} par mois pour {who}, {compare} plafond de "
        f"{_money(ceiling)} : {_verdict(passed)}.",
    )


# -- job start --------------------------------------------------------------------------------


def _describe_job_start(rule: dict) -> str:
    days = rule.get("within_days") or 90
    text = f"Avoir repris un emploi ou une formation depuis moins de {days} jours"
    sectors = rule.get("sectors") or []
    if sectors:
        text += f", dans l'un de ces secteurs : {', '.join(sectors)}"
    return text


def _job_starts(facts: Facts, days: int) -> list:
    from parcours.people.event_kinds import JOB_START
    from parcours.people.models import PersonEvent

    start = timezone.make_aware(
        datetime.datetime.combine(facts.on - datetime.timedelta(days=days), datetime.time())
    )
    end = timezone.make_aware(
        datetime.datetime.combine(facts.on + datetime.timedelta(days=1), datetime.time())
    )
    return facts.cached(
        f"job_starts:{days}",
        lambda: list(
            PersonEvent.objects.filter(
                person=facts.person, kind=JOB_START, occurred_at__gte=start, occurred_at__lt=end
            ).order_by("-occurred_at")
        ),
    )


def _offer_sectors(facts: Facts, placement_ids: list[int]) -> dict[int, str | None]:
    """placement id → the listed sector of its offer (`jobs.earnings.cumulation_sector`)."""
    if not placement_ids:
        return {}
    from parcours.jobs.earnings import cumulation_sector
    from parcours.jobs.models.applications import Placement

    def read():
        placements = Placement.objects.filter(pk__in=placement_ids).select_related(
            "application__offer__appellation"
        )
        return {p.pk: cumulation_sector(p.application.offer) for p in placements}

    return facts.cached(f"offer_sectors:{sorted(placement_ids)}", read)


def _event_sector(event, offers: dict[int, str | None]) -> str | None:
    data = event.data or {}
    if data.get("placement") in offers and offers[data["placement"]]:
        return offers[data["placement"]]
    if data.get("contract_type") == "saisonnier":
        return "saisonnier"
    from parcours.aids.cumulation import sector_of_text  # the same reading as the cumulation's proposal

    return sector_of_text(data.get("sector", "") or "")


@rule_kind(
    "job_start",
    "Reprise d'emploi récente",
    _describe_job_start,
    (
        Param("within_days", "depuis moins de (jours)", help="90 jours si vide."),
        Param("sectors", "secteurs", "sectors", help="Facultatif : tout secteur si aucun n'est coché."),
    ),
)
def _job_start(rule: dict, facts: Facts) -> RuleResult:
    days = rule.get("within_days") or 90
    sectors = rule.get("sectors") or []
    label = _describe_job_start(rule)
    events = _job_starts(facts, days)
    since = _date(facts.on - datetime.timedelta(days=days))
    if not events:
        return RuleResult(
            "job_start",
            label,
            None,
            f"Aucune reprise d'emploi enregistrée dans le parcours depuis le {since} : {TO_CHECK} "
            "(contrat de travail ou promesse d'embauche).",
        )
    latest = events[0]
    started = _date(timezone.localtime(latest.occurred_at).date())
    if not sectors:
        return RuleResult(
            "job_start", label, True, f"Reprise d'emploi enregistrée le {started} : critère rempli."
        )
    placement_ids = [e.data["placement"] for e in events if isinstance((e.data or {}).get("placement"), int)]
    offers = _offer_sectors(facts, placement_ids)
    found = [(event, _event_sector(event, offers)) for event in events]
    matching = next(((e, s) for e, s in found if s in sectors), None)
    if matching is not None:
        day = _date(timezone.localtime(matching[0].occurred_at).date())
        return RuleResult(
            "job_start",
            label,
            True,
            f"Reprise d'emploi enregistrée le {day}, secteur « {matching[1]} » : critère rempli.",
        )
    known = [(e, s) for e, s in found if s is not None or (e.data or {}).get("sector")]
    if not known:
        return RuleResult(
            "job_start",
            label,
            None,
            f"Reprise d'emploi enregistrée le {started}, secteur non précisé : {TO_CHECK} (contrat de travail).",
        )
    event, sector = known[0]
    shown = sector or (event.data or {}).get("sector", "")
    day = _date(timezone.localtime(event.occurred_at).date())
    return RuleResult(
        "job_start",
        label,
        False,
        f"Reprise d'emploi enregistrée le {day}, secteur « {shown} », hors des secteurs retenus "
        f"({', '.join(sectors)}) : critère non rempli.",
    )
