"""Recomputing headline indicators with DuckDB over the pseudonymised export (`parcours
export-events --format parquet`): what an auditor can run without Parcours. The SQL follows the
definitions of docs/indicators.md; `headline(path, start, end)` returns the same keys as
`stats.compute` for: entrants, received, mean delay to the first interview, the DREES population
on the end day, coaching entries and their job or training within 3 months.

The export must cover the whole history up to the period's end (the state on the end day and the
spells of the entrants depend on earlier events).
"""

from __future__ import annotations

import datetime

SQL = """
WITH e AS (
    SELECT seq, person, kind, date FROM read_parquet($path) WHERE date <= $observed_until
),
states AS (
    SELECT *,
        last_value(CASE kind WHEN 'rsa.demande' THEN 'requested' WHEN 'rsa.entree' THEN 'open'
            WHEN 'rsa.reprise' THEN 'open' WHEN 'rsa.suspension' THEN 'suspended'
            WHEN 'rsa.cloture' THEN 'closed' WHEN 'rsa.refus' THEN 'refused' END IGNORE NULLS)
            OVER w AS right_state,
        coalesce(last_value(CASE kind WHEN 'rsa.droits_devoirs' THEN 1 WHEN 'rsa.fin_droits_devoirs' THEN 0 END
            IGNORE NULLS) OVER w, 0) AS duties,
        coalesce(last_value(CASE kind WHEN 'rsa.depart_departement' THEN 0 WHEN 'rsa.arrivee_departement' THEN 1
            WHEN 'rsa.entree' THEN 1 END IGNORE NULLS) OVER w, 1) AS present
    FROM e
    WINDOW w AS (PARTITION BY person ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
sdd AS (
    SELECT *, right_state IN ('open', 'suspended') AND duties = 1 AND present = 1 AS sdd FROM states
),
moves AS (
    SELECT *, coalesce(lag(sdd) OVER (PARTITION BY person ORDER BY seq), false) AS before FROM sdd
),
edges AS (
    SELECT *, sdd AND NOT before AS is_entry, before AND NOT sdd AS is_exit,
        max(CASE WHEN before AND NOT sdd THEN date END) OVER (PARTITION BY person ORDER BY seq
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_exit,
        min(CASE WHEN before AND NOT sdd THEN date END) OVER (PARTITION BY person ORDER BY seq
            ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_exit,
        max(CASE WHEN kind = 'rsa.entree' THEN date END) OVER (PARTITION BY person ORDER BY seq
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_opening
    FROM moves
),
entries AS (
    SELECT person, arg_min(date, seq) AS entry_date, arg_min(previous_exit, seq) AS previous_exit,
        arg_min(next_exit, seq) AS next_exit, arg_min(last_opening, seq) AS last_opening
    FROM edges WHERE is_entry AND date BETWEEN $start AND $end GROUP BY person
),
spells AS (
    SELECT *, CASE WHEN last_opening IS NOT NULL AND (previous_exit IS NULL OR last_opening > previous_exit)
        THEN last_opening ELSE entry_date END AS opening
    FROM entries
),
received AS (
    SELECT s.person, min(h.date) - s.opening AS delay
    FROM spells s JOIN e h ON h.person = s.person AND h.kind = 'rdv.honore'
        AND (s.previous_exit IS NULL OR h.date > s.previous_exit)
        AND (s.next_exit IS NULL OR h.date <= s.next_exit)
    GROUP BY s.person, s.opening
),
at_end AS (
    SELECT person, arg_max(right_state, seq) AS right_state, arg_max(duties, seq) AS duties,
        arg_max(present, seq) AS present
    FROM states WHERE date <= $end GROUP BY person
),
coaching AS (
    SELECT person, min(date) AS start FROM e
    WHERE kind = 'accompagnement.debut' AND date BETWEEN $start AND $end GROUP BY person
),
outcomes AS (
    SELECT DISTINCT c.person FROM coaching c JOIN e o ON o.person = c.person
        AND o.kind IN ('emploi.debut', 'formation.debut')
        AND o.date >= c.start AND o.date <= CAST(c.start + INTERVAL 3 MONTH AS DATE)
)
SELECT
    (SELECT count(*) FROM spells) AS entrants,
    (SELECT count(*) FROM received) AS received,
    (SELECT round(avg(greatest(delay, 0)), 2) FROM received) AS mean_delay,
    (SELECT count(*) FROM at_end WHERE right_state = 'open' AND duties = 1 AND present = 1) AS population,
    (SELECT count(*) FROM coaching) AS coached,
    (SELECT count(*) FROM outcomes) AS outcomes
"""


def headline(path: str, start: datetime.date, end: datetime.date) -> dict:
    """The headline figures recomputed by DuckDB from the parquet export at `path`."""
    import duckdb

    connection = duckdb.connect()
    try:
        row = connection.execute(
            SQL, {"path": path, "start": start, "end": end, "observed_until": datetime.date(9999, 12, 31)}
        ).fetchone()
    finally:
        connection.close()
    entrants, received, mean_delay, population, coached, outcomes = row
    return {
        "entrants.count": entrants,
        "entrants.received": received,
        "delay_first_interview.mean_days": float(mean_delay) if mean_delay is not None else None,
        "drees.table_1.population": population,
        "coaching.entries": coached,
        "coaching.job_or_training_within_3_months": outcomes,
    }
