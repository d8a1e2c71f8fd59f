"""The ROME reference (France Travail's job repertoire): loading and word search.

A ROME code such as ``K1302`` reads: domain ``K`` (first letter), sub-domain ``K1``, family
``K13`` (first 3 characters), code. Parcours treats two codes of the same sub-domain as
"related" (a documented heuristic: the ROME's own "mobilités" table is not shipped).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import unicodedata
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
ROME_CODE_RE = re.compile(r"^[A-N]\d{4}$")


def normalize_words(text: str) -> str:
    """Lower-case, accent-free text where every non-alphanumeric run is one space."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def family_of(code: str) -> str:
    return code[:3]


def subdomain_of(code: str) -> str:
    return code[:2]


def read_rows(name: str) -> list[dict[str, str]]:
    with gzip.open(DATA_DIR / f"{name}.csv.gz", "rb") as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))


def load_reference(rome_code_model, appellation_model) -> dict[str, int]:
    """Insert the missing codes and appellations and update changed labels (idempotent).

    Takes the model classes so that the data migration can pass its historical models.
    Returns counts of created and updated rows.
    """
    counts = {"codes_created": 0, "codes_updated": 0, "appellations_created": 0, "appellations_updated": 0}
    existing = dict(rome_code_model.objects.values_list("code", "label"))
    new_codes, changed_codes = [], []
    for row in read_rows("rome_codes"):
        code, label = row["code_rome"], row["libelle"]
        if code not in existing:
            new_codes.append(rome_code_model(code=code, label=label))
        elif existing[code] != label:
            changed_codes.append(rome_code_model(code=code, label=label))
    rome_code_model.objects.bulk_create(new_codes, batch_size=1000)
    rome_code_model.objects.bulk_update(changed_codes, ["label"], batch_size=1000)
    counts["codes_created"], counts["codes_updated"] = len(new_codes), len(changed_codes)

    existing = {
        ogr: (label, rome_id)
        for ogr, label, rome_id in appellation_model.objects.values_list("code_ogr", "label", "rome_id")
    }
    new_items, changed_items = [], []
    for row in read_rows("rome_appellations"):
        ogr, label, code = int(row["code_ogr"]), row["libelle"], row["code_rome"]
        item = appellation_model(code_ogr=ogr, label=label, rome_id=code, search_label=normalize_words(label))
        if ogr not in existing:
            new_items.append(item)
        elif existing[ogr] != (label, code):
            changed_items.append(item)
    appellation_model.objects.bulk_create(new_items, batch_size=1000)
    appellation_model.objects.bulk_update(changed_items, ["label", "rome", "search_label"], batch_size=1000)
    counts["appellations_created"], counts["appellations_updated"] = len(new_items), len(changed_items)
    return counts
