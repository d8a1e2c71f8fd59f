"""Validation of directory records against the official data·inclusion schema (`data-inclusion-schema`).

`check_structure(record, territory)` and `check_service(record, territory)` take one record as read
from a JSON export (data·inclusion / DORA) or a CSV row (lists written "a|b" or "a, b"), and return
a `Checked`: the model field values ready to save, or the French reasons why the record cannot be
imported (then it is quarantined by the importer). The schema's pydantic models (`v1.Structure`,
`v1.Service`) do the structural validation (required fields, enums of thématiques, types, frais,
publics, modes…, codes, e-mails, URLs, dates); this module adds what the schema leaves to the
consumer: opening hours parsed with the OSM `opening_hours` parser (`directory.hours`), INSEE codes
of the zone d'éligibilité that must exist, and coordinates that must fall in the département.

"In the département" is checked against the bounding box of the département's communes' points
widened by `BOX_MARGIN_KM` (commune points are town halls or centroids, not outlines): a cheap test
that catches swapped latitude/longitude, points at sea or in another region, not a near-border slip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pydantic
from data_inclusion.schema import v1

from parcours.directory import hours
from parcours.directory.models.services import bounding_box
from parcours.territory.models import Commune, Departement

BOX_MARGIN_KM = 10
LIST_SEPARATORS = re.compile(r"[|,;]")

FIELD_LABELS = {
    "id": "identifiant",
    "source": "source",
    "structure_id": "identifiant de la structure",
    "nom": "nom",
    "description": "description",
    "date_maj": "date de mise à jour",
    "siret": "SIRET",
    "type": "type",
    "types": "types",
    "thematiques": "thématiques",
    "frais": "frais",
    "publics": "publics",
    "modes_accueil": "modes d'accueil",
    "modes_mobilisation": "modes de mobilisation",
    "mobilisable_par": "mobilisable par",
    "zone_eligibilite": "zone d'éligibilité",
    "code_postal": "code postal",
    "code_insee": "code INSEE",
    "courriel": "courriel",
    "site_web": "site web",
    "lien_source": "lien vers la source",
    "lien_mobilisation": "lien de mobilisation",
    "horaires_accueil": "horaires d'accueil",
    "latitude": "latitude",
    "longitude": "longitude",
    "telephone": "téléphone",
}
ENUM_OF_FIELD = {
    "thematiques": ("thématique", v1.Thematique),
    "type": ("type de service", v1.TypeService),
    "types": ("type de service", v1.TypeService),
    "frais": ("frais", v1.Frais),
    "publics": ("public", v1.Public),
    "modes_accueil": ("mode d'accueil", v1.ModeAccueil),
    "modes_mobilisation": ("mode de mobilisation", v1.ModeMobilisation),
    "mobilisable_par": ("personne mobilisatrice", v1.PersonneMobilisatrice),
}
SERVICE_LIST_FIELDS = (
    "thematiques",
    "types",
    "frais",
    "publics",
    "modes_accueil",
    "modes_mobilisation",
    "mobilisable_par",
    "zone_eligibilite",
)
OVERSEAS = {"971", "972", "973", "974", "976"}


@dataclass
class Checked:
    """The outcome of checking one record: `values` (model fields) when `reasons` is empty."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    structure_key: str = ""  # for a service: the source id of its structure

    @property
    def ok(self) -> bool:
        return not self.reasons


class Territory:
    """What the checks need to know of the territory, loaded once per import (two queries):
    every commune's INSEE code (current and former) → (pk, code), the known département codes,
    and the box around the current département's communes."""

    def __init__(self, departement: Departement | None = None):
        self.departement = departement or Departement.objects.current()
        self.communes: dict[str, tuple[int, str]] = {}
        points = []
        dep_id = getattr(self.departement, "pk", None)
        for pk, code, former, lat, lon, commune_dep in Commune.objects.values_list(
            "pk", "insee_code", "former_codes", "latitude", "longitude", "departement_id"
        ):
            self.communes[code] = (pk, code)
            for old in former.split():
                self.communes.setdefault(old, (pk, code))
            if commune_dep == dep_id:
                points.append((lat, lon))
        self.departement_codes = set(Departement.objects.values_list("code", flat=True))
        self.box = None
        if points:
            lats, lons = [p[0] for p in points], [p[1] for p in points]
            south, _, west, _ = bounding_box(min(lats), min(lons), BOX_MARGIN_KM)
            _, north, _, east = bounding_box(max(lats), max(lons), BOX_MARGIN_KM)
            self.box = (south, north, west, east)

    def commune(self, code: str) -> tuple[int, str] | None:
        """(pk, current code) of the commune with this INSEE code (or a former code of it)."""
        return self.communes.get((code or "").strip().upper())

    def contains(self, lat: float, lon: float) -> bool:
        if self.box is None:
            return True
        south, north, west, east = self.box
        return south <= lat <= north and west <= lon <= east

    def zone_code_problem(self, code: str) -> str:
        """ "" when `code` is a usable zone d'éligibilité code, else why not."""
        if code == "france" or re.fullmatch(r"99[0-5]\d{2}", code):
            return ""
        if re.fullmatch(r"\d{9}", code):  # EPCI (SIREN): no EPCI referential here, accepted
            return ""
        if re.fullmatch(r"(\d{2}|2[AB]|\d{3})", code):
            if (
                code in self.departement_codes
                or code in OVERSEAS
                or ("01" <= code <= "95" and len(code) == 2)
            ):
                return "" if code != "20" else f"code département inconnu « {code} »"
            return f"code département inconnu « {code} »"
        if re.fullmatch(r"\w{5}", code):
            return "" if self.commune(code) else f"code INSEE inconnu « {code} »"
        return (
            f"code « {code} » illisible (code INSEE de commune, de département, d'EPCI ou « france » attendu)"
        )


