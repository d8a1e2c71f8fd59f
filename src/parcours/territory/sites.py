"""The reception sites generated for a département.

No open, official list of the places where a département receives people (MDIE, UTPAS…) is
shipped, so `plan_sites` derives a plausible, deterministic set from the communes and the units:

- per unit: an MDIE, a Relais autonomie in its seat; a Maison des parents in its second commune
  by population (its seat when it has only one);
- UTPAS: in the unit's seat and in its communes of at least `UTPAS_MIN_POPULATION` inhabitants,
  at most `UTPAS_MAX_PER_UNIT` per unit, largest first;
- France Travail: in every commune of at least `FRANCE_TRAVAIL_MIN_POPULATION` inhabitants, and in
  the seat of a unit that would otherwise have none;
- CCAS: in every commune of at least `CCAS_MIN_POPULATION` inhabitants.

Address: the town hall's street address, marked as indicative; point: the commune's point.
The same data always gives the same sites with the same codes (the key of idempotent loading).
"""

from __future__ import annotations

from dataclasses import dataclass

from parcours.territory.reference import CommuneRef, UnitPlan

UTPAS_MIN_POPULATION = 15_000
UTPAS_MAX_PER_UNIT = 6
FRANCE_TRAVAIL_MIN_POPULATION = 20_000
CCAS_MIN_POPULATION = 10_000


@dataclass(frozen=True)
class SitePlan:
    code: str
    kind: str  # a SiteKind value
    name: str
    commune: str  # INSEE code
    unit: str  # unit code
    address: str
    latitude: float
    longitude: float


def name_after_de(name: str, tncc: int) -> str:
    """`name` preceded by "de" as French writes it, using INSEE's TNCC: "de Lille", "d'Armentières",
    "du Cateau-Cambrésis", "des Rues-des-Vignes", "de La Madeleine"."""
    if tncc == 2 and name.startswith("Le "):
        return f"du {name[3:]}"
    if tncc == 4 and name.startswith("Les "):
        return f"des {name[4:]}"
    if tncc == 1 or (tncc == 0 and name[:1] in "AEIOUYÉÈÊÎÔÂ"):
        return f"d'{name}"
    return f"de {name}"


def address_of(commune: CommuneRef) -> str:
    """The indicative address of a site in the commune: its town hall's, or "Mairie, <CP> <name>"."""
    if commune.town_hall_address:
        return commune.town_hall_address
    postal_code = commune.postal_codes.split()[0] if commune.postal_codes else ""
    return f"Mairie, {postal_code} {commune.name}".replace("  ", " ")


def plan_sites(units: list[UnitPlan], communes: tuple[CommuneRef, ...] | list[CommuneRef]) -> list[SitePlan]:
    """The generated sites of a département, sorted by code (see the module's docstring)."""
    by_code = {commune.insee_code: commune for commune in communes}
    sites: dict[str, SitePlan] = {}

    def add(prefix: str, kind: str, name: str, commune: CommuneRef, unit: UnitPlan, key: str) -> None:
        code = f"{prefix}-{key}"
        sites[code] = SitePlan(
            code=code,
            kind=kind,
            name=name,
            commune=commune.insee_code,
            unit=unit.code,
            address=address_of(commune),
            latitude=commune.latitude,
            longitude=commune.longitude,
        )

    for unit in units:
        ranked = sorted(
            (by_code[code] for code in unit.communes), key=lambda c: (-c.population, c.insee_code)
        )
        seat = by_code[unit.seat]
        add("MDIE", "mdie", f"MDIE {unit.name}", seat, unit, unit.code)
        add("RA", "relais_autonomie", f"Relais autonomie {unit.name}", seat, unit, unit.code)
        parents = next((c for c in ranked if c.insee_code != seat.insee_code), seat)
        add(
            "MDP",
            "maison_parents",
            f"Maison des parents {name_after_de(parents.name, parents.tncc)}",
            parents,
            unit,
            unit.code,
        )

        utpas = [seat] + [c for c in ranked if c.population >= UTPAS_MIN_POPULATION and c is not seat]
        for commune in utpas[:UTPAS_MAX_PER_UNIT]:
            add(
                "UTPAS",
                "utpas",
                f"UTPAS {name_after_de(commune.name, commune.tncc)}",
                commune,
                unit,
                commune.insee_code,
            )

        agencies = [c for c in ranked if c.population >= FRANCE_TRAVAIL_MIN_POPULATION] or [seat]
        for commune in agencies:
            add("FT", "france_travail", f"France Travail {commune.name}", commune, unit, commune.insee_code)

        for commune in ranked:
            if commune.population < CCAS_MIN_POPULATION:
                break
            add(
                "CCAS",
                "ccas",
                f"CCAS {name_after_de(commune.name, commune.tncc)}",
                commune,
                unit,
                commune.insee_code,
            )

    return [sites[code] for code in sorted(sites)]
