"""Every indicator of a period, computed from the event log (definitions in docs/indicators.md).

`compute(start, end)` returns one nested dict with stable keys: the same figures feed the CLI
(`parcours stats`), the dashboards, their exports and the API. Dates are Europe/Paris calendar
days; the period [start, end] includes both days; state indicators are taken at the end of `end`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from parcours.indicators import events as ev
from parcours.indicators.eventlog import FAMILY_SITUATIONS, EventLog, day_number, load, to_date
from parcours.indicators.measures import (
    AGE_BANDS,
    SEXES,
    add_months,
    age_bands,
    delay_summary,
    mean,
    month_keys,
    quantile,
    share,
)
from parcours.indicators.pathways import (
    BEFORE,
    RIGHT_OPEN,
    Pathways,
    code,
    first_fact,
    keys,
    last_fact,
    take,
)

DEFAULT_DEADLINE_DAYS = 30


@dataclass
class FactTable:
    """Facts of one kind: person index and day, sorted; `values` from `data` when loaded."""

    pidx: np.ndarray
    day: np.ndarray
    values: dict

    def __len__(self) -> int:
        return len(self.pidx)

    def where(self, mask: np.ndarray) -> FactTable:
        return FactTable(self.pidx[mask], self.day[mask], {k: v[mask] for k, v in self.values.items()})


class Context:
    """The replayed log and the period: everything the sections below share."""

    def __init__(self, log: EventLog, start: datetime.date, end: datetime.date, deadline_days: int):
        if end < start:
            raise ValueError("La fin de la période précède son début.")
        self.log = log
        self.start, self.end = start, end
        self.start_day, self.end_day = day_number(start), day_number(end)
        self.deadline_days = deadline_days
        self.paths = Pathways.replay(log)
        self.persons = log.persons

    def in_period(self, day: np.ndarray) -> np.ndarray:
        return (day >= self.start_day) & (day <= self.end_day)

    def kind(self, kind: str) -> FactTable:
        mask = self.log.kind == code(kind)
        return FactTable(self.paths.pidx[mask], self.log.day[mask], {})

    def facts(self, kind: str) -> FactTable:
        found = self.log.facts[kind]
        return FactTable(self.persons.index_of(found.person), found.day, found.values)

    @cached_property
    def exit_day_carried(self) -> np.ndarray:
        return self.paths.carried_day(self.paths.exit)

    # -- state at the end of the period ----------------------------------------------------------
    @cached_property
    def end_position(self) -> np.ndarray:
        return self.paths.last_position_on(self.end_day)

    def _at_end(self, values: np.ndarray, default) -> np.ndarray:
        position = self.end_position
        return take(values, position, default)

    @cached_property
    def sdd_at_end(self) -> np.ndarray:
        """Per person: soumis à droits et devoirs at the end (right open or suspended)."""
        return self._at_end(self.paths.sdd, False).astype(bool)

    @cached_property
    def drees_population(self) -> np.ndarray:
        """Per person: in the DREES population at the end (SDD with the right open and not suspended)."""
        return self.sdd_at_end & (self._at_end(self.paths.right, -1) == RIGHT_OPEN)

    @cached_property
    def last_exit_at_end(self) -> np.ndarray:
        return self._at_end(self.exit_day_carried, BEFORE)

    def current_fact_at_end(self, table: FactTable) -> np.ndarray:
        """Per person: position in `table` of their last fact dated <= end in their current spell, or -1."""
        everyone = np.arange(len(self.persons.id))
        found = last_fact(table.pidx, table.day, everyone, np.full(len(everyone), self.end_day))
        valid = found >= 0
        valid[valid] = table.day[found[valid]] > self.last_exit_at_end[valid]
        return np.where(valid, found, -1)

    @cached_property
    def valid_contracts(self) -> tuple[FactTable, np.ndarray, np.ndarray, np.ndarray]:
        return _find_valid_contracts(self)

    # -- entrants ------------------------------------------------------------------------------
    @cached_property
    def entrants(self) -> Entrants:
        paths, day = self.paths, self.log.day
        positions = np.flatnonzero(paths.entry & self.in_period(day))
        _, first = np.unique(paths.pidx[positions], return_index=True)
        positions = positions[np.sort(first)]
        window_start = self.exit_day_carried[positions]
        window_start = np.where(window_start == BEFORE, BEFORE, window_start + 1)
        opening = paths.carried_day(self.log.kind == code(ev.RSA_ENTRY))[positions]
        opening_known = (opening != BEFORE) & (opening >= window_start)
        opening = np.where(opening_known, opening, day[positions])
        request = paths.carried_day(self.log.kind == code(ev.RSA_REQUEST))[positions]
        request_known = (request != BEFORE) & (request >= window_start)
        earlier_spells = np.zeros(len(positions), dtype=bool)
        if len(positions):
            earlier_spells = self.exit_day_carried[positions] != BEFORE
        return Entrants(
            pidx=paths.pidx[positions],
            day=day[positions],
            window_start=window_start,
            window_end=paths.next_exit_day(positions),
            opening=opening,
            opening_known=opening_known,
            request=np.where(request_known, request, opening),
            request_known=request_known,
            reentry=earlier_spells,
        )

    def first_in_spell(self, table: FactTable) -> np.ndarray:
        """Per entrant: position in `table` of the first fact of their spell, or -1."""
        e = self.entrants
        return first_fact(table.pidx, table.day, e.pidx, e.window_start, e.window_end)


@dataclass
class Entrants:
    pidx: np.ndarray
    day: np.ndarray
    window_start: np.ndarray
    window_end: np.ndarray
    opening: np.ndarray
    opening_known: np.ndarray
    request: np.ndarray
    request_known: np.ndarray
    reentry: np.ndarray

    def __len__(self) -> int:
        return len(self.pidx)


def _delays(ctx: Context, table: FactTable, since: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(found mask, delay in days) from `since` to the entrant's first fact of `table` in the spell."""
    found = ctx.first_in_spell(table)
    ok = found >= 0
    delay = np.where(ok, take(table.day, found, 0) - since, 0)
    return ok, np.maximum(delay, 0)


