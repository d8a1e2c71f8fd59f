"""Access to rights at reception: the likely entitlements of a household, asked of OpenFisca, then
followed from identified to opened so that non-take-up (non-recours) is measured.

The simulation
--------------
A few answers (`answers`, a JSON-safe dict made by `forms_rights.RightsForm.answers()`) describe the
household, its resources and its housing:

- ``age``, ``couple``, ``partner_age``, ``children_ages`` (a list of ages);
- ``salary`` / ``partner_salary``: net monthly earnings (salary or self-employment) of each adult,
  on average over the last 3 months; ``unemployment`` / ``partner_unemployment``: net monthly
  unemployment benefit; ``pension`` (retirement or invalidity) and ``alimony`` received, monthly;
- ``housing_status`` (an OpenFisca `statut_occupation_logement`), ``rent`` (monthly, charges
  excluded), ``commune`` (INSEE code: OpenFisca derives the housing-aid zone from it);
- ``disability_rate`` ("", "50" for 50–79 %, "80" for 80 % or more) and ``rsdae`` (restriction
  substantielle et durable d'accès à l'emploi recognised by the CDAPH), for the AAH;
- ``already`` : the benefits the household already receives (not counted as non-take-up).

`simulate` sends one OpenFisca situation (`build_situation`) for the current month and reads the
household's RSA, prime d'activité, aides au logement, AAH (both adults) and Complémentaire santé
solidaire (`cmu_c`: without participation; `css_participation_forfaitaire` > 0: with that monthly
participation). Resources are taken as stable: the same amounts are sent for every month since
January of year N-2, because RSA and prime d'activité read the last quarter, housing aid the last
12 months and the AAH year N-2. OpenFisca reads net earnings for RSA and prime d'activité and
taxable earnings for housing aid: taxable earnings are taken as ``IMPOSABLE_PER_NET`` × net (CSG
non déductible and CRDS, about 2.9 % of 98.25 % of a gross about net / 0.78). Ages become birth
dates on 1 January of (this year − age), so each age holds all year.

Any failure of the service raises `parcours.core.openfisca.SimulationUnavailable`: the page shows
« Simulation indisponible » and keeps the answers.

How to claim each benefit is data: `reception/data/claims.json` (`claim_guidance`), with its
sources named.

The follow-up
-------------
This module is the only writer of `RightsCheck`, `RightStatus` and the ``droits.*``
`FrontDoorEvent` rows (`reception.event_kinds`). `record_check` stores a check and one
`RightStatus` per likely entitlement the household does not already receive (and is not already
followed for that person); each then moves along `RIGHT_TRANSITIONS` — `start_claim`,
`mark_opened`, `mark_not_opened` — each transition a conditional UPDATE (two agents cannot both
apply one), an event (who is in the audit log, not in the event) and an audit record when a person
is concerned. A transition outside the table raises `RightsError` with a French message.

Events written (`occurred_at` = the transition's time):
- ``droits.identifie``: person (if known), contact, unit, benefit; data ``monthly_amount`` (float,
  €, 0 for a CSS without participation), ``check`` (the RightsCheck id);
- ``droits.demande`` / ``droits.ouvert`` / ``droits.non_ouvert``: person, contact, unit, benefit;
  data ``right`` (the RightStatus id) and, for ``non_ouvert``, ``reason`` (`NOT_OPENED_REASONS`).
Non-take-up over a period = rights identified in it and not opened (`take_up`).
"""

from __future__ import annotations

import datetime
import functools
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from parcours.core import audit, openfisca
from parcours.core.dates import add_months
from parcours.core.models import AuditAction
from parcours.reception import event_kinds
from parcours.reception.models import Benefit, FrontDoorEvent, RightsCheck, RightState, RightStatus
from parcours.reception.models.rights import RIGHT_TRANSITIONS

