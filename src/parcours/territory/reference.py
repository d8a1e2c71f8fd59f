"""The shipped reference data of the territory (see data/README.md): départements, communes and
the assignment of communes to territorial units. Read-only, no database access."""

from __future__ import annotations

import csv
import gzip
import io
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
UNITS_DIR = DATA_DIR / "units"


class TerritoryDataError(ValueError):
    """The reference data cannot be used as asked; the message is for the user, in French."""


class UnknownDepartement(TerritoryDataError):
    pass


@dataclass(frozen=True)
class DepartementRef:
    code: str
    name: str
    chef_lieu: str  # INSEE code of the prefecture's commune


@dataclass(frozen=True)
class CommuneRef:
    insee_code: str
    departement: str
    kind: str  # "commune" or "arrondissement_municipal" (CommuneKind values)
    name: str
    tncc: int
    postal_codes: str
    population: int
    latitude: float
    longitude: float
    location_source: str
    arrondissement: str
    parent_code: str
    former_codes: str
    town_hall_address: str


@dataclass
class UnitPlan:
    code: str
    name: str
    seat: str  # INSEE code of the unit's main commune
    communes: list[str] = field(default_factory=list)  # INSEE codes, sorted


@cache
def departements() -> dict[str, DepartementRef]:
    """Every département of the shipped data (metropolitan and overseas), by code."""
    with open(DATA_DIR / "departements.csv", newline="", encoding="utf-8") as f:
        return {
            row["code"]: DepartementRef(row["code"], row["name"], row["chef_lieu"])
            for row in csv.DictReader(f)
        }


def departement(code: str) -> DepartementRef:
    """The département with this INSEE code (`59`, `2A`, `974`); UnknownDepartement otherwise."""
    normalized = (code or "").strip().upper()
    if normalized.isdigit() and len(normalized) == 1:
        normalized = f"0{normalized}"
    try:
        return departements()[normalized]
    except KeyError:
        raise UnknownDepartement(
            f"Département inconnu : « {code} ». Indiquez un code INSEE de département, "
            "par exemple 59, 2A ou 974."
        )


_KINDS = {"C": "commune", "A": "arrondissement_municipal"}


@cache
def _all_communes() -> dict[str, tuple[CommuneRef, ...]]:
    with gzip.open(DATA_DIR / "communes.csv.gz", "rb") as raw:
        reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
        by_departement: dict[str, list[CommuneRef]] = {}
        for row in reader:
            by_departement.setdefault(row["departement"], []).append(
                CommuneRef(
                    insee_code=row["insee_code"],
                    departement=row["departement"],
                    kind=_KINDS[row["kind"]],
                    name=row["name"],
                    tncc=int(row["tncc"]),
                    postal_codes=row["postal_codes"],
                    population=int(row["population"]),
                    latitude=float(row["latitude"]),
                    longitude=float(row["longitude"]),
                    location_source=row["point_source"],
                    arrondissement=row["arrondissement"],
                    parent_code=row["parent_code"],
                    former_codes=row["former_codes"],
                    town_hall_address=row["town_hall_address"],
                )
            )
    return {code: tuple(rows) for code, rows in by_departement.items()}


@cache
def _national_names() -> dict[str, str]:
    """Name by INSEE code (current and former codes), read without building every CommuneRef:
    the CNAF import asks for it on each run."""
    names = {}
    with gzip.open(DATA_DIR / "communes.csv.gz", "rt", encoding="utf-8", newline="") as text:
        reader = csv.reader(text)
        header = next(reader)
        code_at, name_at, former_at = (header.index(k) for k in ("insee_code", "name", "former_codes"))
        for row in reader:
            for former in row[former_at].split():
                names.setdefault(former, row[name_at])
            names[row[code_at]] = row[name_at]
    return names


@cache
def national_codes() -> frozenset[str]:
    """Every INSEE code the shipped national reference knows: current communes, arrondissements
    municipaux and the former codes of merged communes. Whether a code exists anywhere in France."""
    return frozenset(_national_names())


def commune_name(insee_code: str) -> str:
    """The name of the commune with this INSEE code anywhere in France ("" when unknown); a former
    code gives the name of the commune it merged into."""
    return _national_names().get(insee_code, "")


def communes(departement_code: str) -> tuple[CommuneRef, ...]:
    """The communes of a département, sorted by INSEE code. Paris, Lyon and Marseille appear as
    their arrondissements municipaux."""
    return _all_communes().get(departement(departement_code).code, ())


def unit_plan(departement_code: str, refs: tuple[CommuneRef, ...] | None = None) -> list[UnitPlan]:
    """The territorial units of a département and their communes, every commune in exactly one.

    From `data/units/<code>.toml` when it exists (see data/README.md for its format), else a single
    unit covering the whole département, seated at its chef-lieu. Raises TerritoryDataError when
    the file leaves a commune without unit, puts one in two units or names an unknown commune."""
    dep = departement(departement_code)
    refs = communes(dep.code) if refs is None else refs
    by_code = {ref.insee_code: ref for ref in refs}
    path = UNITS_DIR / f"{dep.code}.toml"
    if not path.exists():
        seat = dep.chef_lieu if dep.chef_lieu in by_code else _most_populous(refs)
        return [UnitPlan(code=dep.code, name=dep.name, seat=seat, communes=sorted(by_code))]

    config = tomllib.loads(path.read_text(encoding="utf-8"))
    plans: list[UnitPlan] = []
    owner: dict[str, str] = {}
    by_arrondissement: dict[str, str] = {}
    default_unit = None
    for entry in config.get("units", []):
        plan = UnitPlan(code=entry["code"], name=entry["name"], seat=entry.get("seat", ""))
        plans.append(plan)
        for code in entry.get("communes", []):
            if code not in by_code:
                raise TerritoryDataError(f"{path.name} : la commune {code} n'est pas dans le département.")
            if code in owner:
                raise TerritoryDataError(
                    f"{path.name} : la commune {code} est dans deux unités ({owner[code]}, {plan.code})."
                )
            owner[code] = plan.code
        for arrondissement in entry.get("arrondissements", []):
            if arrondissement in by_arrondissement:
                raise TerritoryDataError(
                    f"{path.name} : l'arrondissement {arrondissement} est dans deux unités."
                )
            by_arrondissement[arrondissement] = plan.code
        if entry.get("default"):
            default_unit = plan.code
    plans_by_code = {plan.code: plan for plan in plans}
    for ref in refs:
        unit_code = owner.get(ref.insee_code) or by_arrondissement.get(ref.arrondissement) or default_unit
        if unit_code is None:
            raise TerritoryDataError(
                f"{path.name} : la commune {ref.name} ({ref.insee_code}) n'est rattachée à aucune unité."
            )
        plans_by_code[unit_code].communes.append(ref.insee_code)
    for plan in plans:
        plan.communes.sort()
        if not plan.communes:
            raise TerritoryDataError(f"{path.name} : l'unité {plan.code} n'a aucune commune.")
        if not plan.seat:
            plan.seat = _most_populous([by_code[code] for code in plan.communes])
        elif plan.seat not in plan.communes:
            raise TerritoryDataError(
                f"{path.name} : le siège {plan.seat} n'est pas dans l'unité {plan.code}."
            )
    return plans


def _most_populous(refs) -> str:
    return min(refs, key=lambda ref: (-ref.population, ref.insee_code)).insee_code
