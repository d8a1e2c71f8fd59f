"""Recomputing the aids' figures with DuckDB over their event export (`parcours export-events
--stream aides`, CSV or Parquet): what an auditor can run without Parcours's database.

`figures(path, start, end, scheme=, unit=)` returns the same nested dict as
`aids.figures.compute` (definitions in docs/indicators.md, « Aides financières »). It shares no
computation with it: SQL over the exported columns only (the vocabulary of refusal reasons is the
only thing read from Parcours, to list the reasons never used with 0).

The export must start early enough to hold the deposit of every application decided in the
period (export from the first day of the aids, or at least the longest an application waits for
its decision), and reach the end of the period.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from parcours.aids.models import RefusalReason

EVENTS = """
CREATE TEMP TABLE e AS
SELECT CAST(seq AS BIGINT) AS seq, application, kind, scheme, scheme_family, unit,
    CAST(emergency AS VARCHAR) = 'true' AS emergency,
    TRY_CAST(NULLIF(CAST(amount AS VARCHAR), '') AS DECIMAL(14, 2)) AS amount,
    coalesce(CAST(reason AS VARCHAR), '') AS reason,
    epoch(CAST(occurred_at AS TIMESTAMPTZ)) AS t,
    CAST(date AS DATE) BETWEEN $start AND $end AS in_period,
    ($scheme = '' OR scheme = $scheme) AND ($unit = '' OR coalesce(unit, '') = $unit) AS in_scope
FROM {source} WHERE CAST(date AS DATE) <= $end
"""

QUERIES = {
    "kinds": """
        SELECT kind, count(*), coalesce(sum(amount), 0), count(*) FILTER (WHERE emergency)
        FROM e WHERE in_period AND in_scope GROUP BY kind
    """,
    "reasons": """
        SELECT r, count(*) FROM (
            SELECT unnest(string_split(reason, ',')) AS r FROM e
            WHERE kind = 'aide.refusee' AND in_period AND in_scope AND reason <> ''
        ) GROUP BY r
    """,
    "schemes": """
        SELECT scheme,
            count(*) FILTER (WHERE kind = 'aide.deposee'),
            count(*) FILTER (WHERE kind = 'aide.accordee'),
            count(*) FILTER (WHERE kind = 'aide.refusee'),
            coalesce(sum(amount) FILTER (WHERE kind = 'aide.accordee'), 0),
            coalesce(sum(amount) FILTER (WHERE kind = 'aide.paiement'), 0),
            coalesce(sum(amount) FILTER (WHERE kind = 'aide.liberation'), 0)
        FROM e WHERE in_period AND in_scope GROUP BY scheme ORDER BY scheme
    """,
    "delays": """
        CREATE TEMP TABLE delays AS
        WITH decisions AS (
            SELECT seq, application, t, scheme_family, emergency FROM e
            WHERE kind IN ('aide.accordee', 'aide.refusee') AND in_period AND in_scope AND application <> ''
        ),
        deposits AS (
            SELECT application, min(t) AS t FROM e WHERE kind = 'aide.deposee' GROUP BY application
        ),
        pauses AS (
            SELECT d.seq, sum(least(coalesce((
                SELECT min(x.t) FROM e x
                WHERE x.application = r.application AND x.kind = 'aide.pieces_recues' AND x.seq > r.seq
            ), d.t), d.t) - r.t) AS paused
            FROM decisions d JOIN e r
                ON r.application = d.application AND r.kind = 'aide.pieces_demandees' AND r.t < d.t
            GROUP BY d.seq
        )
        SELECT (d.t - p.t - coalesce(pauses.paused, 0)) / 3600 AS h, d.scheme_family, d.emergency
        FROM decisions d JOIN deposits p USING (application) LEFT JOIN pauses USING (seq)
    """,
    "delay": """
        SELECT count(h), quantile_cont(h, 0.5), quantile_cont(h, 0.9),
            count(*) FILTER (WHERE emergency AND scheme_family = 'jeunesse'),
            count(*) FILTER (WHERE emergency AND scheme_family = 'jeunesse' AND h <= 48)
        FROM delays
    """,
}
AMOUNTS = {
    "requested": "aide.deposee",
    "granted": "aide.accordee",
    "paid": "aide.paiement",
    "released": "aide.liberation",
    "undue": "aide.indu",
    "recovered": "aide.indu_solde",
}
CENT = Decimal("0.01")


def _euros(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _round(value, divisor: float = 1) -> float | None:
    return None if value is None else round(round(float(value), 2) / divisor, 2)


def figures(
    path: str | Path, start: datetime.date, end: datetime.date, *, scheme: str = "", unit: str = ""
) -> dict:
    """The figures of the period recomputed from the export at `path` (`.csv` or `.parquet`)."""
    import duckdb

    path = str(path)
    source = (
        "read_parquet($path)"
        if path.endswith(".parquet")
        else "read_csv($path, header = true, all_varchar = true)"
    )
    connection = duckdb.connect()
    try:
        connection.execute(
            EVENTS.format(source=source),
            {"path": path, "start": start, "end": end, "scheme": scheme, "unit": unit},
        )
        counts = {
            kind: (count, total, urgent)
            for kind, count, total, urgent in connection.execute(QUERIES["kinds"]).fetchall()
        }
        reasons = dict.fromkeys(RefusalReason.values, 0)
        for code, count in connection.execute(QUERIES["reasons"]).fetchall():
            if code in reasons:
                reasons[code] = count
        schemes = {
            code: {
                "deposited": deposited,
                "granted": granted,
                "refused": refused,
                "granted_amount": _euros(granted_amount),
                "paid_amount": _euros(paid_amount),
                "released_amount": _euros(released_amount),
            }
            for code, deposited, granted, refused, granted_amount, paid_amount, released_amount in connection.execute(
                QUERIES["schemes"]
            ).fetchall()
        }
        connection.execute(QUERIES["delays"])
        count, median, p90, fdaj, within = connection.execute(QUERIES["delay"]).fetchone()
    finally:
        connection.close()

    def number(kind: str) -> int:
        return counts.get(kind, (0, 0, 0))[0]

    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "requests": {
            "deposited": number("aide.deposee"),
            "emergency": counts.get("aide.deposee", (0, 0, 0))[2],
        },
        "decisions": {
            "granted": number("aide.accordee"),
            "refused": number("aide.refusee"),
            "adjourned": number("aide.ajournee"),
            "cancelled": number("aide.annulee"),
            "refusal_reasons": reasons,
        },
        "amounts": {name: _euros(counts.get(kind, (0, 0, 0))[1]) for name, kind in AMOUNTS.items()},
        "delay": {
            "count": count,
            "median_hours": _round(median),
            "p90_hours": _round(p90),
            "median_days": _round(median, 24),
            "p90_days": _round(p90, 24),
        },
        "emergencies": {
            "fdaj_decided": fdaj,
            "fdaj_within_48h": within,
            "fdaj_share_within_48h": round(within / fdaj, 4) if fdaj else None,
        },
        "schemes": schemes,
    }