CLAIMS_FILE = Path(__file__).resolve().parent / "data" / "claims.json"
IMPOSABLE_PER_NET = Decimal("1.037")
BENEFIT_ORDER = (Benefit.RSA, Benefit.ACTIVITY_BONUS, Benefit.HOUSING, Benefit.CSS, Benefit.AAH)
HOUSING_STATUSES = {
    "locataire_vide": "Locataire (logement vide, hors HLM)",
    "locataire_hlm": "Locataire HLM",
    "locataire_meuble": "Locataire meublé ou chambre d'hôtel",
    "locataire_foyer": "En foyer ou résidence sociale",
    "loge_gratuitement": "Hébergé(e) gratuitement (famille, amis)",
    "proprietaire": "Propriétaire",
    "primo_accedant": "Accédant à la propriété (prêt en cours)",
    "sans_domicile": "Sans domicile stable",
}
RENTING = frozenset({"locataire_vide", "locataire_hlm", "locataire_meuble", "locataire_foyer"})
DISABILITY_RATES = {"": "Aucun taux reconnu", "50": "De 50 à 79 %", "80": "80 % ou plus"}
NOT_OPENED_REASONS = {
    "refus": "Refusé par l'organisme",
    "abandon": "Demande abandonnée par la personne",
    "non_eligible": "Finalement pas éligible",
}
TRANSITION_EVENTS = {
    "start_claim": event_kinds.RIGHT_CLAIM_STARTED,
    "open": event_kinds.RIGHT_OPENED,
    "not_open": event_kinds.RIGHT_NOT_OPENED,
}
TRANSITION_LABELS = {
    "start_claim": "Demande engagée",
    "open": "Droit ouvert",
    "not_open": "Droit non ouvert",
}
FOLLOWED_STATES = (RightState.IDENTIFIED, RightState.CLAIM_STARTED)


class RightsError(Exception):
    """A refused action on the rights follow-up; the message (French) says why and what to do."""


# ---------------------------------------------------------------------------------------------
# How to claim


@functools.cache
def _claims() -> dict:
    return json.loads(CLAIMS_FILE.read_text(encoding="utf-8"))


def claim_guidance(benefit: str) -> dict:
    """How to claim `benefit`: organisme, service_en_ligne, url, ailleurs, pieces, delai, sources."""
    return _claims()[benefit]


# ---------------------------------------------------------------------------------------------
# The simulation


@dataclass
class Entitlement:
    """One benefit of a simulation: its estimated monthly amount and whether it is likely."""

    benefit: str
    monthly_amount: Decimal
    eligible: bool
    already_received: bool = False
    # The CSS's monthly participation (0: without participation); None for the other benefits.
    participation: Decimal | None = None

    @property
    def label(self) -> str:
        return Benefit(self.benefit).label

    @property
    def to_follow(self) -> bool:
        """Likely, and not already received: a right to claim (a `RightStatus` when recorded)."""
        return self.eligible and not self.already_received

    @property
    def claim(self) -> dict:
        return claim_guidance(self.benefit)

    def as_json(self) -> dict:
        return {
            "benefit": self.benefit,
            "monthly_amount": str(self.monthly_amount),
            "eligible": self.eligible,
            "already_received": self.already_received,
            "participation": None if self.participation is None else str(self.participation),
        }

    @classmethod
    def from_json(cls, data: dict) -> Entitlement:
        participation = data.get("participation")
        return cls(
            benefit=Benefit(data["benefit"]).value,
            monthly_amount=Decimal(data["monthly_amount"]),
            eligible=bool(data["eligible"]),
            already_received=bool(data.get("already_received")),
            participation=None if participation is None else Decimal(participation),
        )


@dataclass
class RightsSimulation:
    """The result of a simulation: the month computed and each benefit, in `BENEFIT_ORDER`."""

    month: datetime.date
    entitlements: list[Entitlement] = field(default_factory=list)

    @property
    def to_follow(self) -> list[Entitlement]:
        return [entitlement for entitlement in self.entitlements if entitlement.to_follow]

    @property
    def monthly_total(self) -> Decimal:
        """The likely monthly amount not yet received (the CSS pays no cash: not counted)."""
        return sum((e.monthly_amount for e in self.to_follow if e.benefit != Benefit.CSS), Decimal(0))

    def as_json(self) -> dict:
        return {"month": f"{self.month:%Y-%m}", "entitlements": [e.as_json() for e in self.entitlements]}

    @classmethod
    def from_json(cls, data: dict) -> RightsSimulation:
        month = datetime.date.fromisoformat(f"{data['month']}-01")
        return cls(month=month, entitlements=[Entitlement.from_json(item) for item in data["entitlements"]])


