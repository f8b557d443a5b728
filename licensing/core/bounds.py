"""Range checks of the numbers and dates that arrive in URLs and query strings.

A page number of twenty nines, an id larger than any database integer or the year 9999 plus one
month are not errors of the app's logic but of the edge: each is refused here, as "not a usable
value" (None), before it reaches a query, a date calculation or the database, which would answer
with an overflow and the visitor with a 500. The caller turns None into a 404 or a 400 with a
clear message. Pure: standard library only."""
from __future__ import annotations

import re
from datetime import date

INT32_MAX = 2**31 - 1  # an INTEGER column (ids): PostgreSQL refuses more, SQLite's driver too
INT64_MAX = 2**63 - 1  # a BIGINT column (amounts in minor units)
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)  # leaves room for "the day after" and a few years of terms
_INT = re.compile(r"[+-]?[0-9]{1,19}")
_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def parse_int(raw: str | None, lowest: int = 1, highest: int = INT32_MAX) -> int | None:
    """A whole number written in decimal digits, within [lowest, highest]; else None."""
    text = (raw or "").strip()
    if not _INT.fullmatch(text):
        return None
    value = int(text)
    return value if lowest <= value <= highest else None


def is_db_id(value: int) -> bool:
    """Whether a URL's integer can be an id at all (1 to INT32_MAX): else the answer is 404."""
    return 1 <= value <= INT32_MAX


def parse_day(raw: str | None, earliest: date = EARLIEST_DAY, latest: date = LATEST_DAY) -> date | None:
    """A day as YYYY-MM-DD within [earliest, latest]; else None."""
    found = _DAY.fullmatch((raw or "").strip())
    if not found:
        return None
    try:
        day = date(*(int(part) for part in found.groups()))
    except ValueError:
        return None
    return day if earliest <= day <= latest else None


def parse_month(raw: str | None, earliest: date = EARLIEST_DAY, latest: date = LATEST_DAY) -> date | None:
    """A month as YYYY-MM (its first day) within [earliest, latest]; else None."""
    found = _MONTH.fullmatch((raw or "").strip())
    if not found:
        return None
    year, month = (int(part) for part in found.groups())
    if not 1 <= month <= 12:
        return None
    first = date(year, month, 1) if year >= 1 else None
    return first if first is not None and earliest <= first <= latest else None