# -- reading a raw record ---------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\x00", "").strip()


def _list(value: Any) -> list[str]:
    """A list field: a JSON list, or a CSV cell "a|b" / "a, b"; empty → []."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple | set):
        return [_text(item) for item in value if _text(item)]
    return [part.strip() for part in LIST_SEPARATORS.split(_text(value)) if part.strip()]


def _number(value: Any) -> float | None:
    text = _text(value).replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"nombre illisible « {_text(value)} »") from None


def _date(value: Any) -> Any:
    """ISO dates, or dd/mm/yyyy of a French CSV, handed to the schema as ISO."""
    text = _text(value)
    match = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", text)
    if match:
        return f"{match[3]}-{match[2]}-{match[1]}"
    return text.split("T")[0] if text else None


def _clean(record: dict, list_fields: tuple[str, ...]) -> dict:
    """The record as the schema expects it: empty strings → None, lists split, texts stripped."""
    clean: dict[str, Any] = {}
    for name, value in record.items():
        name = _text(name)
        if name in list_fields:
            items = _list(value)
            clean[name] = items or None
        elif isinstance(value, str) or value is None:
            text = _text(value)
            clean[name] = text or None
        else:
            clean[name] = value
    return clean


def french_errors(error: pydantic.ValidationError) -> list[str]:
    """The schema's validation errors as French reasons naming the field and the value."""
    reasons = []
    for item in error.errors():
        loc = [str(part) for part in item["loc"]]
        name = loc[0] if loc else ""
        label = FIELD_LABELS.get(name, name)
        kind, value = item["type"], item.get("input")
        if kind == "missing" or (value is None and kind.endswith("_type")):
            reasons.append(f"{label} : champ obligatoire vide")
        elif kind == "enum" and name in ENUM_OF_FIELD:
            what, _enum = ENUM_OF_FIELD[name]
            reasons.append(f"{what} inconnu(e) « {value} » (vocabulaire data·inclusion)")
        elif kind in ("string_too_short", "too_short"):
            reasons.append(
                f"{label} : trop court (au moins {item.get('ctx', {}).get('min_length', 1)} caractères)"
            )
        elif kind in ("string_too_long", "too_long"):
            reasons.append(
                f"{label} : trop long (au plus {item.get('ctx', {}).get('max_length')} caractères)"
            )
        elif kind == "string_pattern_mismatch":
            reasons.append(f"{label} : format invalide « {value} »")
        elif kind.startswith("url"):
            reasons.append(f"{label} : adresse web invalide « {value} »")
        elif kind.startswith("date"):
            reasons.append(f"{label} : date illisible « {value} » (AAAA-MM-JJ ou JJ/MM/AAAA)")
        elif kind in ("float_parsing", "float_type"):
            reasons.append(f"{label} : nombre illisible « {value} »")
        elif kind == "value_error" and name == "courriel":
            reasons.append(f"courriel invalide « {value} »")
        elif kind == "value_error":
            message = str(item.get("msg", "")).removeprefix("Value error, ")
            reasons.append(f"{label} : {message}")
        else:
            reasons.append(f"{label} : valeur refusée « {value} » ({item.get('msg', kind)})")
    return reasons


def _place(values: dict, clean: dict, territory: Territory, reasons: list[str]) -> None:
    """Commune from the INSEE code; coordinates checked against the département's box."""
    code = _text(clean.get("code_insee")).upper()
    values["code_insee"] = code
    values["commune_id"] = None
    if code:
        found = territory.commune(code)
        if found is None:
            reasons.append(f"code INSEE de la commune inconnu « {code} »")
        else:
            values["commune_id"], values["code_insee"] = found
    try:
        lat, lon = _number(clean.get("latitude")), _number(clean.get("longitude"))
    except ValueError as error:
        reasons.append(f"coordonnées : {error}")
        lat = lon = None
    if (lat is None) != (lon is None):
        reasons.append("coordonnées incomplètes : latitude et longitude vont ensemble")
        lat = lon = None
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        reasons.append(f"coordonnées impossibles ({lat}, {lon})")
    elif lat is not None and not territory.contains(lat, lon):
        name = territory.departement.name if territory.departement else "du département"
        reasons.append(
            f"coordonnées hors du département ({lat:.5f}, {lon:.5f}) : le point n'est pas dans {name} "
            "(latitude et longitude inversées ?)"
        )
    values["latitude"], values["longitude"] = lat, lon


