"""The RSA + salary cumulation (#14, deliverable 7): a proposal made when a job start is recorded.

When `accompaniment.workflows.record_job` records a new job start (signal `job_started`, sent on
commit and connected in `AidsConfig.ready`), `propose(outcome, by=…)` creates a **draft**
application of the département's cumulation scheme (the active scheme of family « cumul ») for the
person, filed by the recording agent, with the OpenFisca simulation attached, when:

- the job is in a listed sector: `jobs.earnings.cumulation_sector` of the offer when the job comes
  from the platform (a seasonal placement counts as « saisonnier »), else the outcome's `sector`
  text (a ROME code of the listed prefixes, or words such as « numérique », « aide à domicile »,
  « saisonnier »: `sector_of_text`);
- the person has an open RSA right (the last CNAF flux: `rsa.rights.current_right`);
- the job started at most `CUMULATION_MONTHS` months before the recording (an old job recorded
  late, e.g. by the history generator, proposes nothing) and a version of the scheme is valid on
  the recording day.

Nothing else happens when one of these fails: the reason is logged as a code
(`aids.cumulation.<code>`), never with personal data. One proposal per job start: a second call
for the same outcome returns the application already made (`simulation["outcome"]`).

The simulation (`simulate_job`) asks OpenFisca for the household's income over the first
`CUMULATION_MONTHS` months with and without the job (`jobs.earnings.simulate`); the RSA kept each
month is the RSA without the job minus the RSA with it (the département keeps the full RSA in the
listed sectors), and the proposed amount is their sum, within the version's ceiling. When
OpenFisca does not answer, the proposal is still made, its simulation marked « indisponible »;
`retry_simulation` asks again (button on the application page). The event `aide.cumul_propose`
is appended through `workflows.event`.

`application.simulation` holds: outcome, sector, started_on (and started_label), status (« ok » / « indisponible »),
computed_at, gross_monthly_salary, hours_per_week, months [{month, label, salary, rsa_with_job,
rsa_without_job, rsa_kept, ppa, housing}] and rsa_kept_total (amounts as strings of euros).
"""

from __future__ import annotations

import datetime
import logging
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from parcours.aids import event_kinds, workflows
from parcours.aids.models import AidApplication, ApplicationState, Scheme, SchemeFamily
from parcours.aids.models.applications import QUEUE_STATES
from parcours.core import audit
from parcours.core.dates import add_months

logger = logging.getLogger(__name__)

CUMULATION_MONTHS = 3
DEFAULT_HOURS_PER_WEEK = Decimal(35)
OK, UNAVAILABLE = "ok", "indisponible"
# Words of a free-text sector that name one of the département's listed sectors (accents and case
# ignored). ROME codes are matched against `jobs.earnings.CUMULATION_ROME_PREFIXES`.
SECTOR_WORDS = {
    "numérique": ("numerique", "informatique", "developpeu", "digital"),
    "aide à la personne": (
        "aide a la personne",
        "aide a domicile",
        "services a la personne",
        "service a la personne",
        "auxiliaire de vie",
        "aide-soignant",
        "aide soignant",
    ),
    "saisonnier": ("saisonnier", "saison", "vendange", "recolte"),
}
# States in which the simulation may still be asked again (before the decision).
RETRY_STATES = (ApplicationState.DRAFT, *QUEUE_STATES)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def sector_of_text(text: str) -> str | None:
    """The listed sector a free-text sector (or a ROME code) names, if any."""
    from parcours.jobs.earnings import CUMULATION_ROME_PREFIXES

    plain = _plain(text)
    if not plain:
        return None
    code = plain.upper().replace(" ", "")
    for sector, prefixes in CUMULATION_ROME_PREFIXES.items():
        if len(code) >= 3 and code[0].isalpha() and code[1:3].isdigit() and code.startswith(prefixes):
            return sector
    for sector, words in SECTOR_WORDS.items():
        if any(word in plain for word in words):
            return sector
    return None


def _platform_offer(outcome):
    """The offer and the placement behind an outcome recorded from the job platform, if any."""
    placement = outcome.placement
    application = outcome.application or (placement.application if placement is not None else None)
    return (application.offer if application is not None else None), placement


def listed_sector(outcome) -> str | None:
    """The listed sector of the job `outcome` records (the offer's, else its sector text)."""
    from parcours.jobs.earnings import cumulation_sector
    from parcours.jobs.models import ContractType

    offer, placement = _platform_offer(outcome)
    if offer is not None:
        if placement is not None and placement.contract_type == ContractType.SAISONNIER:
            return "saisonnier"
        return cumulation_sector(offer)
    return sector_of_text(outcome.sector)


