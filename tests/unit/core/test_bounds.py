"""Table tests of licensing/core/bounds.py: numbers and dates from URLs, range-checked."""
from __future__ import annotations

from datetime import date

import pytest

from licensing.core.bounds import INT32_MAX, INT64_MAX, is_db_id, parse_day, parse_int, parse_month


@pytest.mark.parametrize(("raw", "lowest", "highest", "value"), [
    ("1", 1, INT32_MAX, 1),
    ("2147483647", 1, INT32_MAX, 2147483647),
    ("2147483648", 1, INT32_MAX, None),
    ("9" * 20, 1, INT64_MAX, None),
    ("9" * 30, 1, INT32_MAX, None),
    ("0", 1, INT32_MAX, None),
    ("-5", -10, 10, -5),
    (" 42 ", 1, 100, 42),
    ("1e309", 1, INT32_MAX, None),
    ("NaN", 1, INT32_MAX, None),
    ("٣", 1, INT32_MAX, None),  # an Arabic-Indic digit: int() takes it, the edge does not
    ("", 1, INT32_MAX, None),
    (None, 1, INT32_MAX, None),
])
def test_parse_int(raw, lowest, highest, value):
    assert parse_int(raw, lowest, highest) == value


def test_is_db_id():
    assert is_db_id(1) and is_db_id(2147483647)
    assert not is_db_id(2147483648) and not is_db_id(0) and not is_db_id(99999999999999999999)


@pytest.mark.parametrize(("raw", "day"), [
    ("2026-01-31", date(2026, 1, 31)),
    ("2026-02-30", None),
    ("0001-01-01", None),
    ("9999-12-31", None),
    ("2999-12-31", date(2999, 12, 31)),
    ("1900-01-01", date(1900, 1, 1)),
    ("0000-00-00", None),
    ("2026-1-5", None),
    ("2026-01-01T00:00", None),
    ("", None),
])
def test_parse_day(raw, day):
    assert parse_day(raw) == day


@pytest.mark.parametrize(("raw", "month"), [
    ("2026-01", date(2026, 1, 1)),
    ("9999-12", None),
    ("0000-01", None),
    ("2026-13", None),
    ("2026-00", None),
    ("2999-12", date(2999, 12, 1)),
    ("99999-01", None),
    ("", None),
])
def test_parse_month(raw, month):
    assert parse_month(raw) == month
