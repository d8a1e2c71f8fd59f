"""Recomputing headline indicators with DuckDB over the pseudonymised export (`parcours
export-events --format parquet`): what an auditor can run without Parcours. The SQL follows the
definitions of docs/indicators.md; `headline(path, start, end)` returns, under the keys of
`expected(stats)`, the same figures as `stats.compute` for: entrants, received, mean delay to the
first interview, the DREES population on the end day, DREES table 4 (first orientation by the end
day, in calendar-month buckets), coaching entries and their job or training within 3 months, the
persons coached in the period and at its end, the contacts and the weekly contact cadence (the
public holidays come from the `holidays` package, as in Parcours), the exits and the
accompagnements globaux started.

The export must cover the whole history up to the day of the latest event the `stats` run read
(`period.events_until`, after the period end: an interview of the spell or a job within 3 months
may come later); `coverage_problems` says when it does not. Pass `observed_until=events_until` to
leave out what was recorded after the run.
"""

from __future__ import annotations

import datetime

SQL = """
WITH e AS (
    SELECT seq, person, kind, date, programme FROM read_parquet($path) WHERE date <= $observed_until
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
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_opening,
        max(CASE WHEN kind = 'rsa.demande' THEN date END) OVER (PARTITION BY person ORDER BY seq
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_request
    FROM moves
),
entries AS (
    SELECT person, arg_min(date, seq) AS entry_date, arg_min(previous_exit, seq) AS previous_exit,
        arg_min(next_exit, seq) AS next_exit, arg_min(last_opening, seq) AS last_opening,
        arg_min(last_request, seq) AS last_request
    FROM edges WHERE is_entry AND date BETWEEN $start AND $end GROUP BY person
),
spells AS (
    SELECT *, CASE WHEN last_opening IS NOT NULL AND (previous_exit IS NULL OR last_opening > previous_exit)
        THEN last_opening ELSE entry_date END AS opening
    FROM entries
),
requests AS (
    SELECT *, CASE WHEN last_request IS NOT NULL AND (previous_exit IS NULL OR last_request > previous_exit)
        THEN last_request ELSE opening END AS request
    FROM spells
),
first_orientation AS (
    SELECT r.person, r.request, min(o.date) AS decided
    FROM requests r JOIN e o ON o.person = r.person AND o.kind = 'orientation.decidee'
        AND (r.previous_exit IS NULL OR o.date > r.previous_exit)
        AND (r.next_exit IS NULL OR o.date <= r.next_exit)
        AND o.date <= $end
    GROUP BY r.person, r.request
),
table_4 AS (
    SELECT CASE
        WHEN decided <= CAST(request + INTERVAL 1 MONTH AS DATE) THEN 'moins_1_mois'
        WHEN decided <= CAST(request + INTERVAL 2 MONTH AS DATE) THEN '1_a_2_mois'
        WHEN decided <= CAST(request + INTERVAL 3 MONTH AS DATE) THEN '2_a_3_mois'
        WHEN decided <= CAST(request + INTERVAL 6 MONTH AS DATE) THEN '3_a_6_mois'
        ELSE '6_mois_et_plus' END AS bucket
    FROM first_orientation
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
    WHERE kind = 'accompagnement.debut' AND programme IN ('coaching', '') AND date BETWEEN $start AND $end
    GROUP BY person
),
cstart AS (
    SELECT seq, person, date FROM e
    WHERE kind = 'accompagnement.debut' AND programme IN ('coaching', '') AND date <= $end
),
cend AS (
    SELECT seq, person, date FROM e WHERE kind = 'accompagnement.fin' AND programme IN ('coaching', '')
),
first_end AS (
    SELECT s.seq, arg_min(f.date, f.seq) AS ended
    FROM cstart s JOIN cend f ON f.person = s.person AND f.seq > s.seq GROUP BY s.seq
),
spans AS (
    SELECT s.seq, s.person, s.date AS start, CASE WHEN x.ended <= $end THEN x.ended END AS ended
    FROM cstart s LEFT JOIN first_end x USING (seq)
),
mondays AS (
    SELECT CAST(d AS DATE) AS monday
    FROM (SELECT unnest(generate_series(CAST($start AS TIMESTAMP), CAST($end AS TIMESTAMP), INTERVAL 1 DAY)) AS d)
    WHERE isodow(d) = 1
),
weeks AS (
    SELECT sp.seq, sp.person, sp.start, sp.ended, m.monday FROM spans sp JOIN mondays m
        ON m.monday >= CAST(date_trunc('week', sp.start) AS DATE)
        AND m.monday <= least(coalesce(sp.ended, $today), $today)
),
covered AS (
    SELECT w.seq, w.person, w.monday, w.ended,
        count(*) FILTER (WHERE NOT list_contains($holidays, CAST(w.monday + k AS DATE))
            AND CAST(w.monday + k AS DATE) >= w.start
            AND (w.ended IS NULL OR CAST(w.monday + k AS DATE) <= w.ended)) AS days
    FROM weeks w, (SELECT CAST(unnest(range(5)) AS INTEGER) AS k) GROUP BY w.seq, w.person, w.monday, w.ended
),
due AS (
    SELECT * FROM covered
    WHERE days > 3 AND NOT (ended IS NULL AND monday <= $today AND $today < CAST(monday + 7 AS DATE))
),
contacts AS (
    SELECT person, CAST(date_trunc('week', date) AS DATE) AS monday, count(*) AS n FROM e
    WHERE kind = 'accompagnement.contact' AND programme IN ('coaching', '') GROUP BY ALL
),
due_contacts AS (
    SELECT coalesce(c.n, 0) AS n FROM due d LEFT JOIN contacts c ON c.person = d.person AND c.monday = d.monday
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
    (SELECT count(*) FROM outcomes) AS outcomes,
    (SELECT count(*) FROM table_4) AS oriented,
    (SELECT count(*) FROM table_4 WHERE bucket = 'moins_1_mois') AS within_1,
    (SELECT count(*) FROM table_4 WHERE bucket = '1_a_2_mois') AS within_2,
    (SELECT count(*) FROM table_4 WHERE bucket = '2_a_3_mois') AS within_3,
    (SELECT count(*) FROM table_4 WHERE bucket = '3_a_6_mois') AS within_6,
    (SELECT count(*) FROM table_4 WHERE bucket = '6_mois_et_plus') AS later,
    (SELECT count(DISTINCT person) FROM spans WHERE coalesce(ended, $end) >= $start) AS coached_in_period,
    (SELECT count(DISTINCT person) FROM spans WHERE ended IS NULL) AS coached_at_end,
    (SELECT count(*) FROM e WHERE kind = 'accompagnement.contact' AND programme IN ('coaching', '')
        AND date BETWEEN $start AND $end) AS contacts,
    (SELECT count(*) FROM due_contacts) AS weeks_due,
    (SELECT count(*) FROM due_contacts WHERE n > 0) AS weeks_with_contact,
    (SELECT coalesce(sum(n), 0) FROM due_contacts) AS contacts_in_due_weeks,
    (SELECT count(*) FROM e WHERE kind = 'sortie' AND date BETWEEN $start AND $end) AS exits,
    (SELECT count(DISTINCT person) FROM e WHERE kind = 'accompagnement.debut' AND programme = 'global'
        AND date BETWEEN $start AND $end) AS global_entries
"""

