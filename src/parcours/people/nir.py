"""The NIR (numéro d'inscription au répertoire, "numéro de sécurité sociale").

13 characters without the key, 15 with it. The key is 97 − (number mod 97), where
Corsican département codes 2A and 2B count as 19 and 18.
"""

import re

from django.core.exceptions import ValidationError

from parcours.core.encryption import lookup_digest

NIR_SHAPE = re.compile(r"^[1-478][0-9]{2}(0[1-9]|1[0-2]|[2-9][0-9])(2[AB]|[0-9]{2})[0-9]{6}([0-9]{2})?$")


def clean_nir(value: str) -> str:
    """Remove spaces, dots and dashes; uppercase the Corsican letter."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def nir_number(nir13: str) -> int:
    return int(nir13.replace("2A", "19").replace("2B", "18"))


def nir_key(nir13: str) -> int:
    return 97 - nir_number(nir13) % 97


def validate_nir(value: str) -> None:
    nir = clean_nir(value)
    if len(nir) not in (13, 15):
        raise ValidationError(
            "Le NIR doit compter 13 caractères, ou 15 avec la clé (%(length)s saisis).",
            code="nir_length",
            params={"length": len(nir)},
        )
    if not NIR_SHAPE.match(nir):
        raise ValidationError(
            "Ce NIR n'a pas la forme d'un numéro de sécurité sociale (sexe, année, mois, lieu, ordre).",
            code="nir_shape",
        )
    if len(nir) == 15 and int(nir[13:]) != nir_key(nir[:13]):
        raise ValidationError(
            "La clé du NIR est incorrecte : vérifiez les 15 chiffres saisis.",
            code="nir_key",
        )


def nir_with_key(nir13: str) -> str:
    return f"{nir13}{nir_key(nir13):02d}"


def nir13(value: str | None) -> str:
    """The first 13 characters of a NIR (without the key), or '' if there is none."""
    if value and (value.isdigit() or (value.isalnum() and value.isupper())):
        return value[:13] if len(value) >= 13 else ""  # already clean (imports clean NIRs first)
    nir = clean_nir(value or "")
    return nir[:13] if len(nir) >= 13 else ""


def nir_digest(value: str | None) -> str:
    """The lookup digest of a NIR (`core.encryption.lookup_digest`), computed on its 13 first
    characters: a NIR with or without its key, and two NIRs that differ only by their key, give
    the same digest, i.e. are the same person for search, identity resolution and duplicates.
    '' when there is no NIR (13 characters at least)."""
    return lookup_digest("nir", nir13(value))


def mask_nir(value: str | None) -> str:
    """A NIR for agents who may not see it whole: the sex, the year of birth and the key stay,
    the rest is hidden ('1 84 ** ** *** *** 42'); '' stays ''."""
    nir = clean_nir(value or "")
    if not nir:
        return ""
    masked = f"{nir[:1]} {nir[1:3]} ** ** *** ***"
    return f"{masked} {nir[13:15]}" if len(nir) == 15 else masked


def group_nir(value: str | None) -> str:
    """A NIR grouped as printed on a carte Vitale: '2 85 05 59 350 123 45'."""
    nir = (value or "").replace(" ", "")
    if len(nir) not in (13, 15):
        return value or ""
    groups = [nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:15]]
    return " ".join(group for group in groups if group)
