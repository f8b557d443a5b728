"""License terms from a request (pure): end dates and the credit line."""
from __future__ import annotations

from datetime import date, timedelta

TERM_DAYS = {"30_days": 30}


def end_date(term: str, start: date) -> date | None:
    """The last day of display: 30 days from the start (inclusive), 1 year to the day before the
    anniversary. One-off use and the perpetual archive have no end of display: their limit is the
    first publication's last day (licensing.terms.rules.publish_by), then the archive keeps it."""
    if term in TERM_DAYS:
        return start + timedelta(days=TERM_DAYS[term] - 1)
    if term == "1_year":
        try:
            anniversary = start.replace(year=start.year + 1)
        except ValueError:  # 29 February
            anniversary = start.replace(year=start.year + 1, day=28) + timedelta(days=1)
        return anniversary - timedelta(days=1)
    if term in ("one_off", "perpetual"):
        return None
    raise ValueError(f"unknown term {term!r}")


def credit_line(seller_name: str, byline: str, noun: str = "license") -> str:
    """The default credit line; `noun` is the seller's spelling ("licence" in en-GB)."""
    by = f"{byline}, " if byline else ""
    return f"By {by}{seller_name}. Republished under {noun}."
