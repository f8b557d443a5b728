"""Usage flags: beyond the licensed audience (busiest 30 days), before/after the term, after a
revocation, on another domain; and the true-up input and fee."""
from __future__ import annotations

from datetime import date

import pytest

from licensing.delivery.rules.flags import (
    DailyViews,
    LicensedUse,
    TrueUp,
    UsageFlag,
    busiest_window,
    true_up,
    true_up_fee,
    usage_flags,
    views_by_day,
    views_by_domain,
)

D = date
USE = LicensedUse(audience=1000, start=D(2026, 1, 1), end=D(2026, 1, 30), status="active", status_date=None,
                  licensed_domain="example.com")


def v(day: date, views: int, domain: str = "example.com") -> DailyViews:
    return DailyViews(day, domain, views)


@pytest.mark.parametrize(("rows", "expected"), [
    ([], None),
    ([v(D(2026, 1, 5), 0)], None),
    ([v(D(2026, 1, 5), 7)], (D(2025, 12, 7), D(2026, 1, 5), 7)),
    # day 1 and day 30 are one window; day 31 is not in day 1's
    ([v(D(2026, 1, 1), 600), v(D(2026, 1, 30), 500), v(D(2026, 1, 31), 650)],
     (D(2026, 1, 2), D(2026, 1, 31), 1150)),
    ([v(D(2026, 1, 1), 600), v(D(2026, 1, 30), 500)], (D(2026, 1, 1), D(2026, 1, 30), 1100)),
    # two domains on one day add up
    ([v(D(2026, 3, 1), 5), v(D(2026, 3, 1), 6, "")], (D(2026, 1, 31), D(2026, 3, 1), 11)),
    # a tie keeps the earlier window
    ([v(D(2026, 1, 1), 10), v(D(2026, 6, 1), 10)], (D(2025, 12, 3), D(2026, 1, 1), 10)),
])
def test_busiest_window(rows, expected):
    assert busiest_window(rows) == expected


def test_a_window_ends_on_a_day_with_a_view_even_one():
    # a day of one view counts: the window ending 10 January (1 + 2) beats the one ending 1 March
    assert busiest_window([v(D(2026, 1, 1), 1), v(D(2026, 1, 10), 2), v(D(2026, 3, 1), 2),
                           v(D(2026, 3, 5), 0)]) == (D(2025, 12, 12), D(2026, 1, 10), 3)


def test_views_by_day_and_domain():
    rows = [v(D(2026, 1, 2), 3, "b.org"), v(D(2026, 1, 1), 5), v(D(2026, 1, 2), 3, "a.org"), v(D(2026, 1, 2), 4)]
    assert views_by_day(rows) == {D(2026, 1, 1): 5, D(2026, 1, 2): 10}
    assert views_by_domain(rows) == [("example.com", 9), ("a.org", 3), ("b.org", 3)]


@pytest.mark.parametrize(("rows", "tolerance", "expected"), [
    ([v(D(2026, 1, 10), 1000)], 0, None),  # exactly the audience is within it
    ([v(D(2026, 1, 10), 1001)], 0, TrueUp(1000, 1001, 1, D(2025, 12, 12), D(2026, 1, 10))),
    ([v(D(2026, 1, 10), 1100)], 10, None),
    ([v(D(2026, 1, 10), 1101)], 10, TrueUp(1000, 1101, 101, D(2025, 12, 12), D(2026, 1, 10))),
    ([v(D(2026, 1, 1), 700), v(D(2026, 2, 15), 700)], 0, None),  # 45 days apart: never one window
])
def test_true_up(rows, tolerance, expected):
    assert true_up(USE, rows, tolerance) == expected


def test_by_default_one_view_over_the_audience_is_over():
    assert true_up(USE, [v(D(2026, 1, 10), 1001)]) == TrueUp(1000, 1001, 1, D(2025, 12, 12), D(2026, 1, 10))
    assert usage_flags(USE, [v(D(2026, 1, 10), 1001)]) == [
        UsageFlag("over_audience", 1001, D(2025, 12, 12), D(2026, 1, 10))]
    assert usage_flags(USE, [v(D(2026, 1, 10), 1001)], tolerance_percent=1) == []  # the tolerance is passed on


