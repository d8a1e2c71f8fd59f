"""Normalisation of names for search and identity resolution."""

import re
import unicodedata


def normalize_name(value: str) -> str:
    """'Jean-Édouard  D'Hérouville' -> 'jean edouard d herouville'."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_only = ascii_only.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    return re.sub(r"[^a-z0-9]+", " ", ascii_only.lower()).strip()
