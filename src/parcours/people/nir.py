"""The NIR (numéro d'inscription au répertoire, "numéro de sécurité sociale").

13 characters without the key, 15 with it. The key is 97 − (number mod 97), where
Corsican département codes 2A and 2B count as 19 and 18.
"""

import re

from django.core.exceptions import ValidationError

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
