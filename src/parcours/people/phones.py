"""Phone numbers as the contact centre looks them up.

A number is typed in many ways (« 06 12 34 56 78 », « 06.12.34.56.78 », « +33 6 12 34 56 78 »). Its
*key* is its last nine digits once spaces, dots, dashes and slashes are gone: the national
number without its leading 0 or +33/0033. `phone_key_expression` computes it in the database (a
generated column, so that every path that writes a phone — forms, imports, API — keeps it right
without code of its own) and `phone_key` in Python, the same way.
"""

from __future__ import annotations

from django.db.models import F, Value
from django.db.models.functions import Replace, Right

SEPARATORS = (" ", ".", "-", "/")
KEY_LENGTH = 9


def phone_key(raw: str) -> str:
    """The lookup key of a typed number ("" when it has fewer than nine digits)."""
    compact = raw or ""
    for separator in SEPARATORS:
        compact = compact.replace(separator, "")
    digits = "".join(ch for ch in compact if ch.isdigit())
    return compact[-KEY_LENGTH:] if len(digits) >= KEY_LENGTH else ""


def phone_key_expression(field: str = "phone"):
    """The database expression of `phone_key` over `field` (without the length check: a short
    number gives a short key, which no lookup of nine digits matches)."""
    expression = F(field)
    for separator in SEPARATORS:
        expression = Replace(expression, Value(separator), Value(""))
    return Right(expression, KEY_LENGTH)
