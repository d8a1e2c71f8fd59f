"""The DREES OARSA tables 1–6 ("orientation et accompagnement des bénéficiaires du RSA"), as
docs/indicators.md interprets them from the DREES definitions.

The reference day is the end of the period (31/12 for the annual survey); "during the year" is
the period. Population: persons (demandeur or conjoint) soumis à droits et devoirs with the right
open and not suspended on the reference day (ETATDOSRSA = 2 and TOPPERSDRODEVORSA = 1), present
in the département.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from parcours.core.dates import months_between_buckets
from parcours.indicators import events as ev
from parcours.indicators.eventlog import FAMILY_SITUATIONS
from parcours.indicators.measures import AGE_BANDS, SEXES, add_months, age_bands, mean, quantile, share
from parcours.indicators.pathways import BEFORE, first_fact, keys, take

if TYPE_CHECKING:
    from parcours.indicators.stats import Context

# Table 4's buckets in calendar months from the request date: "within 1 month" = on or before the
# same day a month later (31/01 → 28/02), then within 2, 3 and 6 months, then later.
FIRST_ORIENTATION_DELAYS = ("moins_1_mois", "1_a_2_mois", "2_a_3_mois", "3_a_6_mois", "6_mois_et_plus")
FIRST_ORIENTATION_MONTHS = (1, 2, 3, 6)
# Durations in calendar months: a contract from 20/04 to 19/10 lasts 6 months, leap year or not.
CONTRACT_DURATIONS = ("moins_6_mois", "6_a_12_mois", "12_mois_et_plus")


def _tally(values: np.ndarray, labels) -> dict[str, int]:
    return {key: int(np.count_nonzero(values == key)) for key in labels}


def tables(ctx: Context) -> dict:
    population = ctx.drees_population
    persons = ctx.persons
    orientation = ctx.facts(ev.ORIENTATION_DECIDED)
    current = ctx.current_fact_at_end(orientation)
    oriented = population & (current >= 0)
    kinds = take(orientation.values["orientation"], current, "")
    organisms = take(orientation.values["organism"], current, "")
    categories = np.array(
        [ev.ORGANISM_CATEGORIES.get(o, "inconnu") for o in organisms.tolist()], dtype=object
    )
    end_days = np.full(len(persons.id), ctx.end_day)
    count = int(population.sum())
    suspended = int((ctx.sdd_at_end & ~population).sum())

    table_2 = {
        "population": count,
        "oriented": int(oriented.sum()),
        "share_oriented": share(int(oriented.sum()), count),
    }
    table_2["not_oriented"] = count - table_2["oriented"]
    # Each comparison of object arrays once (they cost a Python call per element).
    in_category = {category: oriented & (categories == category) for category in ev.ORGANISM_CATEGORY_LABELS}
    for kind in ev.ORIENTATION_TYPES:
        of_kind = kinds == kind
        table_2[kind] = {
            category: int(np.count_nonzero(mask & of_kind)) for category, mask in in_category.items()
        }
    table_2["by_category"] = {category: int(np.count_nonzero(mask)) for category, mask in in_category.items()}

    return {
        "reference_date": ctx.end.isoformat(),
        "table_1": {
            "population": count,
            "excluded_suspended": suspended,
            "by_sex": _tally(persons.sex[population], SEXES),
            "by_age_band": _tally(age_bands(persons.birth_day, end_days)[population], AGE_BANDS),
            "by_family_situation": _tally(persons.family[population], FAMILY_SITUATIONS),
        },
        "table_2": table_2,
        **_entrants_tables(ctx, orientation, population, oriented),
        "table_5": _contracts_table(ctx, population, kinds),
        "table_6": _reorientations_table(ctx, orientation),
    }


def _entrants_tables(ctx: Context, orientation, population: np.ndarray, oriented: np.ndarray) -> dict:
    e = ctx.entrants
    # Like table 3, the situation on the reference day: orientations decided after it do not count.
    until = np.minimum(e.window_end, ctx.end_day)
    first = first_fact(orientation.pidx, orientation.day, e.pidx, e.window_start, until)
    has = first >= 0
    decided, requested = orientation.day[first[has]], e.request[has]
    delay = np.maximum(decided - requested, 0)
    in_population = population[e.pidx]
    table_4 = {"entrants": len(e), "oriented": int(has.sum()), "not_oriented": int((~has).sum())}
    buckets = months_between_buckets(requested, decided, FIRST_ORIENTATION_MONTHS)
    for position, key in enumerate(FIRST_ORIENTATION_DELAYS):
        table_4[key] = int(np.count_nonzero(buckets == position))
    table_4["mean_days"] = mean(delay)
    table_4["median_days"] = quantile(delay, 0.5)
    table_4["request_date_missing"] = int((~e.request_known).sum())
    return {
        "table_3": {
            "entrants": len(e),
            "in_population_at_reference_date": int(in_population.sum()),
            "oriented_at_reference_date": int((in_population & oriented[e.pidx]).sum()),
            "not_oriented_at_reference_date": int((in_population & ~oriented[e.pidx]).sum()),
            "left_before_reference_date": int((~in_population).sum()),
        },
        "table_4": table_4,
    }


def _contracts_table(ctx: Context, population: np.ndarray, orientation_kinds: np.ndarray) -> dict:
    from parcours.indicators.stats import _valid_contracts

    table, valid, starts, ends = _valid_contracts(ctx)
    valid &= population[table.pidx] if len(table) else valid
    # One contract per person: the valid one that started last (the table is sorted by signature).
    positions = np.flatnonzero(valid)
    order = np.lexsort((starts[positions], table.pidx[positions]))
    positions = positions[order]
    last = np.ones(len(positions), dtype=bool)
    last[:-1] = table.pidx[positions[1:]] != table.pidx[positions[:-1]]
    positions = positions[last]
    pidx = table.pidx[positions]
    duration = ends[positions] - starts[positions] + 1
    count = int(population.sum())
    result = {
        "population": count,
        "with_valid_contract": len(positions),
        "share_with_valid_contract": share(len(positions), count),
        "by_kind": _tally(table.values["contract_kind"][positions], ev.CONTRACT_KINDS),
        "by_orientation": _tally(orientation_kinds[pidx], [*ev.ORIENTATION_TYPES, ""]),
    }
    result["by_orientation"]["non_oriente"] = result["by_orientation"].pop("")
    after = ends[positions] + 1
    six, twelve = add_months(starts[positions], 6), add_months(starts[positions], 12)
    buckets = np.select([after < six, after < twelve], list(CONTRACT_DURATIONS[:2]), CONTRACT_DURATIONS[2])
    result.update(_tally(buckets, CONTRACT_DURATIONS))
    result["mean_duration_days"] = mean(duration)
    return result


def _reorientations_table(ctx: Context, orientation) -> dict:
    """Decisions of the period that follow an earlier decision of the same spell."""
    paths = ctx.paths
    exits = np.flatnonzero(paths.exit)
    exit_keys = keys(paths.pidx[exits], ctx.log.day[exits])
    n = len(orientation)
    previous_same_person = np.zeros(n, dtype=bool)
    previous_same_person[1:] = orientation.pidx[1:] == orientation.pidx[:-1]
    # The last exit dated before each decision (same person), else BEFORE.
    found = np.searchsorted(exit_keys, keys(orientation.pidx, orientation.day), side="left") - 1
    last_exit = np.full(n, BEFORE)
    ok = found >= 0
    if len(exits):
        ok[ok] = paths.pidx[exits[found[ok]]] == orientation.pidx[ok]
        last_exit[ok] = ctx.log.day[exits[found[ok]]]
    previous_day = np.r_[BEFORE, orientation.day[:-1]] if n else np.zeros(0, dtype=np.int64)
    is_reorientation = previous_same_person & (previous_day > last_exit) & ctx.in_period(orientation.day)
    kinds = orientation.values["orientation"]
    before = np.concatenate([np.array([""], dtype=object), kinds[:-1]]) if n else kinds
    professional = kinds == "professionnelle"
    was_professional = before == "professionnelle"
    to_social = is_reorientation & was_professional & ~professional
    to_professional = is_reorientation & ~was_professional & professional
    return {
        "reorientations": int(is_reorientation.sum()),
        "persons": len(np.unique(orientation.pidx[is_reorientation])),
        "professional_to_social": int(to_social.sum()),
        "social_to_professional": int(to_professional.sum()),
        "same_type_other_organism": int((is_reorientation & ~to_social & ~to_professional).sum()),
    }