def cumulation_scheme() -> Scheme | None:
    """The département's active cumulation scheme (family « cumul »), if the catalogue has one."""
    return Scheme.objects.filter(family=SchemeFamily.CUMULATION, is_active=True).order_by("code").first()


def rsa_open(person) -> bool:
    from parcours.rsa.rights import current_right

    right = current_right(person)
    return right is not None and right.is_open


@dataclass
class _Terms:
    """The job's terms in the shape `jobs.earnings.simulate` reads of an offer. No ROME code and no
    seasonal contract: the simulation returns OpenFisca's raw figures, the département's rule is
    applied here (`_rows`)."""

    start_date: datetime.date
    hours_per_week: Decimal
    hourly_wage: Decimal | None = None
    contract_type: str = ""
    appellation: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(rome_id=""))


def simulate_job(outcome) -> dict:
    """The OpenFisca figures of the job's first `CUMULATION_MONTHS` months (see the module's
    docstring); raises `SimulationUnavailable` when OpenFisca does not answer."""
    from parcours.jobs.earnings import household_of, simulate

    offer, _ = _platform_offer(outcome)
    hours = outcome.hours_per_week or (offer.hours_per_week if offer is not None else None)
    terms = _Terms(
        start_date=outcome.started_on,
        hours_per_week=Decimal(str(hours)) if hours else DEFAULT_HOURS_PER_WEEK,
        hourly_wage=offer.hourly_wage if offer is not None else None,
    )
    simulation = simulate(
        terms, household_of(outcome.person), today=outcome.started_on, months=CUMULATION_MONTHS
    )
    months, total = [], Decimal("0.00")
    for month in simulation.months:
        kept = max(Decimal(str(month.rsa_without_job)) - Decimal(str(month.rsa)), Decimal(0)).quantize(
            Decimal("0.01")
        )
        total += kept
        months.append(
            {
                "month": f"{month.month:%Y-%m}",
                "label": date_format(month.month, "F Y"),
                "salary": f"{month.salary:.2f}",
                "rsa_with_job": f"{month.rsa:.2f}",
                "rsa_without_job": f"{month.rsa_without_job:.2f}",
                "rsa_kept": f"{kept:.2f}",
                "ppa": f"{month.ppa:.2f}",
                "housing": f"{month.housing:.2f}",
            }
        )
    return {
        "status": OK,
        "gross_monthly_salary": f"{simulation.gross_monthly_salary:.2f}",
        "hours_per_week": f"{terms.hours_per_week:.1f}",
        "months": months,
        "rsa_kept_total": f"{total:.2f}",
    }


def _simulation_of(outcome, sector: str, at: datetime.datetime) -> dict:
    from parcours.core.openfisca import SimulationUnavailable

    base = {
        "outcome": outcome.pk,
        "sector": sector,
        "started_on": outcome.started_on.isoformat(),
        "started_label": f"{outcome.started_on:%d/%m/%Y}",
        "computed_at": at.isoformat(),
    }
    try:
        return base | simulate_job(outcome)
    except SimulationUnavailable:
        logger.warning("aids.cumulation.openfisca_unavailable")
        return base | {"status": UNAVAILABLE, "months": [], "rsa_kept_total": None}


def proposed_amount(application_or_version, simulation: dict) -> Decimal | None:
    """The sum of the RSA kept, within the version's ceiling; None when nothing is kept or the
    simulation is unavailable."""
    version = getattr(application_or_version, "version", application_or_version)
    total = simulation.get("rsa_kept_total")
    if simulation.get("status") != OK or total is None:
        return None
    amount = Decimal(total)
    if amount <= 0:
        return None
    return min(amount, version.ceiling) if version.ceiling else amount


def proposal_for(outcome) -> AidApplication | None:
    """The proposal already made for the job start `outcome`, if any."""
    return (
        AidApplication.objects.filter(
            person_id=outcome.person_id,
            scheme__family=SchemeFamily.CUMULATION,
            simulation__outcome=outcome.pk,
        )
        .order_by("pk")
        .first()
    )


def _skip(code: str) -> None:
    # An old job recorded late (the history generator records thousands) is no news.
    level = logging.DEBUG if code in ("job_start_out_of_period", "not_a_job") else logging.INFO
    logger.log(level, "aids.cumulation.%s", code)
    return None


