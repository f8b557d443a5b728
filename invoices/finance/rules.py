"""Ageing of open invoices (pure; table-tested): how many days past due, which bucket that is,
and which due dates fall in a bucket on a given day (the SQL report and the invoice list's
bucket links are both built from these, so they always agree)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    min_days: int | None  # days past due, inclusive; None: no lower bound
    max_days: int | None  # inclusive; None: no upper bound


BUCKETS = (
    Bucket("current", "Current (not yet due)", None, 0),
    Bucket("1_30", "1–30 days", 1, 30),
    Bucket("31_60", "31–60 days", 31, 60),
    Bucket("61_90", "61–90 days", 61, 90),
    Bucket("over_90", "Over 90 days", 91, None),
)
BUCKET_KEYS = tuple(b.key for b in BUCKETS)
_BY_KEY = {b.key: b for b in BUCKETS}


def days_past_due(due_date: date, today: date) -> int:
    """0 on the due date itself (not yet late), 1 the day after; negative before it."""
    return (today - due_date).days


def bucket_for(days: int) -> str:
    for bucket in BUCKETS:
        if (bucket.min_days is None or days >= bucket.min_days) and (bucket.max_days is None or days <= bucket.max_days):
            return bucket.key
    raise AssertionError(f"no bucket for {days} days")  # pragma: no cover - the buckets cover every integer


def due_range(key: str, today: date) -> tuple[date | None, date | None]:
    """The due dates (inclusive; None = unbounded) of the invoices in bucket `key` on `today`."""
    bucket = _BY_KEY[key]
    earliest = today - timedelta(days=bucket.max_days) if bucket.max_days is not None else None
    latest = today - timedelta(days=bucket.min_days) if bucket.min_days is not None else None
    return earliest, latest


@dataclass
class AgeingRow:
    currency: str
    amounts: dict[str, int]  # bucket key -> open amount (minor units)
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.amounts.values())

    @property
    def count(self) -> int:
        return sum(self.counts.values())


def empty_row(currency: str) -> AgeingRow:
    return AgeingRow(currency, {k: 0 for k in BUCKET_KEYS}, {k: 0 for k in BUCKET_KEYS})
