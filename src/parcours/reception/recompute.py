"""Recomputing the front door's figures with DuckDB over its event export (`parcours export-events
--stream accueil --format parquet`): what an auditor can run without Parcours.

`figures(path, start, end)` returns, under the dotted keys of `reception.figures.flat`, the same
figures as `reception.figures.compute` (definitions in docs/indicators.md, « Premier accueil »).
It shares no code with them: the SQL reads the exported columns only, and the working hours of
the time to first action come from its own working week (Monday to Friday, 9:00–12:30 and
13:30–17:00 Europe/Paris, public holidays of the `holidays` package, Alsace-Moselle aware).

The export must start early enough to hold the creation of every item acted on in the period
(export from the first day of the front door, or at least the longest an item stays open) and
reach the end of the period.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from parcours.indicators.recompute import public_holidays

PARIS = ZoneInfo("Europe/Paris")
WORKING_PERIODS = (
    (datetime.time(9, 0), datetime.time(12, 30)),
    (datetime.time(13, 30), datetime.time(17, 0)),
)

EVENTS = """
CREATE TEMP TABLE e AS
SELECT *, epoch(CAST(occurred_at AS TIMESTAMPTZ)) AS t,
    date BETWEEN $start AND $end AS in_period,
    (len($units) = 0 OR list_contains($units, unit)) AND ($tray = '' OR tray = $tray) AS in_scope
