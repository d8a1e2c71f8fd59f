"""`{{ amount|euros }}` → « 1 234,50 € » (`aids.money.euros`)."""

from django import template

from parcours.aids.money import euros as _euros

register = template.Library()


@register.filter
def euros(amount) -> str:
    return _euros(amount)


@register.filter
def amount(value) -> str:
    """A number of euros without the sign (tables whose header says « (€) »): « 1 234,50 »."""
    text = _euros(value)
    return text.removesuffix("\u00a0€")


@register.filter
def iso_day(value) -> str:
    """« 2026-12-01… » (an ISO date or instant kept as text) → « 01/12/2026 »."""
    text = str(value or "")[:10]
    parts = text.split("-")
    return f"{parts[2]}/{parts[1]}/{parts[0]}" if len(parts) == 3 else text