def _common(values: dict, model: pydantic.BaseModel, clean: dict) -> None:
    for name in ("nom", "description", "adresse", "complement_adresse", "code_postal", "telephone"):
        values[name] = _text(getattr(model, name, None))
    values["courriel"] = _text(getattr(model, "courriel", None)).lower()
    values["date_maj"] = model.date_maj


def check_structure(record: dict, territory: Territory) -> Checked:
    """A data·inclusion structure record → Checked (values of `Structure` fields)."""
    clean = _clean(record, ())
    clean.setdefault("source", "parcours")
    clean["date_maj"] = _date(clean.get("date_maj"))
    key = _text(clean.get("id")) or "(sans identifiant)"
    checked = Checked(key=key)
    schema_input = {k: v for k, v in clean.items() if k not in ("latitude", "longitude")}
    try:
        model = v1.Structure.model_validate(schema_input)
    except pydantic.ValidationError as error:
        checked.reasons += french_errors(error)
        model = None
    _place(checked.values, clean, territory, checked.reasons)
    hours_text = _text(clean.get("horaires_accueil"))
    try:
        checked.values["horaires_accueil"] = hours.validate(hours_text)
    except hours.InvalidHours as error:
        checked.reasons.append(str(error))
    if model is None or checked.reasons:
        return checked
    _common(checked.values, model, clean)
    checked.values.update(
        source=model.source,
        source_id=model.id,
        siret=_text(model.siret),
        site_web=_text(model.site_web),
    )
    return checked


def check_service(record: dict, territory: Territory) -> Checked:
    """A data·inclusion service record → Checked (values of `Service` fields, without `structure`;
    `structure_key` names the structure's source id)."""
    clean = _clean(record, SERVICE_LIST_FIELDS)
    clean.setdefault("source", "parcours")
    clean["date_maj"] = _date(clean.get("date_maj"))
    # DORA's older exports: lists of types and frais; schema v1 has one of each.
    types, frais = clean.pop("types", None) or [], clean.get("frais")
    if clean.get("type"):
        types = [clean["type"]] + [t for t in types if t != clean["type"]]
    frais = frais if isinstance(frais, list) else _list(frais)
    key = _text(clean.get("id")) or "(sans identifiant)"
    checked = Checked(key=key, structure_key=_text(clean.get("structure_id")))
    schema_input = {k: v for k, v in clean.items() if k not in ("latitude", "longitude", "frais", "type")}
    schema_input["frais"] = frais[0] if frais else None
    schema_input["type"] = types[0] if types else None
    try:
        model = v1.Service.model_validate(schema_input)
    except pydantic.ValidationError as error:
        checked.reasons += french_errors(error)
        model = None
    for name, items in (("types", types), ("frais", frais)):
        what, enum = ENUM_OF_FIELD[name]
        for item in items[1:]:
            if item not in enum._value2member_map_:
                checked.reasons.append(f"{what} inconnu(e) « {item} » (vocabulaire data·inclusion)")
    _place(checked.values, clean, territory, checked.reasons)
    zone = clean.get("zone_eligibilite") or []
    zone_problems = [p for p in (territory.zone_code_problem(code) for code in zone) if p]
    if zone_problems:
        checked.reasons.append("zone d'éligibilité : " + ", ".join(zone_problems))
    try:
        checked.values["horaires_accueil"] = hours.validate(_text(clean.get("horaires_accueil")))
    except hours.InvalidHours as error:
        checked.reasons.append(str(error))
    if model is None or checked.reasons:
        return checked
    _common(checked.values, model, clean)
    checked.values.update(
        source=model.source,
        source_id=model.id,
        thematiques=sorted(t.value for t in model.thematiques or ()),
        types=types,
        frais=frais,
        publics=sorted(p.value for p in model.publics or ()),
        modes_accueil=sorted(m.value for m in model.modes_accueil or ()),
        modes_mobilisation=sorted(m.value for m in model.modes_mobilisation or ()),
        mobilisable_par=sorted(m.value for m in model.mobilisable_par or ()),
        zone_eligibilite=[("france" if code == "france" else code.upper()) for code in zone],
        frais_precisions=_text(model.frais_precisions),
        publics_precisions=_text(model.publics_precisions),
        conditions_acces=_text(model.conditions_acces),
        contact_nom=_text(model.contact_nom_prenom),
        lien_mobilisation=_text(model.lien_mobilisation),
    )
    return checked


def check_hours(text: str) -> str:
    """The form's check: the stripped hours, or ValueError with the French reason."""
    try:
        return hours.validate(text)
    except hours.InvalidHours as error:
        raise ValueError(str(error)) from None