TABLE_4_BUCKETS = ("moins_1_mois", "1_a_2_mois", "2_a_3_mois", "3_a_6_mois", "6_mois_et_plus")
# `holidays` names Moselle "57" and Bas-Rhin/Haut-Rhin "6AE": both add Good Friday and 26 December.
_SUBDIVISIONS = {"57": "57", "67": "6AE", "68": "6AE"}


def public_holidays(departement: str, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The public holidays of the département from the week before `start` to the week after `end`
    (the `holidays` package, Alsace-Moselle aware)."""
    import holidays

    years = range(start.year - 1, end.year + 2)
    return sorted(holidays.France(subdiv=_SUBDIVISIONS.get(departement), years=years))


def _share(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def headline(
    path: str,
    start: datetime.date,
    end: datetime.date,
    observed_until: datetime.date | None = None,
    departement: str | None = None,
) -> dict:
    """The headline figures recomputed by DuckDB from the parquet export at `path`, reading the
    events dated up to `observed_until` (by default all of them). `departement` (by default the
    configured one) chooses the public holidays of the contact cadence."""
    import duckdb

    if departement is None:
        from django.conf import settings

        departement = settings.PARCOURS_DEPARTEMENT
    until = observed_until or datetime.date(9999, 12, 31)
    parameters = {
        "path": path,
        "start": start,
        "end": end,
        "observed_until": until,
        "today": end + datetime.timedelta(days=1),
        "holidays": public_holidays(departement, start, end),
    }
    connection = duckdb.connect()
    try:
        row = connection.execute(SQL, parameters).fetchone()
    finally:
        connection.close()
    entrants, received, mean_delay, population, coached, outcomes, oriented, *rest = row
    buckets, cadence = rest[: len(TABLE_4_BUCKETS)], rest[len(TABLE_4_BUCKETS) :]
    in_period, at_end, contacts, weeks_due, with_contact, in_due_weeks, exits, global_entries = cadence
    return {
        "entrants.count": entrants,
        "entrants.received": received,
        "delay_first_interview.mean_days": float(mean_delay) if mean_delay is not None else None,
        "drees.table_1.population": population,
        "drees.table_4.oriented": oriented,
        **{f"drees.table_4.{key}": count for key, count in zip(TABLE_4_BUCKETS, buckets, strict=True)},
        "coaching.entries": coached,
        "coaching.job_or_training_within_3_months": outcomes,
        "coaching.coached_in_period": in_period,
        "coaching.coached_at_end": at_end,
        "coaching.contacts": contacts,
        "coaching.weeks_due": weeks_due,
        "coaching.weeks_with_contact": with_contact,
        "coaching.share_weeks_with_contact": _share(with_contact, weeks_due),
        "coaching.contacts_per_week": round(in_due_weeks / weeks_due, 2) if weeks_due else None,
        "placements.exits": exits,
        "global_accompaniment.entries": global_entries,
    }


def expected(stats: dict) -> dict:
    """The figures of a `stats.compute` result (or `parcours stats` JSON) that `headline` recomputes,
    under the same keys."""
    table_4 = stats["drees"]["table_4"]
    return {
        "entrants.count": stats["entrants"]["count"],
        "entrants.received": stats["entrants"]["received"],
        "delay_first_interview.mean_days": stats["delay_first_interview"]["mean_days"],
        "drees.table_1.population": stats["drees"]["table_1"]["population"],
        "drees.table_4.oriented": table_4["oriented"],
        **{f"drees.table_4.{key}": table_4[key] for key in TABLE_4_BUCKETS},
        "coaching.entries": stats["coaching"]["entries"],
        "coaching.job_or_training_within_3_months": stats["coaching"]["job_or_training_within_3_months"],
        **{
            f"coaching.{key}": stats["coaching"][key]
            for key in (
                "coached_in_period",
                "coached_at_end",
                "contacts",
                "weeks_due",
                "weeks_with_contact",
                "share_weeks_with_contact",
                "contacts_per_week",
            )
        },
        "placements.exits": stats["placements"]["exits"],
        "global_accompaniment.entries": stats["global_accompaniment"]["entries"],
    }


def coverage_problems(path: str, stats: dict) -> list[str]:
    """Why the export at `path` cannot reproduce the `stats` result (empty when it can): it must
    reach the latest event the run read (`period.events_until`, usually after the period end)."""
    import duckdb

    needed = stats["period"].get("events_until")
    if needed is None:
        return []
    connection = duckdb.connect()
    try:
        (last,) = connection.execute("SELECT max(date) FROM read_parquet($path)", {"path": path}).fetchone()
    finally:
        connection.close()
    if last is None or last.isoformat() < needed:
        stopped = f"s'arrête au {last.isoformat()}" if last is not None else "est vide"
        computed_at = stats["period"].get("computed_at", "?")
        return [
            f"L'export {stopped} mais le calcul du {computed_at} a lu des événements jusqu'au "
            f"{needed} : refaites l'export avec --to {needed} (ou une date postérieure)."
        ]
    return []
