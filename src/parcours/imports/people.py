"""Importing the départements' beneficiary files (rdv-insertion, carnet de bord, any CSV).

A *mapping* says which column holds which field. Two are built in — the usual columns
of rdv-insertion's import files and of carnet de bord's — and any other layout is
described in a TOML file::

    [columns]
    last_name = ["Nom", "Nom d'usage"]
    first_names = "Prénom"
    birth_date = "Né(e) le"
    caf_number = "Matricule"

Headers are compared normalised (case, accents, line breaks, tabs, punctuation), so
"Date de\\nNaissance" and "ID IODAS\\t" are found. Values are cleaned: identifiers that
Excel turned into numbers, Excel dates, "CP Ville" columns, roles written any way.
A row that cannot be used is quarantined with its reason; the rest is imported.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from parcours.core.audit import PersonAudit
from parcours.imports.models import DuplicateCandidate, ImportBatch, ImportKind, RecordStatus
from parcours.imports.runner import FileRejected, Outcome, SourceRecord
from parcours.imports.scope import (
    CREATE_OUTSIDE_UNITS,
    HOUSEHOLD_OUTSIDE_SCOPE,
    MOVE_OUTSIDE_UNITS,
    OUTSIDE_SCOPE,
    ImportScope,
)
from parcours.imports.tabular import read_table
from parcours.people.identity import CandidateIndex, Identity, nir13, normalize_role
from parcours.people.models import Household, HouseholdMember, Person
from parcours.people.names import normalize_name
from parcours.people.nir import clean_nir, validate_nir
from parcours.territory.models import Commune

FIELDS = {
    "caf_number": "numéro allocataire CAF/MSA",
    "civility": "civilité",
    "last_name": "nom",
    "birth_name": "nom de naissance",
    "first_names": "prénom",
    "birth_date": "date de naissance",
    "address": "adresse",
    "address_complement": "complément d'adresse",
    "postal_code": "code postal",
    "city": "ville",
    "postal_code_city": "code postal et ville",
    "role": "rôle",
    "nir": "NIR",
    "france_travail_id": "identifiant France Travail",
    "email": "e-mail",
    "phone": "téléphone",
    "external_id": "identifiant dans le SI du département",
}
REQUIRED = ("last_name", "first_names", "birth_date")

BUILTIN_MAPPINGS: dict[str, dict[str, list[str]]] = {
    "rdv-insertion": {
        "caf_number": [
            "N° Allocataire",
            "N° CAF",
            "Numéro allocataire",
            "N° CAF / N° Allocataire",
            "Matricule",
        ],
        "civility": ["Civilité", "Titre"],
        "last_name": ["Nom bénéficiaire", "Nom", "Nom usage"],
        "birth_name": ["Nom de naissance"],
        "first_names": ["Prénom bénéficiaire", "Prénom", "Prénoms"],
        "birth_date": ["Date de Naissance", "Date naissance"],
        "address": ["Adresse", "Adresse 1"],
        "address_complement": ["Complément adresse", "Complément d'adresse", "Adresse 2"],
        "postal_code": ["Code postal", "CP"],
        "city": ["Ville", "Commune"],
        "postal_code_city": ["CP Ville", "Code postal Ville"],
        "role": ["Rôle", "Role"],
        "nir": ["NIR", "N° NIR", "N° sécurité sociale"],
        "france_travail_id": [
            "ID pôle Emploi",
            "ID Pole Emploi",
            "ID France Travail",
            "Identifiant France Travail",
        ],
        "email": ["Adresses Mails", "Adresse Mail", "Email", "E-mail", "Mail"],
        "phone": ["N° Téléphones", "N° Téléphone", "Téléphone", "Téléphones"],
        "external_id": ["ID Iodas", "ID Solis", "ID Genesis", "ID Logiciel", "ID Départemental", "ID Peri"],
    },
    "carnet-de-bord": {
        "external_id": ["Identifiant dans le SI*", "Identifiant dans le SI"],
        "first_names": ["Prénom*", "Prénom"],
        "last_name": ["Nom*", "Nom"],
        "birth_date": ["Date de naissance*", "Date de naissance"],
        "nir": ["NIR"],
        "phone": ["Téléphone"],
        "email": ["Email"],
        "address": ["Adresse"],
        "address_complement": ["Adresse (complément)"],
        "postal_code": ["Code postal"],
        "city": ["Ville"],
        "caf_number": ["Numéro allocataire CAF/MSA"],
        "france_travail_id": ["Identifiant Pôle emploi", "Identifiant France Travail"],
    },
}
FORMATS = (*BUILTIN_MAPPINGS, "csv")


def header_key(value) -> str:
    """'Date de\\nNaissance' -> 'date de naissance'; 'ID IODAS\\t' -> 'id iodas'; 'Nom*' -> 'nom'."""
    return normalize_name(str(value or ""))


def load_mapping(file_format: str, mapping_file: str | Path | None = None) -> dict[str, list[str]]:
    """The columns of each field: a built-in layout, a TOML file, or both (the TOML wins)."""
    mapping = {k: list(v) for k, v in BUILTIN_MAPPINGS.get(file_format, {}).items()}
    if file_format == "csv" and mapping_file is None:
        # A generic CSV: accept the headers of both built-in layouts.
        for layout in BUILTIN_MAPPINGS.values():
            for name, headers in layout.items():
                mapping.setdefault(name, [])
                mapping[name] += [h for h in headers if h not in mapping[name]]
    if mapping_file is not None:
        try:
            data = tomllib.loads(Path(mapping_file).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise FileRejected(f"Fichier de correspondance illisible : {error}") from None
        columns = data.get("columns", data)
        for name, headers in columns.items():
            if name not in FIELDS:
                raise FileRejected(
                    f"Fichier de correspondance : champ « {name} » inconnu (champs possibles : {', '.join(FIELDS)})."
                )
            mapping[name] = [headers] if isinstance(headers, str) else list(headers)
    return mapping


def locate_columns(rows: list[list], mapping: dict[str, list[str]]) -> tuple[int, dict[str, int]]:
    """Find the header row (among the first ten) and the column index of each field."""
    wanted = {name: [header_key(h) for h in headers] for name, headers in mapping.items()}
    best = (-1, {})
    for index, row in enumerate(rows[:10]):
        keys = [header_key(cell) for cell in row]
        found = {}
        for name, headers in wanted.items():
            for header in headers:
                if header in keys:
                    found[name] = keys.index(header)
                    break
        if len(found) > len(best[1]):
            best = (index, found)
    header_row, columns = best
    missing = [FIELDS[name] for name in REQUIRED if name not in columns]
    if missing:
        raise FileRejected(
            "Colonnes obligatoires introuvables : "
            + ", ".join(missing)
            + ". Vérifiez le format choisi ou fournissez un fichier de correspondance (--mapping)."
        )
    return header_row, columns


# -- cleaning of values ----------------------------------------------------------------------

EXCEL_EPOCH = datetime.date(1899, 12, 30)
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y/%m/%d")


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def identifier(value) -> str:
    """An identifier that Excel may have turned into a number: 1803331476872.0 -> '1803331476872'."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return str(int(value))
    raw = text(value).replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"\d+\.0+", raw):
        return raw.split(".")[0]
    if re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", raw):
        try:
            return str(int(Decimal(raw)))
        except InvalidOperation:
            return raw
    return raw


