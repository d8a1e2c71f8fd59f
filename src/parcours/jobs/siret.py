"""SIRET numbers: 14 digits, SIREN (9) + NIC (5), checked with the Luhn algorithm.

Exception: La Poste's establishments (SIREN 356000000) are too many for Luhn keys; INSEE
accepts them when the sum of the 14 digits is a multiple of 5 (the head office,
35600000000048, has a regular Luhn key).
"""

from django.core.exceptions import ValidationError

LA_POSTE_SIREN = "356000000"


def clean_siret(value: str) -> str:
    return "".join((value or "").split())


def _fourteen_digits(siret: str) -> bool:
    # ASCII only: str.isdigit() is also true of "²" or "١", which int() refuses or reads.
    return len(siret) == 14 and siret.isascii() and siret.isdigit()


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        number = int(char)
        if position % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def is_valid_siret(value: str) -> bool:
    siret = clean_siret(value)
    if not _fourteen_digits(siret):
        return False
    if siret.startswith(LA_POSTE_SIREN):
        return luhn_valid(siret) or sum(int(char) for char in siret) % 5 == 0
    return luhn_valid(siret)


def validate_siret(value: str) -> None:
    siret = clean_siret(value)
    if not _fourteen_digits(siret):
        raise ValidationError("Le SIRET doit comporter 14 chiffres.", code="siret_format")
    if not is_valid_siret(siret):
        raise ValidationError(
            "Ce SIRET n'est pas valide (clé de contrôle incorrecte) : vérifiez les 14 chiffres.",
            code="siret_key",
        )
