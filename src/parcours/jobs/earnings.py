"""Earnings simulation: what a person would receive each month if they took an offer.

The amounts (net salary, RSA, prime d'activité, housing aid) are computed by OpenFisca-France,
run as a separate service (`make openfisca`, see services/openfisca/README.md) and called over
HTTP through `parcours.core.openfisca` (``OPENFISCA_URL``, ``OPENFISCA_TIMEOUT``). When the
service does not answer, `simulate` raises `SimulationUnavailable` (re-exported here from
`parcours.core.openfisca`) and the page shows « Simulation indisponible ».

One request holds two copies of the household: with the job (salary from the start month) and
without it (no salary). Prior income is taken as nil (a person on RSA, without a job); the
three months before the start are sent too, because RSA and prime d'activité are computed
on the previous quarter's resources.

The département's rule is applied on top of OpenFisca's result: when the offer is in a listed
sector (numérique, aide à la personne, saisonnier; see `cumulation_sector`), during the first
3 months of work the person keeps their full RSA, i.e. the RSA of the household without the
job, if higher than the RSA with it. The prime d'activité stays as OpenFisca computes it.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from parcours.core.openfisca import SimulationUnavailable, openfisca_timeout, openfisca_url  # noqa: F401 (re-exported)
from parcours.core.openfisca import request as _request
from parcours.jobs.models import ContractType, JobOffer
from parcours.jobs.models.applications import add_months

WEEKS_PER_MONTH = Decimal(52) / Decimal(12)
MONTHS = 6
CUMULATION_MONTHS = 3
# The département's listed sectors: ROME codes or prefixes, plus seasonal contracts.
CUMULATION_ROME_PREFIXES = {
    "numérique": ("M18", "E1101", "E1104", "E1205"),
    "aide à la personne": ("K1302", "K1303", "K1304", "K1305"),
}
HOUSING_STATUSES = {
    "locataire_vide": "Locataire (logement vide, hors HLM)",
    "locataire_hlm": "Locataire HLM",
    "locataire_meuble": "Locataire meublé",
    "loge_gratuitement": "Hébergé(e) gratuitement",
    "proprietaire": "Propriétaire",
}


def cumulation_sector(offer: JobOffer) -> str | None:
    """The listed sector of the département's cumulation rule the offer belongs to, if any."""
    if offer.contract_type == ContractType.SAISONNIER:
        return "saisonnier"
    code = offer.appellation.rome_id
    for sector, prefixes in CUMULATION_ROME_PREFIXES.items():
        if code.startswith(prefixes):
            return sector
    return None


@dataclass
class Household:
    """What the simulation needs to know of the household (entered or taken from Parcours)."""

    birth_date: datetime.date
    partner_birth_date: datetime.date | None = None
    children_birth_dates: list[datetime.date] = field(default_factory=list)
    rent: Decimal = Decimal(0)
    housing_status: str = "locataire_vide"
    commune_insee: str = "59350"


@dataclass
class Month:
    month: datetime.date
    salary: float
    rsa: float
    ppa: float
    housing: float
    rsa_without_job: float
    cumulation: bool = False

    @property
    def total(self) -> float:
        return self.salary + self.rsa + self.ppa + self.housing


@dataclass
class Simulation:
    gross_monthly_salary: Decimal
    sector: str | None
    months: list[Month]
    without_job_total: float

    @property
    def average_gain(self) -> float:
        """Average monthly income gained by taking the job over the period."""
        return sum(m.total for m in self.months) / len(self.months) - self.without_job_total


@functools.lru_cache(maxsize=4)
def _smic_values(base_url: str) -> tuple[tuple[str, float], ...]:
    values = _request("/parameter/marche_travail.salaire_minimum.smic.smic_b_horaire")["values"]
    return tuple(sorted(values.items()))


def smic_hourly(on: datetime.date) -> Decimal:
    """The gross hourly SMIC in force on a date, read from OpenFisca's parameters."""
    values = _smic_values(openfisca_url())
    applicable = [value for start, value in values if start <= on.isoformat()]
    if not applicable:
        raise SimulationUnavailable("SMIC introuvable")
    return Decimal(str(applicable[-1]))


def gross_monthly_salary(offer: JobOffer, on: datetime.date) -> Decimal:
    """Hours per week × 52/12 × the offer's hourly wage, or the SMIC if none is given."""
    hourly = offer.hourly_wage if offer.hourly_wage is not None else smic_hourly(on)
    return (Decimal(offer.hours_per_week) * WEEKS_PER_MONTH * hourly).quantize(Decimal("0.01"))


def first_month(offer: JobOffer, today: datetime.date) -> datetime.date:
    start = max(offer.start_date, today)
    return start.replace(day=1)