def test_days_without_views_do_not_widen_a_flag():
    use = LicensedUse(10**6, D(2026, 1, 1), D(2026, 1, 30), "active", None, "example.com")
    rows = [v(D(2025, 12, 1), 0), v(D(2025, 12, 20), 1), v(D(2025, 12, 30), 0),
            v(D(2026, 1, 5), 0, "other.org"), v(D(2026, 1, 6), 10, "other.org"), v(D(2026, 1, 8), 1, "other.org"),
            v(D(2026, 1, 9), 0, "other.org")]
    assert usage_flags(use, rows) == [
        UsageFlag("before_term", 1, D(2025, 12, 20), D(2025, 12, 20)),
        UsageFlag("other_domain", 11, D(2026, 1, 6), D(2026, 1, 8), ("other.org",)),
    ]


def test_quiet_use_within_terms_raises_no_flag():
    rows = [v(D(2026, 1, 1), 300), v(D(2026, 1, 15), 200, ""), v(D(2026, 1, 30), 400)]
    assert usage_flags(USE, rows) == []


def test_every_kind_of_flag():
    rows = [
        v(D(2025, 12, 31), 4),                     # the day before the term
        v(D(2026, 1, 1), 600), v(D(2026, 1, 30), 500),
        v(D(2026, 1, 31), 20, "other.org"),        # after the term, and on another domain
        v(D(2026, 3, 1), 5, ""),                   # after the term, no referrer
        v(D(2026, 1, 20), 9, "stray.net"),         # under the domain threshold
    ]
    assert usage_flags(USE, rows) == [
        UsageFlag("over_audience", 1109, D(2026, 1, 1), D(2026, 1, 30)),
        UsageFlag("before_term", 4, D(2025, 12, 31), D(2025, 12, 31)),
        UsageFlag("after_term", 25, D(2026, 1, 31), D(2026, 3, 1)),
        UsageFlag("other_domain", 20, D(2026, 1, 31), D(2026, 1, 31), ("other.org",)),
    ]


@pytest.mark.parametrize(("status", "status_date", "expected"), [
    ("revoked", D(2026, 1, 10), [UsageFlag("after_revocation", 7, D(2026, 1, 11), D(2026, 1, 12))]),
    ("cancelled", D(2026, 1, 11), [UsageFlag("after_revocation", 2, D(2026, 1, 12), D(2026, 1, 12))]),
    ("revoked", D(2026, 1, 12), []),  # views on the day of the revocation itself are not flagged
    ("active", D(2026, 1, 10), []),
    ("expired", D(2026, 1, 10), []),  # an expiry is judged by the end date, not the status date
])
def test_after_revocation(status, status_date, expected):
    use = LicensedUse(1000, D(2026, 1, 1), D(2026, 1, 30), status, status_date, "example.com")
    rows = [v(D(2026, 1, 10), 3), v(D(2026, 1, 11), 5), v(D(2026, 1, 12), 2)]
    assert usage_flags(use, rows) == expected


def test_perpetual_license_has_no_after_term():
    use = LicensedUse(1000, D(2026, 1, 1), None, "active", None, "example.com")
    assert usage_flags(use, [v(D(2040, 1, 1), 10)]) == []


def test_other_domain_threshold_allowed_domains_and_order():
    use = LicensedUse(10**6, D(2026, 1, 1), None, "active", None, "example.com",
                      allowed_domains=frozenset({"example-amp.com"}))
    rows = [v(D(2026, 1, 2), 10, "b.org"), v(D(2026, 1, 3), 30, "a.org"), v(D(2026, 1, 4), 10, "c.org"),
            v(D(2026, 1, 5), 500, "example-amp.com"), v(D(2026, 1, 6), 9, "d.org"), v(D(2026, 1, 7), 99, "")]
    assert usage_flags(use, rows) == [
        UsageFlag("other_domain", 50, D(2026, 1, 2), D(2026, 1, 4), ("a.org", "b.org", "c.org"))]
    assert usage_flags(use, rows, min_domain_views=1) == [
        UsageFlag("other_domain", 59, D(2026, 1, 2), D(2026, 1, 6), ("a.org", "b.org", "c.org", "d.org"))]


@pytest.mark.parametrize(("measured", "licensed", "fee"), [(45000, 30000, 15000), (30000, 30000, 0), (2000, 3000, 0)])
def test_true_up_fee(measured, licensed, fee):
    assert true_up_fee(measured, licensed) == fee
