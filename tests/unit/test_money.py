"""Money display from integer minor units and an ISO 4217 code."""
from __future__ import annotations

import pytest

from licensing.core.money import format_amount, format_money, minor_digits


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
