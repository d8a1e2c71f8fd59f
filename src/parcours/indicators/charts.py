"""Bar charts rendered on the server as inline SVG in the colours of the State's design system
(DSFR): no JavaScript, no CDN. Each chart carries its figures so that the page shows them in a
table under it (the DSFR rule for charts: the data are always readable as text)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 190
CHART_WIDTH = 640
BLUE_FRANCE = "#000091"  # --blue-france-sun-113-625
GREY_TEXT = "#3a3a3a"  # --grey-50-1000


@dataclass(frozen=True)
class Chart:
    """A chart's title, its SVG and the rows of its data table (label, figure as French text)."""

    slug: str
    title: str
    svg: SafeString
    rows: list[tuple[str, str]]
    unit_label: str


def _number(value: float, unit: str) -> str:
    if unit == "part":
        return f"{value * 100:.1f} %".replace(".", ",")
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:.1f}".replace(".", ",")


def bar_chart(
    slug: str,
    title: str,
    rows: list[tuple[str, float | None]],
    unit: str = "nombre",
    *,
    unit_label: str = "Nombre",
) -> Chart:
    """Horizontal bars, one per (label, value); None values are drawn as "n.d.". `slug` names
    the chart in the page (ids of its title and table)."""
    values = [value for _, value in rows if value is not None]
    top = max(values, default=0) or 1
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    span = CHART_WIDTH - LABEL_WIDTH - 80
    shown = [(label, "n.d." if value is None else _number(value, unit)) for label, value in rows]
    parts = []
    for index, ((label, value), (_, text)) in enumerate(zip(rows, shown, strict=True)):
        y = GAP + index * (BAR_HEIGHT + GAP)
        text_y = y + BAR_HEIGHT * 0.7
        width = 0 if value is None else max(1, round(span * value / top))
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="14" fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                '<text x="{}" y="{}" font-size="14" fill="{}">{}</text>',
                LABEL_WIDTH - 8,
                text_y,
                GREY_TEXT,
                label[:32],
                LABEL_WIDTH,
                y,
                width,
                BAR_HEIGHT,
                BLUE_FRANCE,
                LABEL_WIDTH + width + 6,
                text_y,
                GREY_TEXT,
                text,
            )
        )
    svg = mark_safe(  # noqa: S308 — every piece above is escaped by format_html/escape
        f'<svg class="parcours-chart" role="img" viewBox="0 0 {CHART_WIDTH} {height}" width="100%" '
        f'aria-labelledby="{slug}-title" aria-describedby="{slug}-table" font-family="Marianne, arial, sans-serif">'
        f'<title id="{slug}-title">{escape(title)}</title>' + "".join(parts) + "</svg>"
    )
    return Chart(slug=slug, title=title, svg=svg, rows=shown, unit_label=unit_label)
