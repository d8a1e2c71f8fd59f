"""SIRET: the Luhn key. A SIRET completed with its Luhn digit passes; any single digit changed,
or two different adjacent digits swapped (but 0 and 9), it fails; La Poste's establishments
pass when their digits add up to a multiple of 5; nothing but ValidationError is raised."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from parcours.jobs.siret import LA_POSTE_SIREN, is_valid_siret, luhn_valid, validate_siret
from tests.property import BOUNDED

DIGITS = "0123456789"


def with_luhn_key(digits13: str) -> str:
    return next(digits13 + key for key in DIGITS if luhn_valid(digits13 + key))


sirets = (
    st.text(DIGITS, min_size=13, max_size=13)
    .filter(lambda s: not s.startswith(LA_POSTE_SIREN))
    .map(with_luhn_key)
)


@BOUNDED
@given(sirets)
def test_a_siret_with_its_luhn_key_is_valid(siret):
    assert is_valid_siret(siret)
    validate_siret(f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}")


@BOUNDED
@given(sirets, st.integers(0, 13), st.integers(1, 9))
def test_any_single_digit_changed_makes_it_invalid(siret, position, shift):
    digit = str((int(siret[position]) + shift) % 10)
    changed = siret[:position] + digit + siret[position + 1 :]
    assert not is_valid_siret(changed)
    with pytest.raises(ValidationError):
        validate_siret(changed)


@BOUNDED
@given(sirets, st.integers(0, 12))
def test_adjacent_digits_swapped_make_it_invalid(siret, position):
    pair = siret[position : position + 2]
    assume(pair[0] != pair[1] and set(pair) != {"0", "9"})
    assert not is_valid_siret(siret[:position] + pair[::-1] + siret[position + 2 :])


@BOUNDED
@given(st.text(DIGITS, min_size=5, max_size=5))
def test_la_poste_establishments_use_the_sum_of_digits(nic):
    siret = LA_POSTE_SIREN + nic
    assert is_valid_siret(siret) == (luhn_valid(siret) or sum(map(int, siret)) % 5 == 0)


@BOUNDED
@given(st.text() | st.text(DIGITS + " \u00b2\u0661\u06f5", min_size=14, max_size=16))
def test_validation_raises_only_validation_errors_and_wants_ascii_digits(text):
    try:
        validate_siret(text)
    except ValidationError:
        assert not is_valid_siret(text)
    else:
        assert is_valid_siret(text)
        assert "".join(text.split()).isascii()
