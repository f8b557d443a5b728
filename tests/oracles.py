"""Plain-Python answers the tests compare the SQL reports with (only tests use them). They share no
helper with the code they check: a bug in a shared helper would be on both sides and cancel out."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from invoices.finance.rules import AgeingRow

# The ageing buckets, written out again: (key, first and last day past due; None: no bound).
AGEING = (("current", None, 0), ("1_30", 1, 30), ("31_60", 31, 60), ("61_90", 61, 90), ("over_90", 91, None))


def _ageing_bucket(due: date, today: date) -> str:
    late = (today - due).days
    return next(key for key, first, last in AGEING
                if (first is None or late >= first) and (last is None or late <= last))


def summarise(invoices: Iterable[tuple[str, date, int]], today: date) -> list[AgeingRow]:
    """(currency, due date, open amount) of each open invoice -> one row per currency, by code."""
    rows: dict[str, AgeingRow] = {}
    for currency, due, amount in invoices:
        row = rows.setdefault(currency, AgeingRow(currency, {k: 0 for k, _, _ in AGEING}, {k: 0 for k, _, _ in AGEING}))
        key = _ageing_bucket(due, today)
        row.amounts[key] += amount
        row.counts[key] += 1
    return [rows[c] for c in sorted(rows)]
