"""Money display: integer minor units and an ISO 4217 code, never floats."""
from __future__ import annotations

from functools import lru_cache

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "JPY": "¥"}
ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND",
                "VUV", "XAF", "XOF", "XPF"}
THREE_DECIMAL = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}  # ISO 4217 exponent 3


@lru_cache(maxsize=None)
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