def _counts(values: np.ndarray, labels: dict[str, str]) -> dict[str, int]:
    result = dict.fromkeys(labels, 0)
    for key, count in zip(*np.unique(values.astype(str), return_counts=True), strict=True):
        result[key if key in labels else "autre"] = result.get(key if key in labels else "autre", 0) + int(
            count
        )
    return result


# -- sections ------------------------------------------------------------------------------------
def _entrants_section(ctx: Context) -> dict:
    e = ctx.entrants
    received, _ = _delays(ctx, ctx.kind(ev.APPOINTMENT_HONOURED), e.opening)
    return {
        "count": len(e),
        "received": int(received.sum()),
        "share_received": share(int(received.sum()), len(e)),
        "reentries": int(e.reentry.sum()),
        "missing_opening_date": int((~e.opening_known).sum()),
        "missing_request_date": int((~e.request_known).sum()),
    }


def _delay_sections(ctx: Context) -> dict:
    e = ctx.entrants
    interview, interview_delay = _delays(ctx, ctx.kind(ev.APPOINTMENT_HONOURED), e.opening)
    oriented, orientation_delay = _delays(ctx, ctx.facts(ev.ORIENTATION_DECIDED), e.opening)
    return {
        "delay_first_interview": delay_summary(interview_delay[interview], len(e), ctx.deadline_days),
        "delay_orientation": delay_summary(orientation_delay[oriented], len(e), ctx.deadline_days),
    }


