"""Importing data·inclusion / DORA exports into the directory, through the one importer framework
(`imports.runner.run_import`): `DirectorySource` is the source, `import_file` the entry point of the
web page and of `parcours import-directory`.

Accepted files (the format is read from the content, not the extension):

- JSON, data·inclusion's export form: ``{"structures": [...], "services": [...]}``; or a list of
  structures each carrying its ``"services"``; or a list of services (each with ``structure_id``).
- CSV / XLSX / ODS (read by `imports.tabular.read_table`: encodings, zip-bomb and XML DOCTYPE
  checks, row cap): one service a row, columns named after the schema's fields (``id``,
  ``structure_id``, ``nom``, ``thematiques``…, lists written "a|b"); the columns ``structure_nom``,
  ``structure_siret``, ``structure_adresse``… describe the row's structure when it is not known yet.
  A file without a ``structure_id`` column is a file of structures.

Each record is checked by `directory.schema` and, when valid, created or updated by (source, id):
an identical record is "unchanged" (a re-import changes nothing), a different one "updated" with the
fields named, an invalid one quarantined with its reasons. A record older than the entry (its
``date_maj`` before the one in Parcours, because the structure updated it here since) is left as is
("unchanged", said why). A new structure whose SIRET is an organisation's is given to it (its
agents then edit its services). JSON over PARCOURS_MAX_SPREADSHEET_UNZIPPED_MB or with more than
PARCOURS_MAX_IMPORT_ROWS records, or unreadable, is rejected as a whole before anything changes.
Exports of quarantined records go through the imports app's rejected-rows CSV (formulas neutralised).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

from parcours.accounts.models import Organisation
from parcours.directory.models import Service, Structure
from parcours.directory.schema import Checked, Territory, check_service, check_structure
from parcours.imports.models import ImportBatch, ImportKind, RecordStatus
from parcours.imports.runner import FileRejected, ImportReport, Outcome, SourceRecord, run_import
from parcours.imports.tabular import read_table

MB = 1024 * 1024
STRUCTURE_PREFIX = "structure_"
STRUCTURE_FIELDS = (
    "source_id",
    "siret",
    "nom",
    "description",
    "adresse",
    "complement_adresse",
    "code_postal",
    "commune_id",
    "code_insee",
    "latitude",
    "longitude",
    "telephone",
    "courriel",
    "site_web",
    "horaires_accueil",
    "date_maj",
)
SERVICE_FIELDS = (
    "nom",
    "description",
    "thematiques",
    "types",
    "frais",
    "frais_precisions",
    "publics",
    "publics_precisions",
    "conditions_acces",
    "modes_accueil",
    "modes_mobilisation",
    "mobilisable_par",
    "zone_eligibilite",
    "horaires_accueil",
    "adresse",
    "complement_adresse",
    "code_postal",
    "commune_id",
    "code_insee",
    "latitude",
    "longitude",
    "telephone",
    "courriel",
    "contact_nom",
    "lien_mobilisation",
    "date_maj",
)
LABELS = {
    "commune_id": "commune",
    "horaires_accueil": "horaires",
    "zone_eligibilite": "zone d'éligibilité",
    "thematiques": "thématiques",
    "date_maj": "date de mise à jour",
    "contact_nom": "contact",
    "modes_accueil": "modes d'accueil",
    "modes_mobilisation": "modes de mobilisation",
}


def _header(value: Any) -> str:
    return str(value or "").strip().lower().replace(" ", "_").lstrip("\ufeff")


class DirectorySource:
    """A directory file as an import source for `imports.runner.run_import`."""

    kind = ImportKind.DIRECTORY
    chunk_size = 200

    def __init__(self, path, *, agent=None, territory: Territory | None = None):
        self.path = Path(path)
        self.agent = agent
        self.file_format = "json"
        self.items: list[tuple[str, dict, int | None]] = []  # ("structure"|"service", record, line)
        self.territory = territory

    # -- reading -------------------------------------------------------------------------------

    def prepare(self) -> int:
        if not self.path.exists() or self.path.stat().st_size == 0:
            raise FileRejected("Le fichier est vide.")
        with open(self.path, "rb") as f:
            head = f.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        if head[:1] in (b"{", b"["):
            self.items = self._read_json()
        else:
            self.file_format = "csv"
            self.items = self._read_table()
        if not self.items:
            raise FileRejected("Le fichier ne contient aucune structure ni aucun service.")
        if len(self.items) > settings.PARCOURS_MAX_IMPORT_ROWS:
            raise FileRejected(
                f"Le fichier compte {len(self.items)} enregistrements, plus que la limite d'un import "
                f"({settings.PARCOURS_MAX_IMPORT_ROWS}) : découpez-le en plusieurs fichiers."
            )
        if self.territory is None:
            self.territory = Territory()
        self.structure_states: dict[tuple[str, str], str] = {}
        return len(self.items)

    def _read_json(self) -> list[tuple[str, dict, int | None]]:
        limit = settings.PARCOURS_MAX_SPREADSHEET_UNZIPPED_MB * MB
        if self.path.stat().st_size > limit:
            raise FileRejected(
                f"Le fichier JSON dépasse {limit // MB} Mo, la limite d'un import : découpez-le en plusieurs fichiers."
            )
        try:
            data = json.loads(self.path.read_bytes().decode("utf-8-sig"))
        except json.JSONDecodeError as error:
            raise FileRejected(
                f"Fichier JSON illisible : erreur de syntaxe ligne {error.lineno}, colonne {error.colno}. "
                "Vérifiez qu'il s'agit bien de l'export JSON de data·inclusion ou de DORA, complet."
            ) from None
        except UnicodeDecodeError:
            raise FileRejected("Fichier JSON illisible : il n'est pas encodé en UTF-8.") from None
        except (ValueError, RecursionError):
            raise FileRejected("Fichier JSON illisible : structure trop profonde ou invalide.") from None
        structures: list = []
        services: list = []
        if isinstance(data, dict):
            structures, services = data.get("structures") or [], data.get("services") or []
            if not isinstance(structures, list) or not isinstance(services, list):
                raise FileRejected("« structures » et « services » doivent être des listes.")
        elif isinstance(data, list):
            for item in data:
                if isinstance(item, dict) and "structure_id" in item:
                    services.append(item)
                else:
                    structures.append(item)
        else:
            raise FileRejected("Le fichier JSON doit contenir une liste, ou un objet {structures, services}.")
        items: list[tuple[str, dict, int | None]] = []
        for structure in structures:
            if not isinstance(structure, dict):
                raise FileRejected("Chaque structure du fichier doit être un objet JSON.")
            nested = structure.get("services") or []
            items.append(("structure", {k: v for k, v in structure.items() if k != "services"}, None))
            for service in nested if isinstance(nested, list) else []:
                if isinstance(service, dict):
                    service = {
                        "structure_id": structure.get("id"),
                        "source": structure.get("source"),
                        **service,
                    }
                    items.append(("service", service, None))
        for service in services:
            if not isinstance(service, dict):
                raise FileRejected("Chaque service du fichier doit être un objet JSON.")
            items.append(("service", service, None))
        return items

    def _read_table(self) -> list[tuple[str, dict, int | None]]:
        rows = read_table(self.path)
        if not rows:
            raise FileRejected("Le fichier ne contient aucune ligne.")
        headers = [_header(cell) for cell in rows[0]]
        missing = [name for name in ("id", "nom") if name not in headers]
        if missing:
            raise FileRejected(
                "Colonnes obligatoires introuvables : "
                + ", ".join(missing)
                + " (la première ligne nomme les champs du schéma data·inclusion : id, structure_id, nom…)."
            )
        is_services = "structure_id" in headers
        items: list[tuple[str, dict, int | None]] = []
        seen_structures: set[str] = set()
        for offset, cells in enumerate(rows[1:]):
            line = offset + 2
            record = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers) if h}
            if not is_services:
                items.append(("structure", record, line))
                continue
            own = {
                k: v for k, v in record.items() if not k.startswith(STRUCTURE_PREFIX) or k == "structure_id"
            }
            described = {
                k.removeprefix(STRUCTURE_PREFIX): v
                for k, v in record.items()
                if k.startswith(STRUCTURE_PREFIX) and k != "structure_id"
            }
            structure_id = str(record.get("structure_id") or "").strip()
            if structure_id and described.get("nom") and structure_id not in seen_structures:
                seen_structures.add(structure_id)
                described.update(id=structure_id, source=record.get("source") or "")
                described.setdefault("date_maj", record.get("date_maj"))
                items.append(("structure", described, line))
            items.append(("service", own, line))
        return items

    def batch_fields(self) -> dict:
        return {"file_format": self.file_format}

    def records(self) -> Iterator[SourceRecord]:
        for position, (what, record, line) in enumerate(self.items):
            key = f"{what} {str(record.get('id') or '?')[:80]}"
            yield SourceRecord(position, key, line, {"what": what, "record": record})

    def close(self) -> None:
        self.items = []

    # -- applying ------------------------------------------------------------------------------

    def apply(self, records: list[SourceRecord], batch: ImportBatch) -> list[Outcome]:
        outcomes = []
        for record in records:
            what, raw = record.payload["what"], record.payload["record"]
            if what == "structure":
                outcome = self._structure(check_structure(raw, self.territory))
            else:
                outcome = self._service(check_service(raw, self.territory))
            if outcome.status == RecordStatus.QUARANTINED:
                outcome.raw = {
                    "columns": [str(k) for k in raw],
                    "values": [
                        v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in raw.values()
                    ],
                }
            outcomes.append(outcome)
        return outcomes

    def _structure(self, checked: Checked) -> Outcome:
        source = checked.values.get("source") or ""
        if not checked.ok:
            self.structure_states[(source, checked.key)] = "quarantined"
            return _quarantine("Structure non importée", checked)
        values = {name: checked.values[name] for name in STRUCTURE_FIELDS}
        structure = Structure.objects.filter(source=source, source_id=values["source_id"]).first()
        self.structure_states[(source, checked.key)] = "ok"
        if structure is None:
            organisation = (
                Organisation.objects.filter(siret=values["siret"]).first() if values["siret"] else None
            )
            Structure.objects.create(source=source, organisation=organisation, **values)
            return Outcome(RecordStatus.CREATED, "Structure créée.")
        return _update(structure, values, "Structure")

    def _service(self, checked: Checked) -> Outcome:
        if not checked.ok:
            return _quarantine("Service non importé", checked)
        source = checked.values["source"]
        structure = Structure.objects.filter(source=source, source_id=checked.structure_key).first()
        if structure is None:
            state = self.structure_states.get((source, checked.structure_key))
            why = (
                "mise en quarantaine dans ce fichier"
                if state == "quarantined"
                else "absente du fichier et de l'annuaire"
            )
            checked.reasons.append(f"structure « {checked.structure_key} » inconnue ({why})")
            return _quarantine("Service non importé", checked)
        values = {name: checked.values[name] for name in SERVICE_FIELDS}
        # A service without its own place is at its structure's.
        if values["latitude"] is None and values["commune_id"] is None:
            for name in ("adresse", "code_postal", "commune_id", "code_insee", "latitude", "longitude"):
                values[name] = values[name] or getattr(structure, name)
        service = Service.objects.filter(source=source, source_id=checked.values["source_id"]).first()
        if service is None:
            Service.objects.create(
                structure=structure, source=source, source_id=checked.values["source_id"], **values
            )
            return Outcome(RecordStatus.CREATED, "Service créé.")
        values["structure_id"] = structure.pk
        return _update(service, values, "Service")


def _quarantine(prefix: str, checked: Checked) -> Outcome:
    return Outcome(RecordStatus.QUARANTINED, f"{prefix} : " + " ; ".join(checked.reasons) + ".")


def _update(entry: Structure | Service, values: dict, what: str) -> Outcome:
    """Apply `values` to an existing entry: unchanged, or updated with the fields named."""
    if entry.date_maj and values.get("date_maj") and values["date_maj"] < entry.date_maj:
        return Outcome(
            RecordStatus.UNCHANGED,
            f"{what} mis(e) à jour dans Parcours le {entry.date_maj:%d/%m/%Y}, après la version du fichier "
            f"({values['date_maj']:%d/%m/%Y}) : conservé(e).",
        )
    changed = [name for name, value in values.items() if getattr(entry, name) != value]
    if not changed:
        return Outcome(RecordStatus.UNCHANGED)
    for name in changed:
        setattr(entry, name, values[name])
    entry.save()
    labels = ", ".join(LABELS.get(name, name.replace("_", " ")) for name in changed)
    return Outcome(RecordStatus.UPDATED, f"{what} mis(e) à jour : {labels}.")


def import_file(path, *, agent=None, dry_run: bool = False, file_name: str | None = None) -> ImportReport:
    """Import a directory file (see the module docstring); the report lists every record."""
    return run_import(
        DirectorySource(path, agent=agent), path, agent=agent, dry_run=dry_run, file_name=file_name
    )
