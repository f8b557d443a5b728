"""Money display from integer minor units and an ISO 4217 code."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from licensing.core.money import (
    decimal_string,
    format_amount,
    format_money,
    minor_bound,
    minor_digits,
    parse_major,
    to_minor,
)

# Stripe's zero-decimal currencies, and ISO 4217's three-decimal ones: every row, written out here.
ZERO_DECIMAL = ("BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
                "XAF", "XOF", "XPF")
THREE_DECIMAL = ("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND")


def exactly(message: str) -> str:
    """A `match=` pattern for the whole message, not a part of it."""
    return f"^{re.escape(message)}$"


@pytest.mark.parametrize(("currency", "digits"), [
    ("GBP", 2), ("EUR", 2), ("USD", 2), ("CHF", 2), ("XYZ", 2), ("ISK", 2),
    *((code, 0) for code in ZERO_DECIMAL), *((code, 3) for code in THREE_DECIMAL),
])
def test_minor_digits(currency, digits):
    assert minor_digits(currency) == digits


@pytest.mark.parametrize("currency", ZERO_DECIMAL)
def test_a_zero_decimal_amount_is_typed_and_shown_in_whole_units(currency):
    assert to_minor("1,500", currency) == 1500
    assert format_amount(1500, currency) == "1,500"
    with pytest.raises(ValueError, match=exactly(f"{currency} amounts have at most 0 decimal places.")):
        to_minor("1.5", currency)


@pytest.mark.parametrize("currency", THREE_DECIMAL)
def test_a_three_decimal_amount_has_thousandths(currency):
    assert to_minor("1.005", currency) == 1005
    assert format_amount(1005, currency) == "1.005"


@pytest.mark.parametrize(("amount", "currency", "text"), [
    (0, "GBP", "0.00"),
    (1, "GBP", "0.01"),
    (10, "GBP", "0.10"),
    (99, "GBP", "0.99"),
    (100, "GBP", "1.00"),
    (123456, "GBP", "1,234.56"),
    (1234567, "GBP", "12,345.67"),
    (100000000000, "GBP", "1,000,000,000.00"),
    (-1, "GBP", "-0.01"),
    (-123456, "GBP", "-1,234.56"),
    (5000, "EUR", "50.00"),
    (0, "JPY", "0"),
    (5, "JPY", "5"),
    (1000, "JPY", "1,000"),
    (1234567, "JPY", "1,234,567"),
    (-1500, "JPY", "-1,500"),
    (0, "KWD", "0.000"),
    (1, "KWD", "0.001"),
    (1234567, "KWD", "1,234.567"),
    (-1050, "KWD", "-1.050"),
    (1234567, "XYZ", "12,345.67"),
])
def test_format_amount(amount, currency, text):
    assert format_amount(amount, currency) == text


@pytest.mark.parametrize(("amount", "currency", "text"), [
    (123456, "GBP", "£1,234.56"),
    (0, "GBP", "£0.00"),
    (-123456, "GBP", "-£1,234.56"),
    (-5, "GBP", "-£0.05"),
    (5000, "EUR", "€50.00"),
    (-5000, "EUR", "-€50.00"),
    (1999, "USD", "$19.99"),
    (1000, "JPY", "¥1,000"),
    (-1000, "JPY", "-¥1,000"),
    (0, "JPY", "¥0"),
    (1234567, "KWD", "1,234.567 KWD"),
    (-1234567, "KWD", "-1,234.567 KWD"),
    (0, "KWD", "0.000 KWD"),
    (250000, "CHF", "2,500.00 CHF"),
    (250000, "XYZ", "2,500.00 XYZ"),
    (-250000, "XYZ", "-2,500.00 XYZ"),
])
def test_format_money(amount, currency, text):
    assert format_money(amount, currency) == text


def test_the_sign_never_lands_between_symbol_and_digits():
    for currency in ("GBP", "EUR", "USD", "JPY"):
        text = format_money(-1, currency)
        assert text.startswith("-")
        assert text.count("-") == 1


@pytest.mark.parametrize("text, currency, minor", [
    ("350.50", "GBP", 35050),
    ("350", "GBP", 35000),
    ("350.5", "GBP", 35050),
    (" 1,250.00 ", "GBP", 125000),
    ("1 250.00", "GBP", 125000),
    ("1,250,000", "EUR", 125000000),
    ("0", "GBP", 0),
    ("0.01", "USD", 1),
    ("1000", "JPY", 1000),
    ("1,000", "JPY", 1000),
    ("12.345", "KWD", 12345),
    ("12.3", "KWD", 12300),
    ("12", "KWD", 12000),
    (".5", "GBP", 50),  # unambiguous: refunds accepted it, and fee overrides now do too
])
def test_one_parser_for_every_typed_amount(text, currency, minor):
    amount = to_minor(text, currency)
    assert amount == minor
    assert type(amount) is int


@pytest.mark.parametrize(("text", "minor"), [
    ("100000000000", 10**13),  # the largest amount: 10^13 minor units, at the bound
    ("100000000000.00", 10**13),
    ("99999999999.99", 10**13 - 1),
    ("100000000000.000", 10**13),  # trailing zeros are not decimal places
])
def test_the_largest_amount_is_accepted(text, minor):
    assert to_minor(text, "GBP") == minor


@pytest.mark.parametrize("text", ["100000000000.01", "100000000001", "100000000000.1"])
def test_one_minor_unit_over_the_largest_amount_is_refused(text):
    with pytest.raises(ValueError, match=exactly("That amount is too large.")):
        to_minor(text, "GBP")


@pytest.mark.parametrize(("text", "value"), [
    ("1,250.50", Decimal("1250.50")),
    ("1 250.50", Decimal("1250.50")),
    (".5", Decimal("0.5")),
    ("1" * 30, Decimal("1" * 30)),  # 30 characters: the longest accepted
    ("1,000,000,000,000,000,000,000", Decimal("1000000000000000000000")),  # 29 characters with grouping
])
def test_parse_major_reads_up_to_30_characters(text, value):
    assert parse_major(text) == value


@pytest.mark.parametrize("text", ["1" * 31, "1" * 29 + ".05", " " + "1" * 31 + " ", None, "", "   "])
def test_parse_major_refuses_longer_or_empty_text(text):
    with pytest.raises(ValueError, match=exactly("Enter an amount such as 350 or 350.00.")):
        parse_major(text)


@pytest.mark.parametrize(("amount", "currency", "text"), [
    (123456789, "GBP", "1234567.89"),
    (-123456, "GBP", "-1234.56"),
    (5, "EUR", "0.05"),
    (1234567, "JPY", "1234567"),
    (1234567, "KWD", "1234.567"),
    (0, "GBP", "0.00"),
])
def test_decimal_string_has_no_grouping_and_a_dot(amount, currency, text):
    assert decimal_string(amount, currency) == text


@pytest.mark.parametrize(("value", "digits", "lower", "minor"), [
    (Decimal("12.345"), 2, True, 1235),  # a lower bound rounds up: 12.345 admits 12.35, not 12.34
    (Decimal("12.345"), 2, False, 1234),  # an upper bound rounds down
    (Decimal("12.34"), 2, True, 1234),  # exact: both ways the same
    (Decimal("12.34"), 2, False, 1234),
    (Decimal("-1.005"), 2, True, -100),
    (Decimal("-1.005"), 2, False, -101),
    (Decimal("7.5"), 0, True, 8),
    (Decimal("7.5"), 0, False, 7),
    (Decimal("1.0005"), 3, True, 1001),
])
def test_minor_bound_rounds_a_lower_bound_up_and_an_upper_bound_down(value, digits, lower, minor):
    bound = minor_bound(value, digits, lower)
    assert bound == minor
    assert type(bound) is int


@pytest.mark.parametrize("text, currency, message", [
    ("", "GBP", "Enter an amount such as 350 or 350.00."),
    ("abc", "GBP", "Enter an amount such as 350 or 350.00."),
    ("-10", "GBP", "Enter an amount such as 350 or 350.00."),
    ("£350", "GBP", "Enter an amount such as 350 or 350.00."),
    ("1e3", "GBP", "Enter an amount such as 350 or 350.00."),
    ("1.2.3", "GBP", "Enter an amount such as 350 or 350.00."),
    ("NaN", "GBP", "Enter an amount such as 350 or 350.00."),
    ("350,50", "GBP", "Enter an amount such as 350 or 350.00."),  # a decimal comma is not 35,050
    ("1,25", "GBP", "Enter an amount such as 350 or 350.00."),
    ("350 50", "GBP", "Enter an amount such as 350 or 350.00."),
    ("12 50", "GBP", "Enter an amount such as 350 or 350.00."),  # not 1,250.00
    ("1,2,3", "GBP", "Enter an amount such as 350 or 350.00."),
    ("350.505", "GBP", "GBP amounts have at most 2 decimal places."),
    ("1000.5", "JPY", "JPY amounts have at most 0 decimal places."),
    ("1.2345", "KWD", "KWD amounts have at most 3 decimal places."),
    ("100000000001", "GBP", "That amount is too large."),
])
def test_one_parser_refuses(text, currency, message):
    with pytest.raises(ValueError, match=exactly(message)):
        to_minor(text, currency)
