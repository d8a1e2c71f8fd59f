"""Amounts in French: « 1 234,50 € » (narrow no-break space between thousands)."""

from __future__ import annotations

from decimal import Decimal


def euros(amount: Decimal | int | float | str | None) -> str:
    if amount is None or amount == "":
        return "—"
    text = f"{Decimal(str(amount)):,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text}\u00a0€"