def _money(value) -> Decimal:
    return Decimal(str(float(value or 0))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _born(age: int, month: datetime.date) -> str:
    return datetime.date(month.year - int(age), 1, 1).isoformat()


def _months(month: datetime.date) -> list[str]:
    """Every month from January of year N-2 to `month` (resources are taken as stable)."""
    first = datetime.date(month.year - 2, 1, 1)
    keys, current = [], first
    while current <= month:
        keys.append(f"{current:%Y-%m}")
        current = add_months(current, 1)
    return keys


def _adult(answers: dict, prefix: str, age: int, month: datetime.date, months: list[str]) -> dict:
    key = f"{month:%Y-%m}"
    salary = Decimal(str(answers.get(f"{prefix}salary") or 0))
    unemployment = float(answers.get(f"{prefix}unemployment") or 0)
    adult = {
        "date_naissance": {"ETERNITY": _born(age, month)},
        "salaire_net": dict.fromkeys(months, float(salary)),
        "salaire_imposable": dict.fromkeys(
            months, float((salary * IMPOSABLE_PER_NET).quantize(Decimal("0.01")))
        ),
        "chomage_net": dict.fromkeys(months, unemployment),
        "chomage_imposable": dict.fromkeys(months, unemployment),
        "aah": {key: None},
    }
    return adult


def build_situation(answers: dict, month: datetime.date) -> dict:
    """The OpenFisca situation of the household for `month` (see the module docstring)."""
    month = month.replace(day=1)
    key, months = f"{month:%Y-%m}", _months(month)
    person = _adult(answers, "", answers["age"], month, months)
    rate = {"80": 0.8, "50": 0.5}.get(str(answers.get("disability_rate") or ""), 0.0)
    # On every month: the RSA of the last quarter counts the AAH the person would receive then.
    person["taux_incapacite"] = dict.fromkeys(months, rate)
    person["aah_restriction_substantielle_durable_acces_emploi"] = dict.fromkeys(
        months, bool(answers.get("rsdae"))
    )
    pension = float(answers.get("pension") or 0)
    person["retraite_nette"] = dict.fromkeys(months, pension)
    person["retraite_imposable"] = dict.fromkeys(months, pension)
    person["pensions_alimentaires_percues"] = dict.fromkeys(months, float(answers.get("alimony") or 0))
    individuals = {"demandeur": person}
    parents = ["demandeur"]
    if answers.get("couple"):
        individuals["conjoint"] = _adult(answers, "partner_", answers["partner_age"], month, months)
        parents.append("conjoint")
    children = []
    for index, age in enumerate(answers.get("children_ages") or []):
        name = f"enfant_{index}"
        individuals[name] = {"date_naissance": {"ETERNITY": _born(age, month)}}
        children.append(name)
    status = answers.get("housing_status") or "locataire_vide"
    rent = float(answers.get("rent") or 0) if status in RENTING else 0.0
    return {
        "individus": individuals,
        "familles": {
            "famille": {
                "parents": parents,
                "enfants": children,
                **{name: {key: None} for name in ("rsa", "ppa", "aide_logement", "cmu_c")},
                "css_participation_forfaitaire": {key: None},
            }
        },
        "foyers_fiscaux": {"foyer": {"declarants": parents, "personnes_a_charge": children}},
        "menages": {
            "menage": {
                "personne_de_reference": ["demandeur"],
                **({"conjoint": ["conjoint"]} if len(parents) > 1 else {}),
                "enfants": children,
                "loyer": {key: rent},
                "statut_occupation_logement": {key: status},
                "depcom": {key: answers.get("commune") or "59350"},
            }
        },
    }


def read_result(result: dict, answers: dict, month: datetime.date) -> RightsSimulation:
    """The entitlements of OpenFisca's answer to `build_situation(answers, month)`.

    Raises SimulationUnavailable when the answer lacks a value."""
    key = f"{month:%Y-%m}"
    already = set(answers.get("already") or [])
    try:
        family = result["familles"]["famille"]
        amounts = {
            Benefit.RSA: _money(family["rsa"][key]),
            Benefit.ACTIVITY_BONUS: _money(family["ppa"][key]),
            Benefit.HOUSING: _money(family["aide_logement"][key]),
            Benefit.AAH: sum((_money(adult["aah"][key]) for adult in _adults(result)), Decimal(0)),
        }
        free_css = bool(family["cmu_c"][key])
        participation = _money(family["css_participation_forfaitaire"][key])
    except (KeyError, TypeError, ValueError) as exc:
        raise openfisca.SimulationUnavailable(f"réponse inattendue : {exc}") from exc
    entitlements = []
    for benefit in BENEFIT_ORDER:
        if benefit == Benefit.CSS:
            eligible = free_css or participation > 0
            entitlement = Entitlement(
                benefit=benefit.value,
                monthly_amount=Decimal("0.00"),
                eligible=eligible,
                participation=(Decimal("0.00") if free_css else participation) if eligible else None,
            )
        else:
            amount = amounts[benefit]
            entitlement = Entitlement(benefit=benefit.value, monthly_amount=amount, eligible=amount > 0)
        entitlement.already_received = benefit.value in already
        entitlements.append(entitlement)
    return RightsSimulation(month=month, entitlements=entitlements)


def _adults(result: dict) -> list[dict]:
    individuals = result["individus"]
    return [individuals[name] for name in ("demandeur", "conjoint") if name in individuals]


def simulate(answers: dict, *, today: datetime.date | None = None) -> RightsSimulation:
    """The household's likely entitlements this month (`today`'s), computed by OpenFisca.

    Raises SimulationUnavailable when the service does not answer (or answers nonsense)."""
    month = (today or timezone.localdate()).replace(day=1)
    result = openfisca.calculate(build_situation(answers, month))
    return read_result(result, answers, month)


def defaults_for(person, *, today: datetime.date | None = None) -> dict:
    """The form's initial answers from what Parcours knows of `person`: age, partner's age (the
    other demandeur or conjoint of their household) and children's ages from their household
    (`people.Household`), commune. Two queries."""
    from parcours.people.models import HouseholdMember, MemberRole

    today = today or timezone.localdate()

    def age(born: datetime.date | None) -> int | None:
        if born is None:
            return None
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    initial: dict = {"age": age(person.birth_date)}
    if person.commune_id:
        initial["commune"] = person.commune.insee_code
    membership = HouseholdMember.objects.filter(person=person).order_by("pk").first()
    if membership is not None:
        others = HouseholdMember.objects.filter(household_id=membership.household_id).exclude(person=person)
        children = []
        for role, born in others.values_list("role", "person__birth_date"):
            # The partner is the other adult of the couple: the conjoint of a demandeur, or the
            # demandeur of a conjoint.
            if role in (MemberRole.CONJOINT, MemberRole.DEMANDEUR):
                initial.update(couple=True, partner_age=age(born))
            elif role == MemberRole.ENFANT and born is not None:
                children.append(age(born))
        if children:
            initial["children_ages"] = ", ".join(str(a) for a in sorted(children))
    return initial


# ---------------------------------------------------------------------------------------------
# The follow-up


def _unit_id(person, contact) -> int | None:
    if person is not None and person.commune_id:
        return person.commune.unit_id
    if contact is not None:
        from parcours.reception.routing import contact_unit

        unit = contact_unit(contact)
        return unit.pk if unit is not None else None
    return None


def record_check(
    agent,
    *,
    person=None,
    contact=None,
    answers: dict,
    results: dict | RightsSimulation,
    request=None,
    at: datetime.datetime | None = None,
) -> RightsCheck:
    """Store a check (answers and OpenFisca's result) and one `RightStatus` per likely entitlement
    to follow (`Entitlement.to_follow`), each with a ``droits.identifie`` event; audited when a
    person is concerned. A benefit already followed for the person (identified or claimed) is not
    recorded twice. The person defaults to the contact's. `at` (default: now) is the check's time
    (the demo replays past months with it).

    Raises RightsError if the contact concerns another person than `person`."""
    simulation = results if isinstance(results, RightsSimulation) else RightsSimulation.from_json(results)
    if contact is not None and contact.person_id is not None:
        if person is not None and person.pk != contact.person_id:
            raise RightsError(
                "Cette sollicitation concerne une autre personne : relancez la simulation depuis elle."
            )
        person = person or contact.person
    at = at or timezone.now()
    unit_id = _unit_id(person, contact)
    followed = set()
    if person is not None:
        followed = set(
            RightStatus.objects.filter(person=person, state__in=FOLLOWED_STATES).values_list(
                "benefit", flat=True
            )
        )
    with transaction.atomic():
        check = RightsCheck.objects.create(
            person=person,
            contact=contact,
            made_by=agent,
            made_at=at,
            answers=answers,
            results=simulation.as_json(),
        )
        for entitlement in simulation.to_follow:
            if entitlement.benefit in followed:
                continue
            status = RightStatus.objects.create(
                check_run=check,
                person=person,
                benefit=entitlement.benefit,
                monthly_amount=entitlement.monthly_amount,
                identified_at=at,
                updated_by=agent,
            )
            FrontDoorEvent.objects.create(
                kind=event_kinds.RIGHT_IDENTIFIED,
                occurred_at=at,
                person=person,
                contact=contact,
                unit_id=unit_id,
                benefit=entitlement.benefit,
                data={
                    "monthly_amount": float(entitlement.monthly_amount),
                    "check": check.pk,
                    "right": status.pk,
                },
            )
        if person is not None:
            audit.record(agent, AuditAction.CREATE, person=person, request=request, rights_check=check.pk)
    return check


def refusal(status: RightStatus, name: str) -> RightsError:
    """The error of transition `name` refused from the right's current state."""
    current = RightState(status.state).label
    wanted = TRANSITION_LABELS[name]
    return RightsError(f"Ce droit est à l'état « {current} » : il ne peut plus passer à « {wanted} ».")


def _apply(agent, status: RightStatus, name: str, *, request=None, at=None, **data) -> RightStatus:
    allowed, target = RIGHT_TRANSITIONS[name]
    if status.state not in allowed:
        raise refusal(status, name)
    at = at or timezone.now()
    updates = {"state": target, "updated_by": agent}
    if target == RightState.CLAIM_STARTED:
        updates["claim_started_at"] = at
    else:
        updates["closed_at"] = at
    check = RightsCheck.objects.select_related("contact").get(pk=status.check_run_id)
    person = status.person or (check.contact.person if check.contact_id else None)
    with transaction.atomic():
        changed = RightStatus.objects.filter(pk=status.pk, state=status.state).update(**updates)
        if not changed:
            status.refresh_from_db()
            raise RightsError(
                f"Ce droit vient d'être modifié (« {RightState(status.state).label} ») : rechargez la page."
            )
        FrontDoorEvent.objects.create(
            kind=TRANSITION_EVENTS[name],
            occurred_at=at,
            person=person,
            contact_id=check.contact_id,
            unit_id=_unit_id(person, check.contact),
            benefit=status.benefit,
            data={"right": status.pk, **data},
        )
        if person is not None:
            audit.record(
                agent, AuditAction.UPDATE, person=person, request=request, right=status.pk, transition=name
            )
    status.refresh_from_db()
    return status


def start_claim(
    agent, status: RightStatus, *, request=None, at: datetime.datetime | None = None
) -> RightStatus:
    """Identified → claim started (the claim is filed, or being filed with the person), at `at`
    (default: now)."""
    return _apply(agent, status, "start_claim", request=request, at=at)


def mark_opened(
    agent, status: RightStatus, *, request=None, at: datetime.datetime | None = None
) -> RightStatus:
    """Identified or claimed → opened (the organisme granted it), at `at` (default: now)."""
    return _apply(agent, status, "open", request=request, at=at)


def mark_not_opened(
    agent, status: RightStatus, *, reason: str, request=None, at: datetime.datetime | None = None
) -> RightStatus:
    """Identified or claimed → not opened, with a reason of `NOT_OPENED_REASONS`, at `at`
    (default: now)."""
    if reason not in NOT_OPENED_REASONS:
        raise RightsError("Indiquez pourquoi le droit n'a pas été ouvert.")
    return _apply(agent, status, "not_open", request=request, at=at, reason=reason)


def attach_person(contact, person) -> int:
    """Set `person` on the checks and rights recorded for `contact` before it was identified
    (for `reception.workflows.identify`; the events are updated there). Returns the rights updated."""
    RightsCheck.objects.filter(contact=contact, person__isnull=True).update(person=person)
    return RightStatus.objects.filter(check_run__contact=contact, person__isnull=True).update(person=person)


# ---------------------------------------------------------------------------------------------
# Who sees which rights, and the figures


def visible_rights(agent) -> QuerySet[RightStatus]:
    """The rights `agent` may follow: those of the persons they may see (`core.access`), and
    those of checks without an identified person made from a contact they may see
    (`contact_centre.unidentified_contacts`) or made by themselves without a contact."""
    from parcours.core.access import visible_persons
    from parcours.reception.contact_centre import unidentified_contacts

    persons = visible_persons(agent).values("pk")
    contacts = unidentified_contacts(agent).values("pk")
    return RightStatus.objects.filter(
        Q(person__in=persons)
        | Q(person__isnull=True, check_run__contact__person__in=persons)
        | Q(person__isnull=True, check_run__contact__in=contacts)
        | Q(person__isnull=True, check_run__contact__isnull=True, check_run__made_by=agent)
    )


def take_up(start: datetime.datetime, end: datetime.datetime) -> list[dict]:
    """Per benefit, the rights identified in [start, end) and where each stands now, read from the
    ``droits.*`` events only (as the figures are): ``identified``, ``pending`` (nothing since),
    ``claimed`` (claim started, no answer yet), ``opened``, ``not_opened``, and ``non_take_up`` =
    (identified − opened) / identified (None when nothing was identified). Two queries."""
    identified = dict(
        FrontDoorEvent.objects.filter(
            kind=event_kinds.RIGHT_IDENTIFIED, occurred_at__gte=start, occurred_at__lt=end
        ).values_list("data__right", "benefit")
    )
    latest: dict[int, str] = {}
    later = FrontDoorEvent.objects.filter(
        kind__in=TRANSITION_EVENTS.values(), data__right__in=list(identified)
    )
    for right, kind in later.order_by("occurred_at", "pk").values_list("data__right", "kind"):
        latest[right] = kind
    outcome = {
        event_kinds.RIGHT_CLAIM_STARTED: "claimed",
        event_kinds.RIGHT_OPENED: "opened",
        event_kinds.RIGHT_NOT_OPENED: "not_opened",
    }
    counts = {
        b.value: dict.fromkeys(("identified", "pending", "claimed", "opened", "not_opened"), 0)
        for b in BENEFIT_ORDER
    }
    for right, benefit in identified.items():
        row = counts[benefit]
        row["identified"] += 1
        row[outcome.get(latest.get(right), "pending")] += 1
    table = []
    for benefit in BENEFIT_ORDER:
        row = counts[benefit.value]
        rate = (
            round((row["identified"] - row["opened"]) / row["identified"], 4) if row["identified"] else None
        )
        table.append({"benefit": benefit.value, "label": benefit.label, **row, "non_take_up": rate})
    return table