def propose(outcome, *, by, at: datetime.datetime | None = None, request=None) -> AidApplication | None:
    """Make the cumulation proposal of the job start `outcome` (see the module's docstring), or
    return None (the reason logged as a code). Idempotent: the proposal already made is returned."""
    from parcours.accompaniment.models import OutcomeKind

    at = at or timezone.now()
    day = timezone.localtime(at).date()
    if outcome.kind != OutcomeKind.JOB:
        return _skip("not_a_job")
    if outcome.started_on < add_months(day, -CUMULATION_MONTHS) or outcome.started_on > add_months(day, 1):
        return _skip("job_start_out_of_period")
    sector = listed_sector(outcome)
    if sector is None:
        return _skip("sector_not_listed")
    scheme = cumulation_scheme()
    if scheme is None:
        return _skip("no_scheme")
    if scheme.version_on(day) is None:
        return _skip("no_version")
    if not rsa_open(outcome.person):
        return _skip("no_open_rsa_right")
    existing = proposal_for(outcome)
    if existing is not None:
        return existing
    simulation = _simulation_of(outcome, sector, at)  # outside the transaction: an HTTP call
    with transaction.atomic():
        type(outcome).objects.select_for_update().filter(pk=outcome.pk).first()  # one proposal per job
        existing = proposal_for(outcome)
        if existing is not None:
            return existing
        try:
            application = workflows.create_draft(
                outcome.person,
                scheme,
                by=by,
                at=at,
                purpose=_purpose(outcome, sector),
                request=request,
            )
        except ValidationError:
            return _skip("draft_refused")
        application.simulation = simulation
        application.requested_amount = proposed_amount(application, simulation)
        application.save(update_fields=["simulation", "requested_amount", "updated_at"])
        workflows.event(
            application,
            event_kinds.CUMULATION_PROPOSED,
            at,
            amount=application.requested_amount,
            outcome=outcome.pk,
            sector=sector,
            simulated=simulation["status"] == OK,
        )
    return application


def _purpose(outcome, sector: str) -> str:
    return (
        f"Cumul intégral du RSA et du salaire pendant {CUMULATION_MONTHS} mois : emploi commencé le "
        f"{outcome.started_on:%d/%m/%Y} dans un secteur retenu par le Département ({sector})."
    )


def retry_simulation(application: AidApplication, *, by, at=None, request=None) -> AidApplication:
    """Ask OpenFisca again for the proposal's simulation (after « Simulation indisponible »); the
    requested amount follows while the application is undecided."""
    from parcours.accompaniment.models import Outcome

    if application.state not in RETRY_STATES:
        raise ValidationError("La demande est décidée : sa simulation n'est plus recalculée.")
    outcome = Outcome.objects.filter(pk=application.simulation.get("outcome")).first()
    if outcome is None:
        raise ValidationError(
            "L'emploi à l'origine de cette proposition n'existe plus : simulation impossible."
        )
    simulation = _simulation_of(outcome, application.simulation.get("sector", ""), at or timezone.now())
    if simulation["status"] != OK:
        raise ValidationError(
            "Simulation indisponible : le service OpenFisca ne répond pas, réessayez plus tard."
        )
    application.simulation = simulation
    application.requested_amount = proposed_amount(application, simulation)
    application.save(update_fields=["simulation", "requested_amount", "updated_at"])
    audit.record_changes(by, application.person, ["aide:simulation"], request=request)
    return application


def on_job_started(sender, *, outcome, by=None, **kwargs) -> None:
    """Receiver of `accompaniment.workflows.job_started` (sent once the job is committed): the
    proposal, which calls OpenFisca, runs as a task of the queue (django-q2), never in the request
    that recorded the job. Job starts that cannot lead to a proposal (not a job, out of the
    period, sector not listed) are dropped here, without a task."""
    from django_q.tasks import async_task

    from parcours.accompaniment.models import OutcomeKind

    day = timezone.localdate()
    if outcome.kind != OutcomeKind.JOB:
        return _skip("not_a_job")
    if outcome.started_on < add_months(day, -CUMULATION_MONTHS) or outcome.started_on > add_months(day, 1):
        return _skip("job_start_out_of_period")
    if listed_sector(outcome) is None:
        return _skip("sector_not_listed")
    async_task(
        "parcours.aids.cumulation.propose_task",
        outcome.pk,
        getattr(by, "pk", None),
        group="aides",
        task_name=f"cumul-{outcome.pk}",
    )


def propose_task(outcome_id: int, agent_id: int | None) -> None:
    """The queued proposal of `on_job_started` (idempotent: a second run returns the first)."""
    from parcours.accompaniment.models import Outcome
    from parcours.accounts.models import Agent

    outcome = Outcome.objects.filter(pk=outcome_id).select_related("person").first()
    if outcome is None:
        return
    by = Agent.objects.filter(pk=agent_id).first() if agent_id else None
    try:
        propose(outcome, by=by)
    except Exception:  # logged as a code; the job stays recorded and the agent may file by hand
        logger.exception("aids.cumulation.failed")