FROM read_parquet($path) WHERE date <= $end
"""

QUERIES = {
    "contacts": """
        SELECT channel, unit, CAST(substr(occurred_at, 12, 2) AS INTEGER) AS hour FROM e
        WHERE kind = 'accueil.sollicitation' AND in_period
            AND (len($units) = 0 OR list_contains($units, unit))
            AND ($tray = '' OR contact IN (SELECT contact FROM e WHERE kind = 'accueil.besoin' AND in_period
                AND tray = $tray))
    """,
    "themes": """
        SELECT theme, count(DISTINCT contact) FROM e WHERE kind = 'accueil.besoin' AND in_period AND in_scope
        GROUP BY theme
    """,
    "items": "SELECT tray, count(*) FROM e WHERE kind = 'accueil.besoin' AND in_period AND in_scope GROUP BY tray",
    "first_action": """
        WITH fa AS (
            SELECT f.seq, f.tray, f.t, (SELECT max(x.t) FROM e x WHERE x.item = f.item
                AND x.kind IN ('accueil.besoin', 'accueil.transmission') AND x.t <= f.t) AS entered
            FROM e f WHERE f.kind = 'accueil.premiere_action' AND f.in_period AND f.in_scope
        ),
        hours AS (
            SELECT fa.seq, fa.tray,
                coalesce(sum(greatest(0, least(fa.t, p.pe) - greatest(fa.entered, p.ps))), 0) / 3600 AS h
            FROM fa LEFT JOIN periods p ON p.pe > fa.entered AND p.ps < fa.t
            WHERE fa.entered IS NOT NULL GROUP BY fa.seq, fa.tray
        )
        SELECT tray, count(*), round(quantile_cont(h, 0.5), 2), round(quantile_cont(h, 0.9), 2)
        FROM hours GROUP BY tray
    """,
    "closure": """
        WITH cl AS (
            SELECT c.seq, c.item, c.tray, c.t,
                (SELECT min(x.t) FROM e x WHERE x.item = c.item AND x.kind = 'accueil.besoin') AS created
            FROM e c WHERE c.kind = 'accueil.cloture' AND c.in_period AND c.in_scope
        ),
        waits AS (
            SELECT cl.seq, sum(least(coalesce((SELECT min(x.t) FROM e x WHERE x.item = w.item
                AND x.kind IN ('accueil.reprise', 'accueil.transmission') AND x.seq > w.seq), cl.t), cl.t) - w.t)
                AS waited
            FROM cl JOIN e w ON w.item = cl.item AND w.kind = 'accueil.attente' AND w.t <= cl.t
            GROUP BY cl.seq
        ),
        hours AS (
            SELECT cl.tray, (cl.t - cl.created - coalesce(waits.waited, 0)) / 3600 AS h
            FROM cl LEFT JOIN waits USING (seq) WHERE cl.created IS NOT NULL
        )
        SELECT tray, count(*), round(quantile_cont(h, 0.5), 2), round(quantile_cont(h, 0.9), 2)
        FROM hours GROUP BY tray
    """,
    "service_level": """
        SELECT tray, urgency, count(*) AS due, count(*) FILTER (WHERE within_sla = 'true') AS within
        FROM (
            SELECT tray, urgency, within_sla FROM e
            WHERE kind = 'accueil.premiere_action' AND in_period AND in_scope
            UNION ALL
            SELECT s.tray, s.urgency, 'false' FROM e s
            WHERE s.kind = 'accueil.escalade' AND s.in_period AND s.in_scope AND NOT EXISTS (
                SELECT 1 FROM e f WHERE f.item = s.item AND f.kind = 'accueil.premiere_action'
                    AND f.tray = s.tray AND f.t >= s.t)
        ) GROUP BY tray, urgency
    """,
    "transfers": """
        SELECT
            (SELECT count(*) FROM e WHERE kind = 'accueil.transmission' AND in_period AND in_scope),
            (SELECT count(*) FROM e WHERE kind = 'accueil.besoin' AND in_period AND in_scope),
            (SELECT count(DISTINCT n.item) FROM e n JOIN e x ON x.item = n.item AND x.kind = 'accueil.transmission'
                WHERE n.kind = 'accueil.besoin' AND n.in_period AND n.in_scope)
    """,
    "outcomes": "SELECT outcome, count(*) FROM e WHERE kind = 'accueil.cloture' AND in_period AND in_scope GROUP BY 1",
    "rights": """
        WITH r AS (
            SELECT kind, benefit, unit, date, CASE WHEN "right" <> '' THEN 'r:' || "right"
                WHEN person <> '' THEN 'p:' || person || ':' || benefit
                WHEN contact <> '' THEN 'c:' || contact || ':' || benefit END AS subject
            FROM e WHERE kind LIKE 'droits.%'
        ),
        identified AS (
            SELECT DISTINCT benefit, subject FROM r
            WHERE kind = 'droits.identifie' AND date BETWEEN $start AND $end AND subject IS NOT NULL
                AND (len($units) = 0 OR list_contains($units, unit))
        ),
        reached AS (SELECT DISTINCT kind, subject FROM r WHERE kind <> 'droits.identifie')
        SELECT i.benefit, count(*),
            count(*) FILTER (WHERE (SELECT count(*) FROM reached x WHERE x.kind = 'droits.demande'
                AND x.subject = i.subject) > 0),
            count(*) FILTER (WHERE (SELECT count(*) FROM reached x WHERE x.kind = 'droits.ouvert'
                AND x.subject = i.subject) > 0),
            count(*) FILTER (WHERE (SELECT count(*) FROM reached x WHERE x.kind = 'droits.non_ouvert'
                AND x.subject = i.subject) > 0)
        FROM identified i GROUP BY i.benefit
    """,
}


def working_periods(first: datetime.date, last: datetime.date, departement: str) -> tuple[list, list]:
    """The epochs (starts, ends) of the working periods from `first` to `last` (both included)."""
    holidays = set(public_holidays(departement, first, last))
    starts, ends = [], []
    day = first
    while day <= last:
        if day.weekday() < 5 and day not in holidays:
            for opening, closing in WORKING_PERIODS:
                starts.append(datetime.datetime.combine(day, opening, tzinfo=PARIS).timestamp())
                ends.append(datetime.datetime.combine(day, closing, tzinfo=PARIS).timestamp())
        day += datetime.timedelta(days=1)
    return starts, ends


def _share(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def figures(
    path: str,
    start: datetime.date,
    end: datetime.date,
    *,
    unit_codes: list[str] | None = None,
    tray_code: str = "",
    departement: str | None = None,
) -> dict:
    """The front door's figures of the period recomputed from the parquet export at `path`, as
    dotted keys (see `reception.figures.flat`), for the units `unit_codes` or the tray `tray_code`."""
    import duckdb

    if departement is None:
        from django.conf import settings

        departement = settings.PARCOURS_DEPARTEMENT
    parameters = {
        "path": path,
        "start": start,
        "end": end,
        "units": list(unit_codes or []),
        "tray": tray_code,
    }
    connection = duckdb.connect()
    try:
        connection.execute(EVENTS, parameters)
        (first,) = connection.execute("SELECT min(date) FROM e").fetchone()
        starts, ends = working_periods(first or start, end + datetime.timedelta(days=1), departement)
        connection.execute(
            "CREATE TEMP TABLE periods AS SELECT unnest($s) AS ps, unnest($e) AS pe", {"s": starts, "e": ends}
        )

        def run(name: str) -> list[tuple]:
            sql = QUERIES[name]
            used = {key: value for key, value in parameters.items() if f"${key}" in sql}
            return connection.execute(sql, used).fetchall()

        result: dict = {}
        contacts = run("contacts")
        result["contacts.count"] = len(contacts)
        for index, name in ((0, "by_channel"), (1, "by_unit"), (2, "by_hour")):
            for row in contacts:
                key = f"contacts.{name}.{row[index]}"
                result[key] = result.get(key, 0) + 1
        for theme, count in run("themes"):
            result[f"contacts.by_theme.{theme}"] = count
        items = run("items")
        result["items.created"] = sum(count for _, count in items)
        for tray, count in items:
            result[f"items.by_tray.{tray}"] = count
        for block in ("first_action", "closure"):
            for tray, count, median, p90 in run(block):
                result[f"{block}.{tray}.count"] = count
                result[f"{block}.{tray}.median_hours"] = float(median)
                result[f"{block}.{tray}.p90_hours"] = float(p90)
        for tray, urgency, due, within in run("service_level"):
            prefix = f"service_level.{tray}.{urgency}"
            result |= {
                f"{prefix}.due": due,
                f"{prefix}.within": within,
                f"{prefix}.breaches": due - within,
                f"{prefix}.share_within": _share(within, due),
            }
        ((count, created, transferred),) = run("transfers")
        result |= {
            "transfers.count": count,
            "transfers.items_created": created,
            "transfers.items_transferred": transferred,
            "transfers.share_transferred": _share(transferred, created),
        }
        for outcome, count in run("outcomes"):
            result[f"outcomes.{outcome}"] = count
        for benefit, identified, claims, opened, not_opened in run("rights"):
            prefix = f"rights.{benefit}"
            result |= {
                f"{prefix}.identified": identified,
                f"{prefix}.claim_started": claims,
                f"{prefix}.opened": opened,
                f"{prefix}.not_opened": not_opened,
                f"{prefix}.non_recours": identified - opened,
                f"{prefix}.share_non_recours": _share(identified - opened, identified),
            }
    finally:
        connection.close()
    return result
