"""The importers' readers of dates and of spreadsheet headers (`imports.people`).

Dates: every way a département's file writes a date gives it back (dd/mm/yyyy, ISO, dd-mm-yyyy,
dd.mm.yyyy, yyyy/mm/dd, two-digit years within the last hundred years, Excel serials as numbers
or text, date and datetime objects); anything else raises ValueError, never another exception.
Headers: `header_key` is idempotent, blind to case, accents, blanks and punctuation, and gives
only lowercase ASCII words."""

import datetime
import re

from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from parcours.imports.people import DATE_FORMATS, EXCEL_EPOCH, header_key, parse_date
from tests.property import BOUNDED

FOUR_DIGIT_FORMATS = [fmt for fmt in DATE_FORMATS if "%y" not in fmt]
dates = st.dates(min_value=datetime.date(1000, 1, 1), max_value=datetime.date(9999, 12, 31))
excel_dates = st.dates(
    min_value=EXCEL_EPOCH + datetime.timedelta(days=1), max_value=datetime.date(2118, 1, 1)
)


@BOUNDED
@given(dates, st.sampled_from(FOUR_DIGIT_FORMATS))
def test_written_dates_round_trip(day, fmt):
    written = day.strftime(fmt)
    assert parse_date(written) == day
    assert parse_date(f"  {written} 00:00:00") == day
    assert parse_date(day) == day
    assert parse_date(datetime.datetime.combine(day, datetime.time(13, 45))) == day


@BOUNDED
@given(dates)
def test_iso_datetimes_round_trip(day):
    assert parse_date(datetime.datetime.combine(day, datetime.time(8)).isoformat()) == day


@BOUNDED
@given(st.data())
def test_two_digit_years_are_the_last_hundred_years(data):
    today = timezone.localdate()
    day = data.draw(st.dates(min_value=today - datetime.timedelta(days=36_500), max_value=today))
    assert parse_date(day.strftime("%d/%m/%y")) == day


@BOUNDED
@given(excel_dates)
def test_excel_serials_round_trip(day):
    serial = (day - EXCEL_EPOCH).days
    for written in (serial, float(serial), serial + 0.75, str(serial), f"{serial}.0"):
        if serial < 80_000 and (not isinstance(written, str) or serial >= 1000):
            assert parse_date(written) == day, written


@BOUNDED
@given(
    st.text()
    | st.from_regex(r"[0-9]{1,5}([/.\-][0-9]{1,4}){0,2}( [0-9:]*)?", fullmatch=True)
    | st.integers()
    | st.floats()
    | st.booleans()
    | st.none()
)
def test_anything_else_is_a_value_error(value):
    try:
        parsed = parse_date(value)
    except ValueError:
        return
    assert isinstance(parsed, datetime.date)


FRENCH = "abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæ0123456789"
ACCENTS = str.maketrans("àâäçéèêëîïôöùûüÿ", "aaaceeeeiioouuuy")
words = st.lists(st.text(FRENCH, min_size=1, max_size=10), min_size=1, max_size=5)
blanks = st.text(" \t\n\r\u00a0*_-'’.:/()°", min_size=1, max_size=3)


@BOUNDED
@given(st.text() | st.integers() | st.floats() | st.none())
def test_header_key_is_idempotent_and_plain_ascii(value):
    key = header_key(value)
    assert header_key(key) == key
    assert re.fullmatch(r"([a-z0-9]+( [a-z0-9]+)*)?", key)


@BOUNDED
@given(words, st.data())
def test_header_key_ignores_case_accents_blanks_and_punctuation(parts, data):
    separators = data.draw(st.lists(blanks, min_size=len(parts) + 1, max_size=len(parts) + 1))
    plain = " ".join(parts)
    messy = separators[0] + "".join(word + sep for word, sep in zip(parts, separators[1:], strict=True))
    expected = header_key(plain)
    assert header_key(plain.upper()) == expected
    assert header_key(plain.translate(ACCENTS)) == expected
    assert header_key(messy) == expected
