"""Money display: integer minor units and an ISO 4217 code, never floats."""
from __future__ import annotations

import re
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import cache

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "JPY": "¥"}
ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND",
                "VUV", "XAF", "XOF", "XPF"}
THREE_DECIMAL = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}  # ISO 4217 exponent 3


@cache
def minor_digits(currency: str) -> int:
    if currency in ZERO_DECIMAL:
        return 0
    return 3 if currency in THREE_DECIMAL else 2


def format_amount(amount: int, currency: str) -> str:
    """1234567 GBP -> '12,345.67' (no symbol)."""
    digits = minor_digits(currency)
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), 10**digits) if digits else (abs(amount), 0)
    return f"{sign}{whole:,}" + (f".{frac:0{digits}d}" if digits else "")


def format_money(amount: int, currency: str) -> str:
    symbol = SYMBOLS.get(currency)
    text = format_amount(amount, currency)
    if symbol:
        return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"
    return f"{text} {currency}"


def decimal_string(amount: int, currency: str) -> str:
    """1234567 GBP -> '12345.67': machine-readable (no grouping, a dot), for CSV files."""
    return format_amount(amount, currency).replace(",", "")


_MAJOR = re.compile(r"(\d{1,3}(,\d{3})+|\d+)(\.\d+)?|\.\d+")


def parse_major(text: str) -> Decimal:
    """'1,250.50' or '1 250.50' -> Decimal('1250.50'); '.5' -> Decimal('0.5'). A comma or a space only
    groups thousands (so '350,50' and '12 50' are refused, never read as 35,050 or 1,250); no sign, no
    exponent. The one parser of typed amounts: fee overrides, refunds and filters."""
    cleaned = (text or "").strip().replace(" ", ",")
    if not cleaned or len(cleaned) > 30 or not _MAJOR.fullmatch(cleaned):
        raise ValueError("Enter an amount such as 350 or 350.00.")
    return Decimal(cleaned.replace(",", ""))


def to_minor(text: str, currency: str) -> int:
    """An amount typed in major units -> integer minor units of `currency` (exact, or refused)."""
    value = parse_major(text)
    digits = minor_digits(currency)
    minor = value.scaleb(digits)
    if minor != minor.to_integral_value():
        raise ValueError(f"{currency} amounts have at most {digits} decimal place{'' if digits == 1 else 's'}.")
    if minor > 10**13:
        raise ValueError("That amount is too large.")
    return int(minor)


def minor_bound(value: Decimal, digits: int, lower: bool) -> int:
    """The whole minor units a major-unit bound means: a lower bound rounds up, an upper one down."""
    scaled = value.scaleb(digits)
    return int(scaled.to_integral_value(rounding=ROUND_CEILING if lower else ROUND_FLOOR))
