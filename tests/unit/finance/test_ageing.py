"""The ageing rule (pure): days past due, the bucket of each day at every boundary, the due dates
of each bucket on a given day (what the report's links filter on), and the per-currency summary."""
from datetime import date, timedelta

import pytest

from invoices.finance.rules import BUCKET_KEYS, BUCKETS, AgeingRow, bucket_for, days_past_due, due_range, empty_row
from tests.oracles import summarise

TODAY = date(2026, 6, 30)


@pytest.mark.parametrize("days, bucket", [
    (-365, "current"), (-1, "current"), (0, "current"),
    (1, "1_30"), (2, "1_30"), (29, "1_30"), (30, "1_30"),
    (31, "31_60"), (59, "31_60"), (60, "31_60"),
    (61, "61_90"), (89, "61_90"), (90, "61_90"),
    (91, "over_90"), (92, "over_90"), (365, "over_90"), (10_000, "over_90"),
])
def test_bucket_for_each_boundary(days, bucket):
    assert bucket_for(days) == bucket


@pytest.mark.parametrize("due, today, days", [
    (date(2026, 6, 30), TODAY, 0),  # due today: not late yet
    (date(2026, 6, 29), TODAY, 1),
    (date(2026, 7, 1), TODAY, -1),
    (date(2026, 5, 31), TODAY, 30),
    (date(2026, 2, 28), date(2026, 3, 1), 1),  # over a month end
    (date(2024, 2, 28), date(2024, 3, 1), 2),  # a leap year
    (date(2025, 12, 31), date(2026, 1, 1), 1),
])
def test_days_past_due(due, today, days):
    assert days_past_due(due, today) == days


@pytest.mark.parametrize("bucket, earliest, latest", [
    ("current", date(2026, 6, 30), None),
    ("1_30", date(2026, 5, 31), date(2026, 6, 29)),
    ("31_60", date(2026, 5, 1), date(2026, 5, 30)),
    ("61_90", date(2026, 4, 1), date(2026, 4, 30)),
    ("over_90", None, date(2026, 3, 31)),
])
def test_due_range_of_each_bucket(bucket, earliest, latest):
    assert due_range(bucket, TODAY) == (earliest, latest)


@pytest.mark.parametrize("today", [TODAY, date(2024, 3, 1), date(2026, 1, 1), date(2026, 12, 31)])
def test_due_ranges_partition_the_calendar_and_agree_with_bucket_for(today):
    """Every due date within a year either side falls in exactly one range: that of its bucket."""
    for offset in range(-400, 401):
        due = today + timedelta(days=offset)
        inside = [b.key for b in BUCKETS
                  if (due_range(b.key, today)[0] is None or due >= due_range(b.key, today)[0])
                  and (due_range(b.key, today)[1] is None or due <= due_range(b.key, today)[1])]
        assert inside == [bucket_for(days_past_due(due, today))], due


def test_buckets_are_in_order_and_cover_every_day():
    assert BUCKET_KEYS == ("current", "1_30", "31_60", "61_90", "over_90")
    assert [(b.key, b.label, b.min_days, b.max_days) for b in BUCKETS] == [
        ("current", "Current (not yet due)", None, 0),
        ("1_30", "1–30 days", 1, 30),
        ("31_60", "31–60 days", 31, 60),
        ("61_90", "61–90 days", 61, 90),
        ("over_90", "Over 90 days", 91, None),
    ]
    for before, after in zip(BUCKETS, BUCKETS[1:], strict=False):
        assert before.max_days + 1 == after.min_days


def test_an_empty_row_has_every_bucket_at_zero():
    row = empty_row("JPY")
    assert (row.currency, row.amounts, row.counts) == (
        "JPY", {"current": 0, "1_30": 0, "31_60": 0, "61_90": 0, "over_90": 0},
        {"current": 0, "1_30": 0, "31_60": 0, "61_90": 0, "over_90": 0})
    assert (row.total, row.count) == (0, 0)
    row.amounts["1_30"] += 5
    assert empty_row("JPY").amounts["1_30"] == 0  # each row its own dicts


def test_a_rows_total_and_count_add_up_its_buckets():
    row = AgeingRow("GBP", {"current": 100, "1_30": 20, "over_90": 3}, {"current": 2, "1_30": 1, "over_90": 4})
    assert (row.total, row.count) == (123, 7)
    assert type(row.total) is int


def test_summarise_per_currency():
    rows = summarise([
        ("USD", TODAY, 100), ("USD", TODAY - timedelta(days=1), 200), ("USD", TODAY - timedelta(days=91), 400),
        ("EUR", TODAY - timedelta(days=45), 1000), ("USD", TODAY + timedelta(days=3), 800),
    ], TODAY)
    assert [r.currency for r in rows] == ["EUR", "USD"]
    eur, usd = rows
    assert eur.amounts == {"current": 0, "1_30": 0, "31_60": 1000, "61_90": 0, "over_90": 0}
    assert usd.amounts == {"current": 900, "1_30": 200, "31_60": 0, "61_90": 0, "over_90": 400}
    assert usd.counts == {"current": 2, "1_30": 1, "31_60": 0, "61_90": 0, "over_90": 1}
    assert (usd.total, usd.count, eur.total, eur.count) == (1500, 4, 1000, 1)
    assert summarise([], TODAY) == []
