"""Small statistics shared by the indicators: delay summaries, shares, ages, month arithmetic.

Conventions (docs/indicators.md): delays in calendar days between Paris dates, negative delays
counted as 0; "within N months" in calendar months (`core.dates`); the median and the 90th
percentile use linear interpolation (numpy's default, DuckDB's `quantile_cont`, PostgreSQL's
`percentile_cont`); shares are rounded to 4 decimals and are null when the denominator is 0;
means to 2 decimals.
"""

from __future__ import annotations

import numpy as np

# Calendar months live in core.dates; `add_months` (over day numbers) stays importable from here.
from parcours.core.dates import add_months_to_days as add_months  # noqa: F401

AGE_BANDS = {
    "moins_25": "Moins de 25 ans",
    "25_29": "25 à 29 ans",
    "30_39": "30 à 39 ans",
    "40_49": "40 à 49 ans",
    "50_59": "50 à 59 ans",
    "60_plus": "60 ans et plus",
    "inconnu": "Âge inconnu",
}
SEXES = {"F": "Femmes", "M": "Hommes", "": "Sexe non renseigné"}


def share(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def mean(values: np.ndarray) -> float | None:
    return round(float(np.mean(values)), 2) if len(values) else None


def quantile(values: np.ndarray, q: float) -> float | None:
    return round(float(np.quantile(values, q)), 2) if len(values) else None


def delay_summary(delays: np.ndarray, population: int, deadline_days: int) -> dict:
    """Summary of the delays (days) observed among `population` persons: those without the event
    are in the population (the denominators of the shares) but not in the delays."""
    delays = np.maximum(np.asarray(delays, dtype=np.int64), 0)
    within_30 = int(np.count_nonzero(delays <= 30))
    within_deadline = int(np.count_nonzero(delays <= deadline_days))
    return {
        "population": int(population),
        "count": len(delays),
        "mean_days": mean(delays),
        "median_days": quantile(delays, 0.5),
        "p90_days": quantile(delays, 0.9),
        "within_30_days": within_30,
        "share_within_30_days": share(within_30, population),
        "within_deadline": within_deadline,
        "share_within_deadline": share(within_deadline, population),
    }


def _calendar(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dates = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = dates.astype("datetime64[M]")
    year = months.astype(np.int64) // 12 + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def ages(birth_days: np.ndarray, on_days: np.ndarray) -> np.ndarray:
    """Age in whole years on each day (a person born on 29 February turns a year older on 1 March
    in common years)."""
    by, bm, bd = _calendar(birth_days)
    oy, om, od = _calendar(on_days)
    before_birthday = (om < bm) | ((om == bm) & (od < bd))
    return oy - by - before_birthday.astype(np.int64)


def age_bands(birth_days: np.ndarray, on_days: np.ndarray) -> np.ndarray:
    age = ages(birth_days, on_days)
    bands = np.select(
        [age < 0, age < 25, age < 30, age < 40, age < 50, age < 60],
        ["inconnu", "moins_25", "25_29", "30_39", "40_49", "50_59"],
        "60_plus",
    )
    return np.where(birth_days < -(10**5), "inconnu", bands).astype(object)


def month_keys(days: np.ndarray) -> np.ndarray:
    """ "YYYY-MM" of each day."""
    return np.datetime_as_string(
        np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]"), unit="M"
    ).astype(object)
