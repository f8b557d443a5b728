"""Usage flags for staff: where the measured use of a republished article leaves the license's terms
(audience, term, domain), and the extra audience a true-up quote is priced on.

Only human views count here (bots are counted apart and never flag anything).

Beyond the licensed audience: the licensed audience is monthly (unique visitors, subscribers or
circulation), so the measure is the busiest 30 consecutive days of views. Views are not unique
visitors (one reader can load a page twice), so a flag says "look", not "overused"; it is raised
when that window's views exceed the audience by more than `tolerance_percent`.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

WINDOW_DAYS = 30
ENDED_STATUSES = ("revoked", "cancelled")
DEFAULT_MIN_DOMAIN_VIEWS = 10  # a few stray hits (a translation proxy, a web archive) are not a use


@dataclass(frozen=True)
class LicensedUse:
    audience: int
    start: date
    end: date | None  # None: perpetual
    status: str  # the license's status: active, expired, revoked, cancelled, pending_payment
    status_date: date | None  # the day the status last changed
    licensed_domain: str  # registrable domain of the licensed publication's URL
    allowed_domains: frozenset[str] = frozenset()  # others staff accepted (the licensee's AMP host, say)


@dataclass(frozen=True)
class DailyViews:
    day: date
    referrer_domain: str  # "" when the hit came without a referrer (e-mail, app, privacy setting)
    views: int


@dataclass(frozen=True)
class UsageFlag:
    kind: str  # over_audience, before_term, after_term, after_revocation, other_domain
    views: int
    first_day: date
    last_day: date
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrueUp:
    """The input of a true-up quote: price the use at `measured_audience` by the current rate card."""

    licensed_audience: int
    measured_audience: int
    extra_audience: int
    window_start: date
    window_end: date


def views_by_day(rows: Iterable[DailyViews]) -> dict[date, int]:
    totals: dict[date, int] = defaultdict(int)
    for row in rows:
        totals[row.day] += row.views
    return dict(sorted(totals.items()))


def views_by_domain(rows: Iterable[DailyViews]) -> list[tuple[str, int]]:
    """Domains by views, most first (ties by name)."""
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row.referrer_domain] += row.views
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def busiest_window(rows: Iterable[DailyViews], days: int = WINDOW_DAYS) -> tuple[date, date, int] | None:
    """The `days` consecutive days with the most views, as (first day, last day, views); the earliest
    such window on a tie; None without views. A window ends on a day that has views."""
    per_day = [(day, views) for day, views in views_by_day(rows).items() if views > 0]
    best: tuple[date, date, int] | None = None
    total = 0
    tail = 0
    for day, views in per_day:
        total += views
        while per_day[tail][0] <= day - timedelta(days=days):
            total -= per_day[tail][1]
            tail += 1
        if best is None or total > best[2]:
            best = (day - timedelta(days=days - 1), day, total)
    return best


def true_up(use: LicensedUse, rows: Iterable[DailyViews], tolerance_percent: int = 0) -> TrueUp | None:
    window = busiest_window(rows)
    if window is None:
        return None
    first, last, views = window
    if views * 100 <= use.audience * (100 + tolerance_percent):
        return None
    return TrueUp(use.audience, views, views - use.audience, first, last)


def _span(kind: str, rows: list[DailyViews]) -> UsageFlag | None:
    rows = [r for r in rows if r.views > 0]
    if not rows:
        return None
    return UsageFlag(kind, sum(r.views for r in rows), min(r.day for r in rows), max(r.day for r in rows))


def usage_flags(use: LicensedUse, rows: Iterable[DailyViews], tolerance_percent: int = 0,
                min_domain_views: int = DEFAULT_MIN_DOMAIN_VIEWS) -> list[UsageFlag]:
    rows = list(rows)
    flags: list[UsageFlag] = []
    extra = true_up(use, rows, tolerance_percent)
    if extra is not None:
        flags.append(UsageFlag("over_audience", extra.measured_audience, extra.window_start, extra.window_end))
    candidates = [
        _span("before_term", [r for r in rows if r.day < use.start]),
        _span("after_term", [r for r in rows if use.end is not None and r.day > use.end]),
        # On the day of a revocation the page may still have been within its rights: the day after counts.
        _span("after_revocation", [r for r in rows if use.status in ENDED_STATUSES
                                   and use.status_date is not None and r.day > use.status_date]),
    ]
    flags.extend(flag for flag in candidates if flag is not None)
    domain_flag = _other_domains(use, rows, min_domain_views)
    if domain_flag is not None:
        flags.append(domain_flag)
    return flags


def _other_domains(use: LicensedUse, rows: list[DailyViews], min_views: int) -> UsageFlag | None:
    allowed = {"", use.licensed_domain, *use.allowed_domains}
    totals = [(domain, views) for domain, views in views_by_domain(r for r in rows if r.referrer_domain not in allowed)
              if views >= min_views]
    if not totals:
        return None
    domains = {domain for domain, _ in totals}
    flagged = [r for r in rows if r.referrer_domain in domains and r.views > 0]
    return UsageFlag("other_domain", sum(views for _, views in totals), min(r.day for r in flagged),
                     max(r.day for r in flagged), tuple(domain for domain, _ in totals))


def true_up_fee(price_at_measured: int, price_at_licensed: int) -> int:
    """The extra fee in minor units: the current rate card's price for the measured audience less its
    price for the licensed one (so a rate card change since the license is not charged), never negative."""
    return max(0, price_at_measured - price_at_licensed)