def build_situation(household: Household, salary: Decimal, months: list[datetime.date]) -> dict:
    """The OpenFisca situation: two copies of the household, `avec` (salary from months[0]) and
    `sans` (no salary). Salaries of the 3 months before are sent as 0 (quarterly resources)."""
    keys = [f"{m:%Y-%m}" for m in months]
    before = [f"{add_months(months[0], -k):%Y-%m}" for k in (3, 2, 1)]
    situation: dict = {"individus": {}, "familles": {}, "foyers_fiscaux": {}, "menages": {}}
    for scenario in ("avec", "sans"):
        applicant = f"{scenario}_demandeur"
        salaries = dict.fromkeys(before, 0.0)
        salaries.update({key: float(salary) if scenario == "avec" else 0.0 for key in keys})
        situation["individus"][applicant] = {
            "date_naissance": {"ETERNITY": household.birth_date.isoformat()},
            "salaire_de_base": salaries,
            "salaire_net": dict.fromkeys(keys),
        }
        parents = [applicant]
        if household.partner_birth_date:
            partner = f"{scenario}_conjoint"
            situation["individus"][partner] = {
                "date_naissance": {"ETERNITY": household.partner_birth_date.isoformat()}
            }
            parents.append(partner)
        children = []
        for index, born in enumerate(household.children_birth_dates):
            child = f"{scenario}_enfant_{index}"
            situation["individus"][child] = {"date_naissance": {"ETERNITY": born.isoformat()}}
            children.append(child)
        situation["familles"][scenario] = {
            "parents": parents,
            "enfants": children,
            "rsa": dict.fromkeys(keys),
            "ppa": dict.fromkeys(keys),
            "aide_logement": dict.fromkeys(keys),
        }
        situation["foyers_fiscaux"][scenario] = {"declarants": parents, "personnes_a_charge": children}
        situation["menages"][scenario] = {
            "personne_de_reference": [applicant],
            **({"conjoint": [parents[1]]} if len(parents) > 1 else {}),
            "enfants": children,
            "loyer": {key: float(household.rent) for key in keys},
            "statut_occupation_logement": dict.fromkeys(keys, household.housing_status),
            "depcom": dict.fromkeys(keys, household.commune_insee),
        }
    return situation


def simulate(
    offer: JobOffer, household: Household, *, today: datetime.date | None = None, months: int = MONTHS
) -> Simulation:
    """Month-by-month income over `months` months from the offer's start (or this month).

    Raises SimulationUnavailable when OpenFisca does not answer within the timeout.
    """
    today = today or datetime.date.today()
    start = first_month(offer, today)
    month_list = [add_months(start, k) for k in range(months)]
    salary = gross_monthly_salary(offer, start)
    result = _request("/calculate", build_situation(household, salary, month_list))
    sector = cumulation_sector(offer)
    try:
        with_job, without = result["familles"]["avec"], result["familles"]["sans"]
        net = result["individus"]["avec_demandeur"]["salaire_net"]
        rows = []
        for index, month in enumerate(month_list):
            key = f"{month:%Y-%m}"
            rsa, rsa_without = float(with_job["rsa"][key]), float(without["rsa"][key])
            cumulation = sector is not None and index < CUMULATION_MONTHS
            rows.append(
                Month(
                    month=month,
                    salary=round(float(net[key]), 2),
                    rsa=round(max(rsa, rsa_without) if cumulation else rsa, 2),
                    ppa=round(float(with_job["ppa"][key]), 2),
                    housing=round(float(with_job["aide_logement"][key]), 2),
                    rsa_without_job=round(rsa_without, 2),
                    cumulation=cumulation,
                )
            )
        first = f"{month_list[0]:%Y-%m}"
        without_total = sum(float(without[name][first]) for name in ("rsa", "ppa", "aide_logement"))
    except (KeyError, TypeError, ValueError) as exc:
        raise SimulationUnavailable(f"réponse inattendue : {exc}") from exc
    return Simulation(
        gross_monthly_salary=salary, sector=sector, months=rows, without_job_total=round(without_total, 2)
    )


def household_of(person, *, rent: Decimal = Decimal(0), housing_status: str = "locataire_vide") -> Household:
    """The person's household as Parcours knows it (partner and children from their CAF household)."""
    from parcours.people.models import HouseholdMember, MemberRole

    membership = HouseholdMember.objects.filter(person=person).select_related("household").first()
    partner, children = None, []
    if membership is not None:
        for member in membership.household.memberships.exclude(person=person).select_related("person"):
            if member.role == MemberRole.CONJOINT:
                partner = member.person.birth_date
            elif member.role == MemberRole.ENFANT:
                children.append(member.person.birth_date)
    return Household(
        birth_date=person.birth_date,
        partner_birth_date=partner,
        children_birth_dates=children,
        rent=rent,
        housing_status=housing_status,
        commune_insee=person.commune.insee_code if person.commune_id else "59350",
    )