def phone(value) -> str:
    """French phone numbers: Excel drops the leading 0 (612345678 -> 0612345678)."""
    digits = re.sub(r"\D", "", identifier(value))
    if digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    if len(digits) == 9 and digits[0] != "0":
        digits = "0" + digits
    return digits


def parse_date(value) -> datetime.date:
    """Excel dates, date objects, 'dd/mm/yyyy', 'yyyy-mm-dd'…; ValueError otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80000:
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ValueError(value)
    raw = text(value)
    if re.fullmatch(r"\d{4,5}(\.0+)?", raw):
        return parse_date(float(raw))
    raw = raw.split(" ")[0].split("T")[0]
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if fmt == "%d/%m/%y" and parsed > timezone.localdate():
            parsed = parsed.replace(year=parsed.year - 100)
        return parsed
    raise ValueError(raw)


def civility(value) -> str:
    key = normalize_name(text(value)).replace(" ", "")
    if key in ("m", "mr", "monsieur", "mon"):
        return "M"
    if key in ("mme", "madame", "mlle", "mademoiselle", "mm"):
        return "MME"
    return ""


def split_postal_city(value) -> tuple[str, str]:
    """'59000 Lille' -> ('59000', 'Lille'); 'Lille 59000' -> ('59000', 'Lille')."""
    raw = text(value)
    match = re.match(r"^\s*(\d{5})\s*[-,]?\s*(.*)$", raw) or re.match(r"^(.*?)[\s,-]*(\d{5})\s*$", raw)
    if not match:
        return "", raw
    first, second = match.groups()
    return (first, second.strip()) if first.isdigit() else (second, first.strip())


@dataclass
class Row:
    values: dict  # field -> cleaned value
    problems: list[str]  # reasons to quarantine the row
    warnings: list[str]  # values dropped, the row is still imported


class CommuneFinder:
    """Communes by postal code and name, loaded once per import."""

    def __init__(self):
        self.by_postal: dict[str, list[tuple[int, str]]] = {}
        self.by_name: dict[str, list[int]] = {}
        for pk, name, postal_codes in Commune.objects.values_list("pk", "name", "postal_codes"):
            norm = normalize_name(name)
            for code in postal_codes.split():
                self.by_postal.setdefault(code, []).append((pk, norm))
            self.by_name.setdefault(norm, []).append(pk)

    def find(self, postal_code: str, city: str) -> int | None:
        norm = normalize_name(city).replace("st ", "saint ").replace("ste ", "sainte ")
        candidates = self.by_postal.get(postal_code, []) if postal_code else []
        if candidates:
            for pk, name in candidates:
                if not norm or name == norm:
                    return pk if norm or len(candidates) == 1 else None
            return candidates[0][0] if len(candidates) == 1 and not norm else None
        if norm and not postal_code and len(self.by_name.get(norm, [])) == 1:
            return self.by_name[norm][0]
        return None


def clean_row(cells: list, columns: dict[str, int], communes: CommuneFinder) -> Row:
    def cell(name):
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    values: dict = {}
    problems: list[str] = []
    warnings: list[str] = []
    for name in ("last_name", "first_names", "birth_name", "address", "address_complement", "city"):
        values[name] = re.sub(r"\s+", " ", text(cell(name)))
    values["civility"] = civility(cell("civility"))
    values["caf_number"] = identifier(cell("caf_number")).lstrip("0")
    values["france_travail_id"] = identifier(cell("france_travail_id")).upper()
    values["external_id"] = identifier(cell("external_id"))
    values["role"] = normalize_role(text(cell("role")))
    values["phone"] = phone(cell("phone"))
    email = text(cell("email")).split(";")[0].split(",")[0].strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            warnings.append("adresse e-mail invalide ignorée")
            email = ""
    values["email"] = email
    nir = clean_nir(identifier(cell("nir")))
    if nir:
        try:
            validate_nir(nir)
        except ValidationError as error:
            problems.append(f"NIR invalide : {error.messages[0]}")
    values["nir"] = nir
    postal = identifier(cell("postal_code"))
    city = values.pop("city")
    if "postal_code_city" in columns and not (postal and city):
        postal, city = split_postal_city(cell("postal_code_city"))
    if postal.isdigit() and len(postal) == 4:
        postal = "0" + postal  # Excel dropped the leading 0 of 01000…09999
    values["postal_code"] = postal[:5]
    values["commune_id"] = None
    if postal or city:
        values["commune_id"] = communes.find(postal, city)
        if values["commune_id"] is None:
            problems.append(f"commune inconnue : « {postal} {city} »".replace("  ", " "))
    raw_date = cell("birth_date")
    values["birth_date"] = None
    if raw_date not in (None, ""):
        try:
            values["birth_date"] = parse_date(raw_date)
        except ValueError:
            problems.append(f"date de naissance illisible « {text(raw_date)} »")
    missing = [
        FIELDS[name]
        for name in REQUIRED
        if not values.get(name) and not (name == "birth_date" and raw_date not in (None, ""))
    ]
    if missing:
        problems.insert(
            0,
            ("champ obligatoire vide : " if len(missing) == 1 else "champs obligatoires vides : ")
            + ", ".join(missing),
        )
    born = values["birth_date"]
    if born and len(nir) >= 5 and nir[1:3].isdigit() and nir[1:3] != f"{born:%y}":
        problems.append("l'année de naissance du NIR ne correspond pas à la date de naissance")
    return Row(values, problems, warnings)


PERSON_FIELDS = (
    "civility",
    "last_name",
    "birth_name",
    "first_names",
    "birth_date",
    "nir",
    "caf_number",
    "france_travail_id",
    "email",
    "phone",
    "address",
    "address_complement",
    "postal_code",
    "commune_id",
)


class PeopleFileSource:
    """A beneficiary file as an import source for `imports.runner.run_import`."""

    kind = ImportKind.PEOPLE
    chunk_size = 500

    def __init__(self, path, *, file_format: str = "csv", mapping_file=None, agent=None):
        """`agent`: who runs the import (its scope limits what the file may touch, see
        `imports.scope`); None for the command line."""
        if file_format not in FORMATS:
            raise FileRejected(f"Format « {file_format} » inconnu (formats : {', '.join(FORMATS)}).")
        self.path = Path(path)
        self.file_format = file_format
        self.mapping_file = mapping_file
        self.rows: list[list] = []
        self.agent = agent
        self.scope = ImportScope(agent)

    def prepare(self) -> int:
        mapping = load_mapping(self.file_format, self.mapping_file)
        rows = read_table(self.path)
        if not rows:
            raise FileRejected("Le fichier ne contient aucune ligne.")
        self.header_row, self.columns = locate_columns(rows, mapping)
        self.headers = [text(h) for h in rows[self.header_row]]
        self.rows = rows[self.header_row + 1 :]
        self.first_line = self.header_row + 2
        self.communes = CommuneFinder()
        return len(self.rows)

    def batch_fields(self) -> dict:
        return {}

    def records(self):
        for position, cells in enumerate(self.rows):
            # Lists, not a dict: PostgreSQL's jsonb does not keep the order of keys.
            raw = {
                "columns": [header or f"colonne {i + 1}" for i, header in enumerate(self.headers)],
                "values": [text(cells[i]) if i < len(cells) else "" for i in range(len(self.headers))],
            }
            row = clean_row(cells, self.columns, self.communes)
            key = (
                row.values["external_id"] or row.values["caf_number"] or f"ligne {self.first_line + position}"
            )
            yield SourceRecord(position, key, self.first_line + position, {"row": row, "raw": raw})

    def close(self) -> None:
        self.rows = []

    def apply(self, records: list[SourceRecord], batch: ImportBatch) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(records)
        valid = []
        for i, record in enumerate(records):
            row = record.payload["row"]
            if row.problems:
                outcomes[i] = Outcome(
                    RecordStatus.QUARANTINED,
                    "Ligne non importée : " + " ; ".join(row.problems) + ".",
                    record.payload["raw"],
                )
            else:
                valid.append((i, row))
        identities = [self._identity(row.values) for _, row in valid]
        index = CandidateIndex.for_identities(identities)
        scope = self.scope
        scope.prefetch(
            [index.resolve(identity).person_id for identity in identities],
            [row.values["commune_id"] for _, row in valid],
        )
        audited = PersonAudit(self.agent, import_batch=batch.pk)
        now = timezone.now()
        for (i, row), identity in zip(valid, identities, strict=True):
            values = row.values
            note = (" " + " ; ".join(row.warnings).capitalize() + ".") if row.warnings else ""
            match = index.resolve(identity)
            fields = {name: values[name] for name in PERSON_FIELDS}
            refusal = None
            if match.is_certain and not scope.sees(match.person.pk):
                refusal = OUTSIDE_SCOPE
            elif match.is_certain:
                new_commune = values["commune_id"]
                if new_commune not in (None, match.person.commune_id) and not scope.may_place(new_commune):
                    refusal = MOVE_OUTSIDE_UNITS
            elif not scope.may_place(values["commune_id"]):
                refusal = CREATE_OUTSIDE_UNITS
            if refusal:
                outcomes[i] = Outcome(
                    RecordStatus.QUARANTINED, f"Ligne non importée : {refusal}.", record.payload["raw"]
                )
                continue
            if match.is_certain:
                person = match.person
                changed = []
                for name, value in fields.items():
                    if value in ("", None):
                        continue
                    if name == "nir" and nir13(person.nir) == nir13(value) and len(person.nir) >= len(value):
                        continue
                    if getattr(person, name) != value:
                        setattr(person, name, value)
                        changed.append(name)
                note += self._household(person, values, changed)
                if changed:
                    person.updated_at = now
                    person.save()
                    audited.changed(person.pk, changed)
                    label = ", ".join(c for c in changed if c != "foyer")
                    outcomes[i] = Outcome(RecordStatus.UPDATED, f"Mis à jour : {label or 'foyer'}.{note}")
                else:
                    outcomes[i] = Outcome(RecordStatus.UNCHANGED, note.strip())
                continue
            person = Person(**{k: v for k, v in fields.items() if v is not None or k == "commune_id"})
            person.save()
            scope.created(person.pk)
            caf_roles = (
                [(values["caf_number"], values["role"])] if values["caf_number"] and values["role"] else []
            )
            index.add(person, caf_roles)
            note += self._household(person, values, [])
            audited.created(person.pk, [name for name, value in fields.items() if value not in ("", None)])
            reason = ""
            if match.certainty is not None:
                DuplicateCandidate.objects.get_or_create(
                    person_id=match.person_id,
                    duplicate_id=person.pk,
                    defaults={
                        "reason": "Mêmes nom, prénoms et date de naissance, NIR différent ou absent "
                        f"({batch.get_kind_display().lower()}).",
                        "batch": batch,
                    },
                )
                reason = "Créée ; doublon possible à vérifier."
            outcomes[i] = Outcome(RecordStatus.CREATED, (reason + note).strip())
        audited.save()
        return outcomes

    @staticmethod
    def _identity(values: dict) -> Identity:
        return Identity(
            last_name=values["last_name"],
            first_names=values["first_names"],
            birth_date=values["birth_date"],
            birth_name=values["birth_name"],
            nir=values["nir"],
            caf_number=values["caf_number"],
            role=values["role"],
            france_travail_id=values["france_travail_id"],
        )

    def _household(self, person: Person, values: dict, changed: list[str]) -> str:
        """Attach the person to the household of their CAF number; a note for the report when
        the household is out of the agent's reach. Appends "foyer" to `changed` on a change."""
        if not values["caf_number"]:
            return ""
        household, _ = Household.objects.get_or_create(caf_number=values["caf_number"], organism="CAF")
        if HouseholdMember.objects.filter(household=household, person=person).exists():
            return ""
        if not self.scope.may_join_household(household):
            return f" {HOUSEHOLD_OUTSIDE_SCOPE.capitalize()}."
        HouseholdMember.objects.create(household=household, person=person, role=values["role"] or "autre")
        changed.append("foyer")
        return ""
