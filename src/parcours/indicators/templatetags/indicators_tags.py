from django import template

register = template.Library()


@register.filter
def figure(value, unit: str = "nombre") -> str:
    """A figure as French text: shares in percent, days with one decimal, counts with spaces."""
    if value is None or value == "":
        return "n.d."
    if unit == "part":
        return f"{value * 100:.1f} %".replace(".", ",")
    if unit == "jours":
        return f"{value:.1f} j".replace(".", ",")
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}".replace(".", ",")
    return f"{int(value):,}".replace(",", "\u202f")


@register.filter
def get(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None
