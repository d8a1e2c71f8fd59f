"""Fast multi-row INSERTs for imports.

`bulk_create` compiles every value of every row through the field machinery, which costs
more than the database itself for the hundreds of thousands of rows of a CNAF flux. Here
the caller gives plain tuples; each column gets one cheap adapter chosen once, and rows go
in multi-row `INSERT … RETURNING id` statements on SQLite (≥ 3.35), sized to its limit on parameters;
on PostgreSQL, through COPY (ids drawn from the table's sequence beforehand).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from functools import lru_cache

from django.db import connection, models


def _identity(value):
    return value


def _adapter(field: models.Field, *, copy: bool = False) -> Callable:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        # An import writes many rows with the same few instants (now, event days).
        return lru_cache(maxsize=4096)(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        if connection.vendor == "postgresql" and not copy:
            from psycopg.types.json import Jsonb

            return lambda value: None if value is None else Jsonb(value)
        return lambda value: None if value is None else json.dumps(value, cls=field.encoder)
    if isinstance(field, models.DecimalField):
        return lambda value: None if value is None else str(value)
    return _identity


def _max_params() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65535


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
    per_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    prepared = []
    for row in rows:
        if adapters:
            row = list(row)
            for i, adapt in adapters:
                row[i] = adapt(row[i])
        prepared.append(row)
    insert = f"INSERT INTO {table} ({column_sql}) VALUES "  # noqa: S608
    with connection.cursor() as cursor:
        if not returning:
            cursor.executemany(insert + per_row, prepared)
            return []
        # Batches of power-of-two sizes: few distinct statements for SQLite's statement cache
        # (which keeps each compiled statement, and would grow with every new size).
        ids: list[int] = []
        largest = 1 << (max(1, min(1024, _max_params() // len(columns)))).bit_length() - 1
        start = 0
        while start < len(prepared):
            size = largest
            while size > len(prepared) - start:
                size //= 2
            params = [value for row in prepared[start : start + size] for value in row]
            cursor.execute(insert + ", ".join([per_row] * size) + f" RETURNING {pk}", params)
            ids.extend(row[0] for row in cursor.fetchall())
            start += size
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
