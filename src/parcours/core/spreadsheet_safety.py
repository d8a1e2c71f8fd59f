"""Cells that a spreadsheet would run as formulas ("CSV injection", OWASP).

A text cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
spreadsheets skip before reading one of those) is read by Excel or LibreOffice as a formula:
`=HYPERLINK(...)` or `=cmd|' /C calc'!A0` in a name typed by a user or in a row of an imported
file would run on the computer of the agent who opens the export. Every CSV, XLSX and ODS
export of Parcours passes its cells through `neutralise` (Parquet files are not opened by
spreadsheets and keep their values).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A negative number written as text ("-12", "-3,5") is read as a number, never as a formula.
NEGATIVE_NUMBER = re.compile(r"-\d+(?:[.,]\d+)?")


def neutralise(value: Any) -> Any:
    """`value`, or for a text a spreadsheet would read as a formula, the text prefixed with a
    single quote (then shown as text). Numbers, dates, booleans and None
    are returned unchanged, as is a text that is only a negative number."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralised(row: Iterable[Any]) -> list[Any]:
    """The row with every cell passed through `neutralise`."""
    return [neutralise(value) for value in row]
