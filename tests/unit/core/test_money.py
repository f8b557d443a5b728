"""Money display from integer minor units and an ISO 4217 code."""
from __future__ import annotations

import re

import pytest

from licensing.core.money import format_amount, format_money, minor_digits, to_minor


@pytest.mark.parametrize(("currency", "digits"), [
    ("GBP", 2), ("EUR", 2), ("USD", 2), ("CHF", 2), ("JPY", 0), ("KRW", 0), ("VND", 0), ("CLP", 0),
    ("KWD", 3), ("BHD", 3), ("JOD", 3), ("OMR", 3), ("TND", 3), ("IQD", 3), ("LYD", 3), ("XYZ", 2),
])
def test_minor_digits(currency, digits):
    assert minor_digits(currency) == digits


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
    assert to_minor(text, currency) == minor


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
    with pytest.raises(ValueError, match=re.escape(message)):
        to_minor(text, currency)
