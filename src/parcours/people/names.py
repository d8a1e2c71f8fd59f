"""Normalisation of names for search and identity resolution."""

import re
import unicodedata


def normalize_name(value: str) -> str:
    """'Jean-Édouard  D'Hérouville' -> 'jean edouard d herouville'."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_only = ascii_only.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    return re.sub(r"[^a-z0-9]+", " ", ascii_only.lower()).strip()


def search_names(last_name: str, birth_name: str, first_names: str) -> str:
    """What `Person.search_names` holds: the names normalised, the birth name only if it differs."""
    return normalize_name(f"{last_name} {birth_name if birth_name != last_name else ''} {first_names}")


def surnames(*names: str) -> set[str]:
    """The surnames given, normalised and without spaces (identity resolution compares these)."""
    out = set()
    for name in names:
        norm = normalize_name(name)
        if norm:
            out.add(norm.replace(" ", ""))
    return out
