"""NIR: a generated NIR with its key passes; any single digit changed, it fails; cleaning is
idempotent and blind to separators; nothing but ValidationError is ever raised."""

import contextlib

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from parcours.people.nir import clean_nir, nir_with_key, validate_nir
from tests.property import BOUNDED

DIGITS = "0123456789"
SEPARATORS = st.sampled_from([" ", ".", "-", "\t", "\u00a0", "  "])


@st.composite
def nirs13(draw) -> str:
    """A NIR without its key, of any shape the French registry issues (Corsica included)."""
    sex = draw(st.sampled_from("123478"))
    year = f"{draw(st.integers(0, 99)):02d}"
    month = f"{draw(st.sampled_from([*range(1, 13), *range(20, 100)])):02d}"
    place = draw(st.sampled_from(["2A", "2B"]) | st.integers(0, 99).map(lambda n: f"{n:02d}"))
    rest = draw(st.text(DIGITS, min_size=6, max_size=6))
    return sex + year + month + place + rest


nirs = nirs13().map(nir_with_key)


@BOUNDED
@given(nirs)
def test_a_nir_with_its_key_is_valid(nir):
    validate_nir(nir)
    validate_nir(nir[:13])
    validate_nir(nir.lower())


@BOUNDED
@given(nirs, st.data())
def test_any_single_digit_changed_makes_it_invalid(nir, data):
    positions = [i for i, char in enumerate(nir) if char.isdigit()]
    position = data.draw(st.sampled_from(positions))
    digit = data.draw(st.sampled_from(DIGITS.replace(nir[position], "")))
    changed = nir[:position] + digit + nir[position + 1 :]
    with pytest.raises(ValidationError):
        validate_nir(changed)


@BOUNDED
@given(nirs, st.lists(st.tuples(st.integers(0, 15), SEPARATORS), max_size=5))
def test_separators_do_not_matter(nir, cuts):
    written = nir
    for position, separator in sorted(cuts, reverse=True):
        written = written[:position] + separator + written[position:]
    assert clean_nir(written) == nir
    validate_nir(written)


@BOUNDED
@given(st.text())
def test_cleaning_is_idempotent(text):
    assert clean_nir(clean_nir(text)) == clean_nir(text)


@BOUNDED
@given(st.text() | st.text("0123456789AB .-", min_size=12, max_size=18) | nirs.map(lambda n: n[:-1] + "x"))
def test_validation_raises_only_validation_errors(text):
    with contextlib.suppress(ValidationError):
        validate_nir(text)
