"""IBAN and BIC: checksum, length, country, normalisation, masking."""

import pytest
from django.core.exceptions import ValidationError

from parcours.aids.iban import formatted, masked, validate_bic, validate_iban

VALID = "FR76 3000 6000 0112 3456 7890 189"


def test_valid_iban_is_normalised():
    assert validate_iban(" fr76 3000 6000 0112 3456 7890 189 ") == "FR7630006000011234567890189"
    assert formatted("FR7630006000011234567890189") == VALID


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("FR76 3000 6000 0112 3456 7890 188", "la clé de contrôle ne correspond pas"),
        ("FR76 3000 6000 0112", "caractères au lieu du nombre attendu"),
        ("XX76 3000 6000 0112 3456 7890 189", "le code pays « XX » n'existe pas"),
        ("", "Saisissez l'IBAN"),
    ],
)
def test_invalid_iban_is_refused_in_french(text, message):
    with pytest.raises(ValidationError, match=message):
        validate_iban(text)


def test_account_outside_the_sepa_zone_is_refused():
    with pytest.raises(ValidationError, match="hors de la zone SEPA"):
        validate_iban("BR1800360305000010009795493C1")


def test_bic_typed_is_checked_or_derived_from_the_iban():
    assert validate_bic("agri frpp xxx") == "AGRIFRPPXXX"
    assert validate_bic("", "FR7630006000011234567890189") == "AGRIFRPPXXX"
    with pytest.raises(ValidationError, match="BIC invalide"):
        validate_bic("ZZ")


def test_masked_keeps_country_check_digits_and_last_three():
    shown = masked("FR7630006000011234567890189")
    assert shown == "FR76 •••• •••• •••• •••• •••• 189"
    assert "3000" not in shown and "567890" not in shown
    assert masked("") == ""
