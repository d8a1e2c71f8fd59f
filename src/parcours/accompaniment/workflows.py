"""The only writers of accompaniments, référents, contacts, outcomes and exits, and of their
pathway events (`people.PersonEvent`, source "accompagnement").

Every function takes `by` (the agent, or None for a system run: the CNAF follow-up task, the
demo history) and explicit dates, so that the demo can replay the past. Each raises
`ValidationError` with a French message an agent can act on, writes its event dated on the day
of the fact (`orientation.events.on_day`), and audits the change (names of fields, never values).

Events written (kinds in `people.event_kinds`, read by `indicators`):

- `start` → `accompagnement.debut` {programme, site}
- `log_contact`, `log_contacts` (several at once) → `accompagnement.contact` {mode, programme}
- `end` → `accompagnement.fin` {motif, programme}, then `sortie` when the reason ends the pathway
- `record_job` → `emploi.debut` {contract_type, hours_per_week, sector, placement}
- `record_training` → `formation.debut` {training_kind}
- `record_exit` → `sortie` {motif}
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from parcours.accompaniment.cadence import Week, cadence  # noqa: F401 (part of this module's contract)
from parcours.accompaniment.models import (
    COACHING_MONTHS,
    NOTE_MAX_LENGTH,
    Accompaniment,
    AccompanimentReferent,
    Contact,
    ContactMode,
    EndReason,
    Exit,
    ExitReason,
    ExitSource,
    JobContractType,
    Outcome,
    OutcomeKind,
    Programme,
)
from parcours.core import audit
from parcours.core.dates import add_months
from parcours.orientation.events import on_day
from parcours.people import event_kinds as ev
from parcours.people.models import Follow, PersonEvent

SOURCE = "accompagnement"
# Sent once a new job start recorded by `record_job` is committed (kwargs: outcome, by); not sent
# when the same hire is recorded again. `aids` connects the RSA + salary cumulation proposal to it.
job_started = Signal()
FOLLOW_KIND = "accompagnement"
# End reasons that end the pathway itself: `end` then records an exit with the same motive.
EXIT_ON_END = {
    EndReason.JOB: ExitReason.JOB,
    EndReason.TRAINING: ExitReason.TRAINING,
    EndReason.MOVED: ExitReason.MOVED,
    EndReason.RIGHTS_ENDED: ExitReason.RIGHTS_ENDED,
}
# The job platform's contract types in the vocabulary of `emploi.debut`: a seasonal job is a
# fixed-term contract (CDD saisonnier).
PLATFORM_CONTRACT_TYPES = {"saisonnier": JobContractType.CDD}


def _event(person, kind: str, day: datetime.date, **data) -> PersonEvent:
    return PersonEvent.objects.create(
        person=person, kind=kind, occurred_at=on_day(day), source=SOURCE, data=data
    )


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            f"Le commentaire fait {len(note)} caractères : {NOTE_MAX_LENGTH} au plus, raccourcissez-le."
        )
    return note


def _not_future(day: datetime.date, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(f"{what} ({_date(day)}) ne peut pas être dans le futur.")


# -- the rules ---------------------------------------------------------------------------------


def _before_end_of(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` (Europe/Paris), to select the events of `day` or before."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def left_departement_on(person, on: datetime.date) -> datetime.date | None:
    """The day the person left the département, when on `on` they are still gone: their last
    `rsa.depart_departement` came after their last arrival (`rsa.arrivee_departement`, or a
    right opened here, `rsa.entree`, as `indicators.pathways` reads presence). None otherwise."""
    last = (
        PersonEvent.objects.filter(
            person=person,
            kind__in=[ev.MOVED_OUT, ev.MOVED_IN, ev.RSA_ENTRY],
            occurred_at__lt=_before_end_of(on),
        )
        .order_by("-occurred_at", "-id")
        .first()
    )
    if last is None or last.kind != ev.MOVED_OUT:
        return None
    return timezone.localtime(last.occurred_at).date()


def start_refusal(person, on: datetime.date) -> str | None:
    """Why `person` may not start an accompaniment on `on` (None when they may).

    An accompaniment is offered after the first interview: the person must have an honoured
    appointment (`rdv.honore`) or an orientation decision (`orientation.decidee`) on or before
    `on`; and they must live in the département (no departure since their last arrival). Nobody
    enters an accompaniment while they have asked for the restriction of processing."""
    from parcours.privacy.restriction import is_restricted

    if is_restricted(person.pk):
        return (
            "La personne a demandé la limitation du traitement de ses données : aucun accompagnement "
            "ne peut commencer tant que la limitation est active (« Données personnelles » sur la fiche)."
        )
    gone = left_departement_on(person, on)
    if gone is not None:
        return (
            f"La personne a quitté le département le {_date(gone)} : elle ne peut pas entrer en "
            "accompagnement. Vérifiez sa situation dans le dernier flux CNAF."
        )
    seen = PersonEvent.objects.filter(
        person=person,
        kind__in=[ev.APPOINTMENT_HONOURED, ev.ORIENTATION_DECIDED],
        occurred_at__lt=_before_end_of(on),
    ).exists()
    if not seen:
        return (
            "L'accompagnement se propose après le premier entretien : enregistrez d'abord le "
            "rendez-vous honoré ou la décision d'orientation de la personne."
        )
    return None


def _already_open_message(programme: Programme) -> str:
    return (
        f"Cette personne a déjà un accompagnement « {programme.label} » en cours : un seul peut être "
        "ouvert à la fois. Rejoignez-le comme référent, ou terminez-le avant d'en commencer un autre."
    )


def _has_open(person, programme: Programme) -> bool:
    """The early check; the partial unique constraint is the guarantee under concurrency."""
    return Accompaniment.objects.open().filter(person=person, programme=programme).exists()


def _check_pair(programme: Programme, referents: list) -> None:
    if programme != Programme.GLOBAL:
        return
    if len(referents) != 2:
        raise ValidationError(
            "Un accompagnement global se fait en binôme : désignez deux référents, "
            "de deux organisations différentes (par exemple le Département et France Travail)."
        )
    _check_organisations(referents)


def _check_organisations(agents: list) -> None:
    for agent in agents:
        if agent.organisation_id is None:
            raise ValidationError(
                f"{agent} n'est rattaché·e à aucune organisation : un binôme d'accompagnement global "
                "réunit deux organisations. Demandez à un administrateur de compléter son compte."
            )
    if len({agent.organisation_id for agent in agents}) < len(agents):
        raise ValidationError(
            "Les deux référents d'un accompagnement global doivent venir de deux organisations "
            "différentes : choisissez un référent d'une autre organisation."
        )


def _add_referent_row(accompaniment: Accompaniment, agent, on: datetime.date) -> AccompanimentReferent:
    follow = Follow.objects.create(person=accompaniment.person, agent=agent, kind=FOLLOW_KIND, started_on=on)
    return AccompanimentReferent.objects.create(
        accompaniment=accompaniment,
        agent=agent,
        organisation_id=agent.organisation_id,
        since=on,
        follow=follow,
    )


def _end_referent_row(row: AccompanimentReferent, on: datetime.date) -> None:
    row.until = max(on, row.since)
    row.save(update_fields=["until"])
    if row.follow_id:
        Follow.objects.filter(pk=row.follow_id, ended_on__isnull=True).update(ended_on=row.until)


# -- accompaniments ----------------------------------------------------------------------------


def start(
    person,
    programme: str,
    *,
    referents: list,
    on: datetime.date,
    by,
    site=None,
    planned_end_on: datetime.date | None = None,
) -> Accompaniment:
    """Open an accompaniment of `person` in `programme` from `on`, followed by `referents`.

    Coaching ends as planned 3 calendar months after its start (unless `planned_end_on` says
    otherwise); an accompagnement global needs two référents of two different organisations;
    other programmes at least one. Refused (ValidationError) when `start_refusal` says so, when
    the planned end precedes the start, or when the person already has an open accompaniment
    of the programme: the database's partial unique constraint settles two concurrent starts
    (the second is refused with the same message). Writes `accompagnement.debut`."""
    programme = Programme(programme)
    referents = list(dict.fromkeys(referents))
    if not referents:
        raise ValidationError("Désignez au moins un référent pour cet accompagnement.")
    _check_pair(programme, referents)
    if planned_end_on is None and programme == Programme.COACHING:
        planned_end_on = add_months(on, COACHING_MONTHS)
    if planned_end_on is not None and planned_end_on < on:
        raise ValidationError(
            f"La fin prévue ({_date(planned_end_on)}) précède le début ({_date(on)}) : corrigez l'une des deux dates."
        )
    refusal = start_refusal(person, on)
    if refusal:
        raise ValidationError(refusal)
    with transaction.atomic():
        if _has_open(person, programme):
            raise ValidationError(_already_open_message(programme))
        try:
            with transaction.atomic():
                accompaniment = Accompaniment.objects.create(
                    person=person,
                    programme=programme,
                    started_on=on,
                    planned_end_on=planned_end_on,
                    site=site,
                    created_by=by,
                )
        except IntegrityError:
            # Another agent opened it between our check and our insert.
            raise ValidationError(_already_open_message(programme)) from None
        for agent in referents:
            _add_referent_row(accompaniment, agent, on)
        _event(person, ev.COACHING_START, on, programme=programme.value, site=str(site.pk) if site else "")
    audit.record_changes(by, person, ["accompagnement"], created=True)
    return accompaniment


def add_referent(accompaniment: Accompaniment, agent, *, on: datetime.date, by) -> AccompanimentReferent:
    """Make `agent` a référent of the open `accompaniment` from `on` (the same agent again returns
    their row). A pair (accompagnement global) holds two référents of two organisations."""
    with transaction.atomic():
        Accompaniment.objects.select_for_update().filter(pk=accompaniment.pk).first()
        accompaniment.refresh_from_db()
        if not accompaniment.is_open:
            raise ValidationError("Cet accompagnement est terminé : on ne peut plus y ajouter de référent.")
        if on < accompaniment.started_on:
            raise ValidationError(
                f"Un référent ne peut pas être désigné avant le début de l'accompagnement ({_date(accompaniment.started_on)})."
            )
        active = list(accompaniment.referents.filter(until__isnull=True).select_related("agent"))
        for row in active:
            if row.agent_id == agent.pk:
                return row
        if accompaniment.programme == Programme.GLOBAL:
            if len(active) >= 2:
                raise ValidationError(
                    "Ce binôme a déjà deux référents : retirez-en un avant d'en désigner un autre."
                )
            _check_organisations([row.agent for row in active] + [agent])
        row = _add_referent_row(accompaniment, agent, on)
    audit.record_changes(by, accompaniment.person, ["référent d'accompagnement"])
    return row


def remove_referent(accompaniment: Accompaniment, agent, *, on: datetime.date, by) -> AccompanimentReferent:
    """End `agent`'s role as référent on `on`. The last référent of an open accompaniment stays
    (end the accompaniment instead); a pair left with one référent is to be completed."""
    with transaction.atomic():
        Accompaniment.objects.select_for_update().filter(pk=accompaniment.pk).first()
        active = list(accompaniment.referents.filter(until__isnull=True))
        row = next((row for row in active if row.agent_id == agent.pk), None)
        if row is None:
            raise ValidationError("Cet agent n'est pas référent de cet accompagnement.")
        if len(active) == 1 and accompaniment.is_open:
            raise ValidationError(
                "C'est le seul référent de l'accompagnement : désignez-en un autre d'abord, "
                "ou terminez l'accompagnement."
            )
        if on < row.since:
            raise ValidationError(f"Cet agent n'est référent que depuis le {_date(row.since)}.")
        _end_referent_row(row, on)
    audit.record_changes(by, accompaniment.person, ["référent d'accompagnement"])
    return row


def log_contact(
    accompaniment: Accompaniment,
    *,
    on: datetime.date,
    mode: str,
    note: str = "",
    by,
    application=None,
) -> Contact:
    """Record a contact of the open `accompaniment` on `on` (between its start and today).
    A contact about an `application` (a proposal to an offer) is recorded once: logging it
    again returns the first one. Writes `accompagnement.contact`."""
    mode = ContactMode(mode)
    note = _note(note)
    if not accompaniment.is_open and on > accompaniment.ended_on:
        raise ValidationError(
            f"Cet accompagnement s'est terminé le {_date(accompaniment.ended_on)} : un contact ne peut pas être daté après."
        )
    if on < accompaniment.started_on:
        raise ValidationError(
            f"Le contact ({_date(on)}) précède le début de l'accompagnement ({_date(accompaniment.started_on)})."
        )
    _not_future(on, "La date du contact")
    if application is not None:
        existing = Contact.objects.filter(accompaniment=accompaniment, application=application).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                accompaniment=accompaniment, on=on, mode=mode, note=note, by=by, application=application
            )
            _event(
                accompaniment.person,
                ev.COACHING_CONTACT,
                on,
                mode=mode.value,
                programme=accompaniment.programme,
            )
    except IntegrityError:  # the same application logged concurrently
        return Contact.objects.get(accompaniment=accompaniment, application=application)
    audit.record_changes(by, accompaniment.person, ["contact d'accompagnement"], created=True)
    return contact


def log_contacts(
    accompaniment: Accompaniment,
    contacts: list[tuple[datetime.date, str]],
    *,
    by,
    note: str = "",
) -> list[Contact]:
    """Record several dated contacts of `accompaniment` at once: (day, mode) pairs, e.g. a coach
    entering the calls of the past weeks from their notebook, or the demo history. Each contact
    obeys the rules of `log_contact` (between the start and the end, never in the future; the
    whole batch is refused, with the first faulty date, when one does not); the batch writes
    its rows and its `accompagnement.contact` events in two INSERTs, and one audit event.
    Proposals to an offer are not logged here (`log_contact(application=…)`, once each)."""
    note = _note(note)
    entries = sorted((on, ContactMode(mode)) for on, mode in contacts)
    if not entries:
        return []
    today = timezone.localdate()
    for on, _ in entries:
        if on < accompaniment.started_on:
            raise ValidationError(
                f"Le contact ({_date(on)}) précède le début de l'accompagnement ({_date(accompaniment.started_on)})."
            )
        if accompaniment.ended_on is not None and on > accompaniment.ended_on:
            raise ValidationError(
                f"Cet accompagnement s'est terminé le {_date(accompaniment.ended_on)} : "
                f"le contact du {_date(on)} ne peut pas être daté après."
            )
        if on > today:
            raise ValidationError(f"La date du contact ({_date(on)}) ne peut pas être dans le futur.")
    rows = [Contact(accompaniment=accompaniment, on=on, mode=mode, note=note, by=by) for on, mode in entries]
    events = [
        PersonEvent(
            person=accompaniment.person,
            kind=ev.COACHING_CONTACT,
            occurred_at=on_day(on),
            source=SOURCE,
            data={"mode": mode.value, "programme": accompaniment.programme},
        )
        for on, mode in entries
    ]
    with transaction.atomic():
        created = Contact.objects.bulk_create(rows)
        PersonEvent.objects.bulk_create(events)
    audit.record_changes(by, accompaniment.person, ["contact d'accompagnement"], created=True)
    return created


def end(accompaniment: Accompaniment, *, on: datetime.date, reason: str, by, note: str = "") -> Accompaniment:
    """End the open `accompaniment` on `on` for `reason`: its référents stop that day; writes
    `accompagnement.fin`, then, when the reason ends the pathway (emploi, formation,
    demenagement, fin_droits), `record_exit` with that motive."""
    reason = EndReason(reason)
    note = _note(note)
    with transaction.atomic():
        Accompaniment.objects.select_for_update().filter(pk=accompaniment.pk).first()
        accompaniment.refresh_from_db()
        if not accompaniment.is_open:
            raise ValidationError(
                f"Cet accompagnement est déjà terminé (le {_date(accompaniment.ended_on)})."
            )
        if on < accompaniment.started_on:
            raise ValidationError(
                f"La fin ({_date(on)}) précède le début de l'accompagnement ({_date(accompaniment.started_on)}) : "
                "corrigez la date de fin."
            )
        _not_future(on, "La date de fin")
        accompaniment.ended_on, accompaniment.end_reason, accompaniment.end_note = on, reason, note
        accompaniment.save(update_fields=["ended_on", "end_reason", "end_note"])
        for row in accompaniment.referents.filter(until__isnull=True):
            _end_referent_row(row, on)
        _event(
            accompaniment.person, ev.COACHING_END, on, motif=reason.value, programme=accompaniment.programme
        )
        if reason in EXIT_ON_END:
            record_exit(
                accompaniment.person,
                on=on,
                reason=EXIT_ON_END[reason],
                by=by,
                source=ExitSource.ACCOMPANIMENT_END,
            )
    audit.record_changes(by, accompaniment.person, ["fin d'accompagnement"])
    return accompaniment


# -- outcomes and exits -----------------------------------------------------------------------


def _open_accompaniment(person, on: datetime.date) -> Accompaniment | None:
    return Accompaniment.objects.filter(person=person).on(on).order_by("-started_on", "-id").first()


def record_job(
    person,
    *,
    started_on: datetime.date,
    contract_type: str,
    hours_per_week,
    sector: str,
    employer_name: str = "",
    by,
    placement=None,
    application=None,
) -> Outcome:
    """Record a job the person started on `started_on`; writes `emploi.debut`.

    The outcome is tied to the accompaniment open that day, if any. A hire from the platform
    (`placement`, `application`) is recorded once: the same placement or application again
    returns the outcome already recorded. Refused (ValidationError) for a person who had left
    the département on that day (see `left_departement_on`): the département's pathway no
    longer follows them (the platform's hook then records nothing, see `jobs_hooks`)."""
    contract_type = JobContractType(PLATFORM_CONTRACT_TYPES.get(contract_type, contract_type))
    hours = Decimal(str(hours_per_week)) if hours_per_week is not None else None
    for field, value in (("placement", placement), ("application", application)):
        if value is not None:
            existing = Outcome.objects.filter(**{field: value}).first()
            if existing is not None:
                return existing
    gone = left_departement_on(person, started_on)
    if gone is not None:
        raise ValidationError(
            f"La personne a quitté le département le {_date(gone)} : un emploi commencé le "
            f"{_date(started_on)} ne peut plus être enregistré dans son parcours."
        )
    outcome = Outcome(
        person=person,
        accompaniment=_open_accompaniment(person, started_on),
        kind=OutcomeKind.JOB,
        started_on=started_on,
        contract_type=contract_type,
        hours_per_week=hours,
        sector=(sector or "").strip()[:200],
        employer_name=(employer_name or "").strip()[:200],
        placement=placement,
        application=application,
        recorded_by=by,
    )
    outcome.full_clean(exclude=["person", "accompaniment", "placement", "application", "recorded_by"])
    try:
        with transaction.atomic():
            outcome.save()
            _event(
                person,
                ev.JOB_START,
                started_on,
                contract_type=contract_type.value,
                hours_per_week=float(hours) if hours is not None else None,
                sector=outcome.sector,
                placement=placement.pk if placement is not None else None,
            )
    except IntegrityError:  # the same hire recorded concurrently
        return (
            Outcome.objects.get(placement=placement)
            if placement
            else Outcome.objects.get(application=application)
        )
    audit.record_changes(by, person, ["emploi"], created=True)
    transaction.on_commit(lambda: job_started.send(sender=Outcome, outcome=outcome, by=by))
    return outcome


def record_training(
    person,
    *,
    started_on: datetime.date,
    ended_on: datetime.date | None,
    organism: str,
    title: str,
    qualifying: bool,
    by,
) -> Outcome:
    """Record a training the person starts on `started_on`; writes `formation.debut`
    (training_kind qualifiante / non_qualifiante)."""
    if ended_on is not None and ended_on < started_on:
        raise ValidationError(
            f"La fin de la formation ({_date(ended_on)}) précède son début ({_date(started_on)})."
        )
    if not (organism or "").strip():
        raise ValidationError("Indiquez l'organisme de formation.")
    outcome = Outcome(
        person=person,
        accompaniment=_open_accompaniment(person, started_on),
        kind=OutcomeKind.TRAINING,
        started_on=started_on,
        ended_on=ended_on,
        organism=organism.strip()[:200],
        title=(title or "").strip()[:200],
        qualifying=bool(qualifying),
        recorded_by=by,
    )
    with transaction.atomic():
        outcome.save()
        _event(
            person,
            ev.TRAINING_START,
            started_on,
            training_kind="qualifiante" if qualifying else "non_qualifiante",
        )
    audit.record_changes(by, person, ["formation"], created=True)
    return outcome


def record_exit(person, *, on: datetime.date, reason: str, by, source: str) -> Exit:
    """Record that the person leaves the pathway on `on`; writes `sortie` {motif}. The same exit
    (same day, same motive) recorded again returns the first one."""
    reason, source = ExitReason(reason), ExitSource(source)
    existing = Exit.objects.filter(person=person, on=on, reason=reason).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        exit_ = Exit.objects.create(person=person, on=on, reason=reason, source=source, recorded_by=by)
        _event(person, ev.EXIT, on, motif=reason.value)
    audit.record_changes(by, person, ["sortie du parcours"], created=True)
    return exit_