def _invitations_section(ctx: Context) -> dict:
    log, paths = ctx.log, ctx.paths
    invitation = log.kind == code(ev.INVITATION_SENT)
    calls = np.flatnonzero(invitation | (log.kind == code(ev.CONVOCATION_SENT)))
    sent = np.flatnonzero(invitation & ctx.in_period(log.day))
    # The answer window of an invitation ends with the person's next invitation or convocation.
    following = np.searchsorted(calls, sent, side="right")
    has_next = following < len(calls)
    next_position = calls[np.minimum(following, max(len(calls) - 1, 0))] if len(calls) else following
    end = np.full(len(sent), np.iinfo(np.int64).max // 4)
    if len(calls):
        same = has_next & (paths.pidx[next_position] == paths.pidx[sent])
        end = np.where(same, log.day[next_position], end)
    bookings = ctx.facts(ev.APPOINTMENT_BOOKED)
    bookings = bookings.where(bookings.values["channel"] != "convocation")
    found = first_fact(bookings.pidx, bookings.day, paths.pidx[sent], log.day[sent], end)
    ok = found >= 0
    delays = bookings.day[found[ok]] - log.day[sent[ok]]
    summary = delay_summary(delays, len(sent), ctx.deadline_days)
    return {
        "invitations": len(sent),
        "booked": int(ok.sum()),
        "share_booked": share(int(ok.sum()), len(sent)),
        "mean_days": summary["mean_days"],
        "median_days": summary["median_days"],
        "p90_days": summary["p90_days"],
    }


def _no_show_section(ctx: Context) -> dict:
    log, paths = ctx.log, ctx.paths
    outcome_codes = {
        code(ev.APPOINTMENT_HONOURED): "honoured",
        code(ev.APPOINTMENT_ABSENT): "absent",
        code(ev.APPOINTMENT_EXCUSED): "excused",
    }
    mask = np.isin(log.kind, list(outcome_codes)) & ctx.in_period(log.day)
    positions = np.flatnonzero(mask)
    bookings = ctx.facts(ev.APPOINTMENT_BOOKED)
    booking = last_fact(bookings.pidx, bookings.day, paths.pidx[positions], log.day[positions])
    channel = take(bookings.values["channel"], booking, "")
    convocation = channel == "convocation"

    def rates(selection: np.ndarray) -> dict:
        kinds = log.kind[positions[selection]]
        counts = {name: int(np.count_nonzero(kinds == number)) for number, name in outcome_codes.items()}
        total = sum(counts.values())
        return {"appointments": total, **counts, "no_show_rate": share(counts["absent"], total)}

    return {
        "after_invitation": rates(~convocation & (booking >= 0)),
        "after_convocation": rates(convocation),
        "all": rates(np.ones(len(positions), dtype=bool)),
    }


def _orientations_section(ctx: Context) -> dict:
    table = ctx.facts(ev.ORIENTATION_DECIDED)
    decided = table.where(ctx.in_period(table.day))
    organisms = decided.values["organism"]
    france_travail = int(np.count_nonzero(organisms == "france_travail"))
    return {
        "decisions": len(decided),
        "persons": len(np.unique(decided.pidx)),
        "by_type": _counts(decided.values["orientation"], ev.ORIENTATION_TYPES),
        "france_travail": france_travail,
        "other_organisms": len(decided) - france_travail,
        "share_france_travail": share(france_travail, len(decided)),
        "by_organism": _counts(organisms, {key: key for key in ev.ORGANISM_CATEGORIES}),
    }


def _valid_contracts(ctx: Context) -> tuple[FactTable, np.ndarray, np.ndarray, np.ndarray]:
    """Contracts signed by the end, in the person's current spell, valid on the end day."""
    table, valid, starts, ends = ctx.valid_contracts
    return table, valid.copy(), starts, ends


def _find_valid_contracts(ctx: Context) -> tuple[FactTable, np.ndarray, np.ndarray, np.ndarray]:
    table = ctx.facts(ev.CONTRACT_SIGNED)
    starts, ends = table.values["starts_on"], table.values["ends_on"]  # MISSING_DAY: never valid
    valid = (
        (table.day <= ctx.end_day)
        & (starts <= ctx.end_day)
        & (ends >= ctx.end_day)
        & (table.day > ctx.last_exit_at_end[table.pidx] if len(table) else np.zeros(0, dtype=bool))
    )
    return table, valid, starts, ends


def _followup_section(ctx: Context) -> dict:
    population = ctx.sdd_at_end
    referents = ctx.current_fact_at_end(ctx.kind(ev.REFERENT_DESIGNATED))
    with_referent = int(np.count_nonzero(population & (referents >= 0)))
    table, valid, _, _ = _valid_contracts(ctx)
    has_contract = np.zeros(len(population), dtype=bool)
    has_contract[table.pidx[valid]] = True
    with_contract = int(np.count_nonzero(population & has_contract))
    signed, delay = _delays(ctx, table, ctx.entrants.opening)
    count = int(population.sum())
    return {
        "referent": {
            "population": count,
            "with_referent": with_referent,
            "share": share(with_referent, count),
        },
        "contract": {
            "population": count,
            "with_valid_contract": with_contract,
            "share": share(with_contract, count),
            "delay_first_contract": delay_summary(delay[signed], len(ctx.entrants), ctx.deadline_days),
        },
    }


COACHING = "coaching"
GLOBAL = "global"


def _programme_facts(ctx: Context, kind: str, programme: str) -> tuple[FactTable, np.ndarray]:
    """The facts of `kind` whose `programme` is `programme` (for coaching, also those naming no
    programme: accompaniment events written before programmes were named), with their positions
    in the log (the order of events of one person, ties on a day included)."""
    table = ctx.facts(kind)
    positions = np.flatnonzero(ctx.log.kind == code(kind))
    names = table.values["programme"]
    mask = names == programme
    if programme == COACHING:
        mask |= names == ""
    return table.where(mask), positions[mask]


@dataclass
class CoachingSpans:
    """Coachings as seen at the end of the period: start day, end day (NO_END while open at the
    period end: an end recorded after it is not known yet)."""

    pidx: np.ndarray
    start: np.ndarray
    end: np.ndarray


NO_END = np.iinfo(np.int64).max // 4


def coaching_spans(ctx: Context) -> CoachingSpans:
    """Each coaching start dated by the period end, ended by the first coaching end that follows it
    in the person's log (when dated by the period end)."""
    starts, start_positions = _programme_facts(ctx, ev.COACHING_START, COACHING)
    ends, end_positions = _programme_facts(ctx, ev.COACHING_END, COACHING)
    known = starts.day <= ctx.end_day
    starts, start_positions = starts.where(known), start_positions[known]
    following = np.searchsorted(end_positions, start_positions, side="right")
    safe = np.minimum(following, max(len(end_positions) - 1, 0))
    ended = following < len(end_positions)
    if len(end_positions):
        ended &= (ends.pidx[safe] == starts.pidx) & (ends.day[safe] <= ctx.end_day)
    end = np.where(ended, take(ends.day, np.where(ended, safe, -1), NO_END), NO_END)
    return CoachingSpans(starts.pidx, starts.day, end)


def weekday(day: np.ndarray) -> np.ndarray:
    """0 for Monday … 6 for Sunday (day 0, 1970-01-01, was a Thursday)."""
    return (day + 3) % 7


def _working_day_mask(mondays: np.ndarray) -> np.ndarray:
    """(len(mondays), 5): whether each weekday of each week is a working day (not a public holiday
    of the département), by the rule of `accompaniment.cadence.working_days`."""
    from parcours.accompaniment.cadence import working_days

    mask = np.zeros((len(mondays), 5), dtype=bool)
    for row, monday in enumerate(mondays.tolist()):
        first = to_date(monday)
        for day in working_days(first):
            mask[row, (day - first).days] = True
    return mask


@dataclass
class CoachingWeeks:
    """The coaching weeks counted by the contact cadence in the period: one row per (coaching,
    ISO week) whose Monday is in the period, complete by the period end and not excused."""

    pidx: np.ndarray
    monday: np.ndarray
    contacts: np.ndarray


def coaching_weeks(ctx: Context, spans: CoachingSpans, contacts: FactTable) -> CoachingWeeks:
    """The weeks of `spans` due for a contact, with their contact counts.

    The rule of `accompaniment.cadence` with "today" the day after the period end (so the week
    holding the period end counts once complete): weeks from the start's to min(today, end); a
    week is excused when the coaching covers 3 of its working days or fewer; the current week of
    an open coaching is in progress. Only the weeks whose Monday is in the period are kept, and
    neither excused nor in progress ones. tests/indicators/test_coaching_indicators.py checks
    that this agrees with `cadence()` week by week."""
    today = ctx.end_day + 1
    first_monday = spans.start - weekday(spans.start)
    period_monday = ctx.start_day + (7 - weekday(np.array(ctx.start_day))) % 7  # first Monday in the period
    low = np.maximum(first_monday, period_monday)
    last_day = np.minimum(spans.end, today)
    count = np.maximum((last_day - low) // 7 + 1, 0)
    count = np.where(low <= np.minimum(last_day, ctx.end_day), count, 0)
    rows = np.repeat(np.arange(len(spans.pidx)), count)
    offsets = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
    monday = low[rows] + 7 * offsets
    keep = monday <= ctx.end_day
    rows, monday = rows[keep], monday[keep]
    mondays, week_of = np.unique(monday, return_inverse=True)
    working = _working_day_mask(mondays)[week_of]
    days = monday[:, None] + np.arange(5)[None, :]
    covered = (working & (days >= spans.start[rows, None]) & (days <= spans.end[rows, None])).sum(axis=1)
    excused = covered <= 3
    in_progress = (spans.end[rows] == NO_END) & (monday <= today) & (today < monday + 7)
    due = ~excused & ~in_progress
    rows, monday = rows[due], monday[due]
    pidx = spans.pidx[rows]
    contact_keys = keys(contacts.pidx, contacts.day - weekday(contacts.day))
    order = np.argsort(contact_keys, kind="stable")
    contact_keys = contact_keys[order]
    wanted = keys(pidx, monday)
    found = np.searchsorted(contact_keys, wanted, side="right") - np.searchsorted(
        contact_keys, wanted, side="left"
    )
    return CoachingWeeks(pidx, monday, found)


def _global_target(year: int) -> int | None:
    """The yearly target of accompagnements globaux (`accompaniment.ProgrammeTarget`, when that
    model exists and holds one for the year), else None. Read through the app registry: the
    indicators do not import the accompaniment app."""
    from django.apps import apps

    try:
        model = apps.get_model("accompaniment", "ProgrammeTarget")
    except LookupError:
        return None
    return model.objects.filter(programme=GLOBAL, year=year).values_list("target_persons", flat=True).first()


def _coaching_section(ctx: Context) -> dict:
    starts, _ = _programme_facts(ctx, ev.COACHING_START, COACHING)
    starts = starts.where(ctx.in_period(starts.day))
    _, first = np.unique(starts.pidx, return_index=True)
    starts = starts.where(np.sort(first))
    limit = add_months(starts.day, 3)
    jobs = ctx.facts(ev.JOB_START)
    job = first_fact(jobs.pidx, jobs.day, starts.pidx, starts.day, limit)
    trainings = ctx.kind(ev.TRAINING_START)
    training = first_fact(trainings.pidx, trainings.day, starts.pidx, starts.day, limit)
    either = (job >= 0) | (training >= 0)
    job_types = jobs.values["contract_type"][job[job >= 0]]
    spans = coaching_spans(ctx)
    open_in_period = (spans.start <= ctx.end_day) & (spans.end >= ctx.start_day)
    open_at_end = spans.end == NO_END
    contacts, _ = _programme_facts(ctx, ev.COACHING_CONTACT, COACHING)
    weeks = coaching_weeks(ctx, spans, contacts)
    with_contact = int(np.count_nonzero(weeks.contacts))
    in_weeks = int(weeks.contacts.sum())
    return {
        "entries": len(starts),
        "coached_in_period": len(np.unique(spans.pidx[open_in_period])),
        "coached_at_end": len(np.unique(spans.pidx[open_at_end])),
        "contacts": int(np.count_nonzero(ctx.in_period(contacts.day))),
        "weeks_due": len(weeks.monday),
        "weeks_with_contact": with_contact,
        "share_weeks_with_contact": share(with_contact, len(weeks.monday)),
        "contacts_per_week": round(in_weeks / len(weeks.monday), 2) if len(weeks.monday) else None,
        "job_within_3_months": int(np.count_nonzero(job >= 0)),
        "training_within_3_months": int(np.count_nonzero(training >= 0)),
        "job_or_training_within_3_months": int(np.count_nonzero(either)),
        "share_job_or_training": share(int(np.count_nonzero(either)), len(starts)),
        "jobs_by_contract_type": _counts(job_types, ev.JOB_CONTRACT_TYPES),
    }


def _global_section(ctx: Context) -> dict:
    """Accompagnements globaux (in pairs) started in the period, one per person, against the
    yearly target when the period is one calendar year and a target is set."""
    starts, _ = _programme_facts(ctx, ev.COACHING_START, GLOBAL)
    starts = starts.where(ctx.in_period(starts.day))
    entries = len(np.unique(starts.pidx))
    whole_year = ctx.start == datetime.date(ctx.start.year, 1, 1) and ctx.end == datetime.date(
        ctx.start.year, 12, 31
    )
    target = _global_target(ctx.start.year) if whole_year else None
    return {
        "entries": entries,
        "target": target,
        "share_of_target": share(entries, target) if target else None,
    }


def _placements_section(ctx: Context) -> dict:
    jobs = ctx.facts(ev.JOB_START)
    jobs = jobs.where(ctx.in_period(jobs.day))
    platform = jobs.values["placement"]
    exits = ctx.kind(ev.EXIT)
    return {
        "job_starts": len(jobs),
        "through_platform": int(np.count_nonzero(platform)),
        "by_contract_type": _counts(jobs.values["contract_type"], ev.JOB_CONTRACT_TYPES),
        "platform_by_contract_type": _counts(jobs.values["contract_type"][platform], ev.JOB_CONTRACT_TYPES),
        "exits": int(np.count_nonzero(ctx.in_period(exits.day))),
    }


def _service_orientations_section(ctx: Context) -> dict:
    """Orientations to a service of the directory (`orientation_service.*`) dated in the period,
    and the delay to an answer (validation or refusal dated in the period, from its `sent_on`)."""
    counts = {
        name: int(np.count_nonzero(ctx.in_period(ctx.kind(kind).day)))
        for name, kind in (
            ("sent", ev.SERVICE_ORIENTATION_SENT),
            ("validated", ev.SERVICE_ORIENTATION_VALIDATED),
            ("refused", ev.SERVICE_ORIENTATION_REFUSED),
            ("expired", ev.SERVICE_ORIENTATION_EXPIRED),
        )
    }
    delays = []
    for kind in (ev.SERVICE_ORIENTATION_VALIDATED, ev.SERVICE_ORIENTATION_REFUSED):
        answers = ctx.facts(kind)
        answers = answers.where(ctx.in_period(answers.day) & (answers.values["sent_on"] != ev.MISSING_DAY))
        delays.append(answers.day - answers.values["sent_on"])
    delay = np.maximum(np.concatenate(delays), 0) if delays else np.zeros(0, dtype=np.int64)
    closed = counts["validated"] + counts["refused"] + counts["expired"]
    return {
        **counts,
        "share_validated": share(counts["validated"], closed),
        "share_expired": share(counts["expired"], closed),
        "answer_delay": {
            "count": len(delay),
            "mean_days": mean(delay),
            "median_days": quantile(delay, 0.5),
            "p90_days": quantile(delay, 0.9),
        },
    }


# -- breakdowns ----------------------------------------------------------------------------------
def _breakdowns(
    ctx: Context, unit_labels: dict[int, tuple[str, str]], site_labels: dict[str, tuple[str, str]]
) -> dict:
    e, persons = ctx.entrants, ctx.persons
    honoured = ctx.kind(ev.APPOINTMENT_HONOURED)
    received, delay = _delays(ctx, honoured, e.opening)
    oriented, _ = _delays(ctx, ctx.facts(ev.ORIENTATION_DECIDED), e.opening)
    sites_table = ctx.facts(ev.APPOINTMENT_HONOURED)
    site_position = first_fact(sites_table.pidx, sites_table.day, e.pidx, e.window_start, e.window_end)
    site_ids = take(sites_table.values["site"], site_position, 0)
    site = np.array(
        [site_labels.get(str(s), (str(s), ""))[0] if s > 0 else "" for s in site_ids.tolist()], dtype=object
    )
    site_names = dict(site_labels.values())
    population = ctx.drees_population
    everyone = np.arange(len(persons.id))
    end_days = np.full(len(everyone), ctx.end_day)
    unit_code = {unit_id: code_ for unit_id, (code_, _) in unit_labels.items()}

    unit_ids, unit_positions = np.unique(persons.unit, return_inverse=True)
    person_units = np.array([unit_code.get(int(u), "") for u in unit_ids.tolist()], dtype=object)

    def units(pidx: np.ndarray) -> np.ndarray:
        return person_units[unit_positions[pidx]]

    dimensions = {
        "unit": (units(e.pidx), units(everyone), dict(unit_labels.values()) | {"": "Hors unité"}),
        "site": (site, None, site_names | {"": "Sans entretien honoré"}),
        "month": (month_keys(e.day), None, None),
        "age_band": (
            age_bands(persons.birth_day[e.pidx], e.day),
            age_bands(persons.birth_day, end_days),
            AGE_BANDS,
        ),
        "sex": (persons.sex[e.pidx], persons.sex, SEXES),
        "family_situation": (persons.family[e.pidx], persons.family, FAMILY_SITUATIONS),
    }
    result = {}
    for name, (entrant_groups, person_groups, labels) in dimensions.items():
        groups = sorted(set(entrant_groups.tolist()) | (set(labels) if labels and name != "site" else set()))
        if name == "site":
            groups = sorted(set(entrant_groups.tolist()))
        # Groups as integer codes: one comparison of object arrays per dimension, not per group.
        entrant_codes = _codes(entrant_groups, groups)
        person_codes = _codes(person_groups, groups) if person_groups is not None else None
        rows = []
        for position, group in enumerate(groups):
            selection = entrant_codes == position
            count = int(selection.sum())
            got = received & selection
            row = {
                "key": group,
                "label": (labels or {}).get(group, group),
                "entrants": count,
                "received": int(got.sum()),
                "share_received": share(int(got.sum()), count),
                "mean_delay_first_interview_days": mean(delay[got]),
                "share_received_within_30_days": share(int((got & (delay <= 30)).sum()), count),
                "oriented": int((oriented & selection).sum()),
            }
            if person_groups is not None:
                row["drees_population"] = int((population & (person_codes == position)).sum())
            rows.append(row)
        result[name] = rows
    return result


def _codes(values: np.ndarray, groups: list) -> np.ndarray:
    """Position of each value in `groups`, -1 when absent."""
    index = {group: position for position, group in enumerate(groups)}
    return np.fromiter((index.get(value, -1) for value in values.tolist()), dtype=np.int64, count=len(values))


# -- entry point ----------------------------------------------------------------------------------
def compute(
    start: datetime.date,
    end: datetime.date,
    *,
    unit_ids: list[int] | None = None,
    deadline_days: int | None = None,
    log: EventLog | None = None,
    unit_label: str = "",
) -> dict:
    """Every indicator for the period [start, end] (Paris calendar days, both included), over the
    persons living in `unit_ids` when given (None: the whole département)."""
    from parcours.indicators import drees

    if deadline_days is None:
        deadline_days = configured_deadline()
    log = log if log is not None else load(unit_ids)
    ctx = Context(log, start, end, deadline_days)
    unit_labels, site_labels = _labels()
    result = {
        "period": {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "unit": unit_label,
            "timezone": "Europe/Paris",
            "deadline_days": deadline_days,
            "events": len(log),
            **run_record(log),
        },
        "entrants": _entrants_section(ctx),
        **_delay_sections(ctx),
        "invitation_to_booking": _invitations_section(ctx),
        "no_show": _no_show_section(ctx),
        "orientations": _orientations_section(ctx),
        **_followup_section(ctx),
        "coaching": _coaching_section(ctx),
        "global_accompaniment": _global_section(ctx),
        "placements": _placements_section(ctx),
        "service_orientations": _service_orientations_section(ctx),
        "drees": drees.tables(ctx),
        "breakdowns": _breakdowns(ctx, unit_labels, site_labels),
    }
    return result


def run_record(log: EventLog) -> dict[str, str | None]:
    """When the figures were computed (`computed_at`, Paris time) and the day of the latest event
    they read (`events_until`): figures that look past the period end (an interview in the spell,
    a job within 3 months) are reproducible from an event export reaching that day."""
    from django.utils import timezone

    last_day = int(log.day.max()) if len(log) else None
    return {
        "computed_at": timezone.localtime().isoformat(timespec="seconds"),
        "events_until": to_date(last_day).isoformat() if last_day is not None else None,
    }


def configured_deadline() -> int:
    """The orientation deadline (days from rights opening) configured for the département."""
    from parcours.orientation.models import OrientationSettings
    from parcours.territory.models import Departement

    departement = Departement.objects.current()
    if departement is None:
        return DEFAULT_DEADLINE_DAYS
    return OrientationSettings.for_departement(departement).due_days


def _labels() -> tuple[dict[int, tuple[str, str]], dict[str, tuple[str, str]]]:
    from parcours.territory.models import Site, TerritorialUnit

    units = {
        pk: (unit_code, name)
        for pk, unit_code, name in TerritorialUnit.objects.values_list("id", "code", "name")
    }
    sites = {
        str(pk): (site_code, name) for pk, site_code, name in Site.objects.values_list("id", "code", "name")
    }
    return units, sites
