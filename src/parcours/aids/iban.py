"""Bank details of a payee: IBAN and BIC validated (country, length, checksum) with schwifty,
normalised, and masked for every screen but the payment screen.

`validate_iban(text)` returns the compact IBAN (« FR7630006000011234567890189 ») or raises a
`ValidationError` in French naming what is wrong; `validate_bic(text, iban)` returns the BIC typed
(checked) or the one derived from the IBAN's bank code, or "" when neither is known (a SEPA
transfer inside the euro zone does not need it). `masked(iban)` keeps the country, the check
digits and the last three characters: « FR76 •••• •••• •••• •••• •••• 189 ».
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from schwifty import BIC, IBAN
from schwifty import exceptions as errors

MASK = "•"


def validate_iban(text: str) -> str:
    """The compact, upper-case IBAN of `text`, or a ValidationError saying what is wrong."""
    compact = "".join((text or "").split()).upper()
    if not compact:
        raise ValidationError("Saisissez l'IBAN du compte à créditer.")
    try:
        iban = IBAN(compact)
    except errors.InvalidCountryCode as error:
        raise ValidationError(
            f"IBAN invalide : le code pays « {compact[:2]} » n'existe pas (un IBAN français commence par FR)."
        ) from error
    except errors.InvalidLength as error:
        raise ValidationError(
            f"IBAN invalide : {len(compact)} caractères au lieu du nombre attendu pour ce pays "
            "(27 pour la France) : vérifiez qu'aucun chiffre ne manque."
        ) from error
    except errors.InvalidChecksumDigits as error:
        raise ValidationError(
            "IBAN invalide : la clé de contrôle ne correspond pas (un caractère est probablement mal saisi)."
        ) from error
    except errors.SchwiftyException as error:
        raise ValidationError(
            "IBAN invalide : sa structure ne correspond pas au format du pays (lettres à la place de chiffres ?)."
        ) from error
    if not iban.in_sepa_zone:
        raise ValidationError(
            "Ce compte est hors de la zone SEPA : un virement SEPA ne peut pas le créditer."
        )
    return iban.compact


def validate_bic(text: str, iban: str = "") -> str:
    """The BIC typed (validated, 8 or 11 characters), else the one derived from `iban`'s bank code,
    else ""."""
    compact = "".join((text or "").split()).upper()
    if compact:
        try:
            return BIC(compact).compact
        except errors.SchwiftyException as error:
            raise ValidationError(
                f"BIC invalide : « {compact} » n'est pas un code BIC (8 ou 11 caractères, ex. AGRIFRPPXXX)."
            ) from error
    if iban:
        try:
            derived = IBAN(iban).bic
        except errors.SchwiftyException:
            return ""
        return derived.compact if derived is not None else ""
    return ""


def formatted(iban: str) -> str:
    """The IBAN in groups of four (the payment screen only)."""
    compact = "".join((iban or "").split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def masked(iban: str) -> str:
    """The IBAN with everything but the country, check digits and last three characters hidden."""
    compact = "".join((iban or "").split()).upper()
    if not compact:
        return ""
    if len(compact) <= 7:
        return MASK * len(compact)
    hidden = compact[:4] + MASK * (len(compact) - 7) + compact[-3:]
    return " ".join(hidden[i : i + 4] for i in range(0, len(hidden), 4))
