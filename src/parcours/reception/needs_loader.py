"""Load the needs referential from `reception/data/needs.json` (contract of `parcours load-needs`).

Idempotent: entries are matched on their `code`. A new code is created, a changed label, position,
parent or flag is updated, an entry that left the file is *deactivated* (never deleted: persons'
diagnoses and services keep pointing at it), an entry that comes back is reactivated. Running it
twice changes nothing the second time. The migration calls it with the historical models.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

DATA_FILE = Path(__file__).parent / "data" / "needs.json"
LEVELS = ("themes", "situations", "needs")


class NeedsDataError(ValueError):
    """The referential file cannot be loaded; the message says which entry and why."""


@dataclass
class LoadReport:
    """What a load changed, per level (themes, situations, needs)."""

    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    deactivated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))

    @property
    def changed(self) -> bool:
        return any(sum(counts.values()) for counts in (self.created, self.updated, self.deactivated))

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "deactivated": self.deactivated,
            "unchanged": self.unchanged,
        }


def _text(entry: dict, key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise NeedsDataError(f"{where} : la clé « {key} » est absente ou vide.")
    return value.strip()


def read_referential(path: Path = DATA_FILE) -> dict[str, list[dict[str, Any]]]:
    """The file as three flat lists of rows (themes, situations, needs), each row with the
    fields of its model and its parent's code; raises NeedsDataError on a malformed file or a
    code used twice."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise NeedsDataError(f"Le fichier du référentiel des besoins est illisible ({error}).") from error
    if (
        not isinstance(document, dict)
        or not document.get("source")
        or not isinstance(document.get("themes"), list)
    ):
        raise NeedsDataError(
            "Le référentiel doit nommer sa source (« source ») et lister ses thématiques (« themes »)."
        )
    rows: dict[str, list[dict[str, Any]]] = {level: [] for level in LEVELS}
    seen: set[str] = set()

    def code_of(entry: dict, where: str) -> str:
        code = _text(entry, "code", where)
        if code in seen:
            raise NeedsDataError(f"{where} : le code « {code} » est utilisé deux fois.")
        seen.add(code)
        return code

    for t, theme in enumerate(document["themes"], start=1):
        where = f"Thématique n° {t}"
        theme_code = code_of(theme, where)
        rows["themes"].append(
            {
                "code": theme_code,
                "label": _text(theme, "label", where),
                "position": t,
                "is_peripheral_barrier": bool(theme.get("peripheral", False)),
                "data_inclusion_thematique": str(theme.get("data_inclusion", "")),
            }
        )
        for s, situation in enumerate(theme.get("situations", []), start=1):
            where = f"Thématique « {theme_code} », situation n° {s}"
            situation_code = code_of(situation, where)
            rows["situations"].append(
                {
                    "code": situation_code,
                    "label": _text(situation, "label", where),
                    "position": s,
                    "parent": theme_code,
                }
            )
            for n, need in enumerate(situation.get("needs", []), start=1):
                where = f"Situation « {situation_code} », besoin n° {n}"
                rows["needs"].append(
                    {
                        "code": code_of(need, where),
                        "label": _text(need, "label", where),
                        "position": n,
                        "parent": situation_code,
                    }
                )
    return rows


def _models():
    from parcours.reception.models import Need, NeedSituation, NeedTheme

    return NeedTheme, NeedSituation, Need


def load_needs(
    rows: dict[str, list[dict[str, Any]]] | None = None, *, models: tuple | None = None
) -> LoadReport:
    """Bring the database in line with `rows` (by default the shipped file), in one transaction.
    `models` are (theme, situation, need) model classes: the migration passes historical ones."""
    rows = read_referential() if rows is None else rows
    report = LoadReport()
    parent_field = {"themes": None, "situations": "theme", "needs": "situation"}
    with transaction.atomic():
        by_code: dict[str, Any] = {}
        for level, model in zip(LEVELS, models or _models(), strict=True):
            existing = {obj.code: obj for obj in model.objects.all()}
            parents, by_code = by_code, {}
            to_create, to_update = [], []
            for row in rows[level]:
                values = {key: value for key, value in row.items() if key != "parent"} | {"active": True}
                if parent_field[level]:
                    values[f"{parent_field[level]}_id"] = parents[row["parent"]].pk
                obj = existing.pop(row["code"], None)
                if obj is None:
                    obj = model(**values)
                    to_create.append(obj)
                elif any(getattr(obj, key) != value for key, value in values.items()):
                    for key, value in values.items():
                        setattr(obj, key, value)
                    to_update.append(obj)
                else:
                    report.unchanged[level] += 1
                by_code[row["code"]] = obj
            model.objects.bulk_create(to_create)
            fields = [key for key in values if key != "code"] if rows[level] else ["active"]
            model.objects.bulk_update(to_update, fields)
            gone = [obj.pk for obj in existing.values() if obj.active]
            model.objects.filter(pk__in=gone).update(active=False)
            report.created[level], report.updated[level] = len(to_create), len(to_update)
            report.deactivated[level] = len(gone)
    return report
