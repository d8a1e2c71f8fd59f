"""Load a département's territory (communes, territorial units, generated sites) from the shipped
reference data into the database. Idempotent: a second run changes nothing."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.db import transaction

from parcours.territory import reference
from parcours.territory.models import Commune, Departement, Site, TerritorialUnit
from parcours.territory.reference import CommuneRef
from parcours.territory.sites import plan_sites

COMMUNE_FIELDS = [
    "departement_id",
    "kind",
    "name",
    "tncc",
    "postal_codes",
    "population",
    "latitude",
    "longitude",
    "location_source",
    "arrondissement",
    "parent_code",
    "former_codes",
    "town_hall_address",
    "unit_id",
]
SITE_FIELDS = [
    "kind",
    "name",
    "address",
    "commune_id",
    "unit_id",
    "latitude",
    "longitude",
    "address_is_indicative",
]


@dataclass
class Changes:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class LoadReport:
    departement: str
    name: str
    communes: int  # rows of the département's reference data (arrondissements municipaux included)
    arrondissements_municipaux: int
    units: int
    sites: int
    changes: dict[str, Changes] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated for c in self.changes.values())


def load_territory(departement_code: str) -> LoadReport:
    """Create or update the département, its communes, units and generated sites.

    Everything is read and checked before the first write, and written in one transaction: an
    unknown département or inconsistent unit data (reference.TerritoryDataError) changes nothing.
    Communes and units are keyed by code, sites by (département, code). Rows the reference no
    longer lists are left in place (people and agents may point to them). A site whose address
    was confirmed by hand (`address_is_indicative` false) is never overwritten."""
    dep_ref = reference.departement(departement_code)
    refs = reference.communes(dep_ref.code)
    plans = reference.unit_plan(dep_ref.code, refs)
    site_plans = plan_sites(plans, refs)
    report = LoadReport(
        departement=dep_ref.code,
        name=dep_ref.name,
        communes=len(refs),
        arrondissements_municipaux=sum(ref.kind == "arrondissement_municipal" for ref in refs),
        units=len(plans),
        sites=len(site_plans),
    )
    with transaction.atomic():
        departement, created = Departement.objects.get_or_create(
            code=dep_ref.code, defaults={"name": dep_ref.name}
        )
        dep_changes = Changes(created=int(created))
        if not created and departement.name != dep_ref.name:
            departement.name = dep_ref.name
            departement.save(update_fields=["name"])
            dep_changes.updated = 1
        elif not created:
            dep_changes.unchanged = 1
        report.changes["departement"] = dep_changes

        units, created_units, renamed_units = _load_units(departement, plans)
        unit_of = {code: units[plan.code].pk for plan in plans for code in plan.communes}
        communes, report.changes["communes"] = _load_communes(departement, refs, unit_of)
        # New units get their seat here too: they count as created only.
        updated_units = (renamed_units | _set_seats(units, plans, communes)) - created_units
        report.changes["units"] = Changes(
            created=len(created_units),
            updated=len(updated_units),
            unchanged=len(plans) - len(created_units) - len(updated_units),
        )
        report.changes["sites"] = _load_sites(departement, site_plans, units, communes)
    return report


def _load_units(departement, plans) -> tuple[dict[str, TerritorialUnit], set[str], set[str]]:
    """Create missing units and rename changed ones; return all units by code and the codes of
    the created and renamed ones."""
    existing = {unit.code: unit for unit in TerritorialUnit.objects.filter(departement=departement)}
    to_create, to_update = [], []
    for plan in plans:
        unit = existing.get(plan.code)
        if unit is None:
            to_create.append(TerritorialUnit(departement=departement, code=plan.code, name=plan.name))
        elif unit.name != plan.name:
            unit.name = plan.name
            to_update.append(unit)
    TerritorialUnit.objects.bulk_create(to_create)
    TerritorialUnit.objects.bulk_update(to_update, ["name"])
    units = {unit.code: unit for unit in TerritorialUnit.objects.filter(departement=departement)}
    return units, {u.code for u in to_create}, {u.code for u in to_update}


def _commune_values(ref: CommuneRef, departement_id: int, unit_id: int) -> dict:
    return {
        "departement_id": departement_id,
        "kind": ref.kind,
        "name": ref.name,
        "tncc": ref.tncc,
        "postal_codes": ref.postal_codes,
        "population": ref.population,
        "latitude": ref.latitude,
        "longitude": ref.longitude,
        "location_source": ref.location_source,
        "arrondissement": ref.arrondissement,
        "parent_code": ref.parent_code,
        "former_codes": ref.former_codes,
        "town_hall_address": ref.town_hall_address,
        "unit_id": unit_id,
    }


def _load_communes(departement, refs, unit_of: dict[str, int]) -> tuple[dict[str, Commune], Changes]:
    changes = Changes()
    codes = [ref.insee_code for ref in refs]
    # By code, not by département: a commune can only exist once, whatever département it was in.
    existing = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=codes)}
    to_create, to_update = [], []
    for ref in refs:
        values = _commune_values(ref, departement.pk, unit_of[ref.insee_code])
        commune = existing.get(ref.insee_code)
        if commune is None:
            to_create.append(Commune(insee_code=ref.insee_code, **values))
            continue
        if all(getattr(commune, name) == value for name, value in values.items()):
            changes.unchanged += 1
            continue
        for name, value in values.items():
            setattr(commune, name, value)
        to_update.append(commune)
    Commune.objects.bulk_create(to_create, batch_size=500)
    Commune.objects.bulk_update(to_update, COMMUNE_FIELDS, batch_size=500)
    changes.created, changes.updated = len(to_create), len(to_update)
    communes = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=codes)}
    return communes, changes


def _set_seats(units: dict[str, TerritorialUnit], plans, communes: dict[str, Commune]) -> set[str]:
    """Point each unit to its seat; return the codes of the units whose seat changed."""
    to_update = []
    for plan in plans:
        unit = units[plan.code]
        seat_id = communes[plan.seat].pk
        if unit.seat_id != seat_id:
            unit.seat_id = seat_id
            to_update.append(unit)
    TerritorialUnit.objects.bulk_update(to_update, ["seat"])
    return {unit.code for unit in to_update}


def _load_sites(departement, site_plans, units, communes) -> Changes:
    changes = Changes()
    existing = {site.code: site for site in Site.objects.filter(departement=departement)}
    to_create, to_update = [], []
    for plan in site_plans:
        values = {
            "kind": plan.kind,
            "name": plan.name,
            "address": plan.address,
            "commune_id": communes[plan.commune].pk,
            "unit_id": units[plan.unit].pk,
            "latitude": plan.latitude,
            "longitude": plan.longitude,
            "address_is_indicative": True,
        }
        site = existing.get(plan.code)
        if site is None:
            to_create.append(Site(departement=departement, code=plan.code, **values))
        elif not site.address_is_indicative or all(getattr(site, k) == v for k, v in values.items()):
            changes.unchanged += 1
        else:
            for name, value in values.items():
                setattr(site, name, value)
            to_update.append(site)
    Site.objects.bulk_create(to_create, batch_size=500)
    Site.objects.bulk_update(to_update, SITE_FIELDS, batch_size=500)
    changes.created, changes.updated = len(to_create), len(to_update)
    return changes
