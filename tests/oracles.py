"""Plain-Python answers the tests compare the SQL reports with (only tests use them)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from invoices.finance.rules import AgeingRow, bucket_for, days_past_due, empty_row


def summarise(invoices: Iterable[tuple[str, date, int]], today: date) -> list[AgeingRow]:
    """(currency, due date, open amount) of each open invoice -> one row per currency, by code."""
    rows: dict[str, AgeingRow] = {}
    for currency, due, amount in invoices:
        row = rows.setdefault(currency, empty_row(currency))
        key = bucket_for(days_past_due(due, today))
        row.amounts[key] += amount
        row.counts[key] += 1
    return [rows[c] for c in sorted(rows)]
