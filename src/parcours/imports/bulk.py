"""Fast multi-row INSERTs for imports.

`bulk_create` compiles every value of every row through the field machinery, which costs
more than the database itself for the hundreds of thousands of rows of a CNAF flux. Here
the caller gives plain tuples; each column gets one cheap adapter chosen once (JSON through
orjson), and the ids are chosen before the insert: on SQLite, after the table's greatest id
(the import's transaction holds the database's write lock: `BEGIN IMMEDIATE`), then one
`executemany`; on PostgreSQL, drawn from the table's sequence, then COPY.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

import orjson
from django.db import connection, models


def _identity(value):
    return value


def _adapter(field: models.Field, *, copy: bool = False) -> Callable:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        # An import writes many rows with the same few instants (now, event days).
        return lru_cache(maxsize=4096)(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return lru_cache(maxsize=65536)(ops.adapt_datefield_value)
    if isinstance(field, models.JSONField):
        if connection.vendor == "postgresql" and not copy:
            from psycopg.types.json import Jsonb

            return lambda value: None if value is None else Jsonb(value)
        default = field.encoder().default if field.encoder else None
        return lambda value: None if value is None else orjson.dumps(value, default=default).decode()
    if isinstance(field, models.DecimalField):
        return lambda value: None if value is None else str(value)
    return _identity


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple], *, returning: bool = True
) -> list[int]:
    """Insert `rows` (tuples of Python values, in the order of `columns`, attnames) and return
    their new ids in the same order (an empty list when `returning` is false)."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        if not returning:
            _copy_rows(model, columns, rows)
            return []
        # Ids taken from the table's sequence first, then COPY with them.
        pk = model._meta.pk
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, pk.column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        _copy_rows(
            model, [pk.attname, *columns], [(pk_value, *row) for pk_value, row in zip(ids, rows, strict=True)]
        )
        return ids
    return _sqlite_rows(model, columns, rows, returning)


def _sqlite_rows(model, columns: Sequence[str], rows: Sequence[tuple], returning: bool) -> list[int]:
    if not connection.in_atomic_block:
        raise RuntimeError("insert_rows needs a transaction (it chooses the new ids itself).")
    fields = [model._meta.get_field(name) for name in columns]
    adapters = [
        (i, adapter)
        for i, adapter in enumerate(_adapter(field) for field in fields)
        if adapter is not _identity
    ]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_sql = ", ".join(quote(field.column) for field in fields)
    pk = quote(model._meta.pk.column)
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning:
            column_sql = f"{pk}, {column_sql}"
            # AUTOINCREMENT tables never reuse an id: start after the greatest ever given.
            cursor.execute(
                f"SELECT max(coalesce((SELECT max({pk}) FROM {table}), 0), "  # noqa: S608
                "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                [model._meta.db_table],
            )
            first = cursor.fetchone()[0] + 1
            ids = list(range(first, first + len(rows)))
        prepared = rows
        if adapters or returning:
            # Column by column: `map` over a column costs far less than a Python loop over rows.
            values = list(zip(*rows, strict=True))
            for i, adapt in adapters:
                values[i] = map(adapt, values[i])
            prepared = zip(ids, *values, strict=True) if returning else zip(*values, strict=True)
        placeholders = ", ".join(["%s"] * (len(columns) + returning))
        cursor.executemany(
            f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders})",  # noqa: S608
            prepared,
        )
    return ids


def _copy_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """PostgreSQL's COPY, several times faster than INSERT for thousands of rows."""
    fields = [model._meta.get_field(name) for name in columns]
    adapters = [(i, a) for i, a in enumerate(_adapter(f, copy=True) for f in fields) if a is not _identity]
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            if adapters:
                row = list(row)
                for i, adapt in adapters:
                    row[i] = adapt(row[i])
            copy.write_row(row)
