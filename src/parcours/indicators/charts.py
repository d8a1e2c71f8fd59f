"""Bar charts rendered on the server as inline SVG: no JavaScript, no CDN, readable by screen
readers (a title, a description, and the same figures in the table next to each chart)."""

from __future__ import annotations

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 190
CHART_WIDTH = 640


def _number(value: float, unit: str) -> str:
    if unit == "part":
        return f"{value * 100:.1f} %".replace(".", ",")
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", " ")
    return f"{value:.1f}".replace(".", ",")


def bar_chart(title: str, rows: list[tuple[str, float | None]], unit: str = "nombre") -> SafeString:
    """Horizontal bars, one per (label, value); None values are drawn as "n.d."."""
    values = [value for _, value in rows if value is not None]
    top = max(values, default=0) or 1
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    span = CHART_WIDTH - LABEL_WIDTH - 80
    parts = []
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        text_y = y + BAR_HEIGHT * 0.7
        width = 0 if value is None else max(1, round(span * value / top))
        shown = "n.d." if value is None else _number(value, unit)
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="#000091"></rect>'
                '<text x="{}" y="{}" font-size="12">{}</text>',
                LABEL_WIDTH - 8,
                text_y,
                label[:32],
                LABEL_WIDTH,
                y,
                width,
                BAR_HEIGHT,
                LABEL_WIDTH + width + 6,
                text_y,
                shown,
            )
        )
    description = "; ".join(
        f"{label} : {'n.d.' if value is None else _number(value, unit)}" for label, value in rows
    )
    return mark_safe(  # noqa: S308 — every piece above is escaped by format_html/escape
        f'<svg class="parcours-chart" role="img" viewBox="0 0 {CHART_WIDTH} {height}" width="100%" '
        f'aria-labelledby="chart-{abs(hash(title))}">'
        f'<title id="chart-{abs(hash(title))}">{escape(title)} — {escape(description)}</title>'
        + "".join(parts)
        + "</svg>"
    )
