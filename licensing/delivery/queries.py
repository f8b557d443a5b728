"""A license's measured use: views by day and by referrer domain, and the flags they raise."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from licensing.delivery.models import (
    AcceptedDomain,
    TrueUpQuote,
    UsageDaily,
)
from licensing.delivery.rules.flags import DailyViews, LicensedUse, UsageFlag, true_up, usage_flags
from licensing.delivery.rules.pixel import registrable_domain
from licensing.licenses.models import License

# ---------------------------------------------------------------- usage and flags


def usage_rows(session: Session, license_id: int) -> list[UsageDaily]:
    return list(session.scalars(select(UsageDaily).where(UsageDaily.license_id == license_id)
                                .order_by(UsageDaily.day, UsageDaily.referrer_domain)))


def accepted_domains(session: Session, license_id: int) -> list[AcceptedDomain]:
    return list(session.scalars(select(AcceptedDomain).where(AcceptedDomain.license_id == license_id)
                                .order_by(AcceptedDomain.domain)))


def covered_audience(session: Session, lic: License) -> int:
    """The audience the licensee has paid for: the license's, raised to the measured audience of its
    largest paid true-up (the extra use was bought, so it raises no flag and no second quote)."""
    trued_up = session.scalar(select(func.max(TrueUpQuote.measured_audience))
                              .where(TrueUpQuote.license_id == lic.id, TrueUpQuote.status == "paid"))
    return max(lic.audience, trued_up or 0)


def licensed_use(session: Session, lic: License, accepted: list[AcceptedDomain] | None = None) -> LicensedUse:
    """The license's terms as the usage flags read them; `accepted`: its accepted domains, when the
    caller has read them already."""
    host = urlsplit(lic.publication_url or "").hostname or ""
    allowed = current_app.config["SETTINGS"].usage_allowed_domain_set()
    allowed |= {a.domain for a in (accepted_domains(session, lic.id) if accepted is None else accepted)}
    return LicensedUse(audience=covered_audience(session, lic), start=lic.start_date, end=lic.end_date,
                       status=lic.status,
                       status_date=lic.status_changed_at.date() if lic.status_changed_at else None,
                       licensed_domain=registrable_domain(host) if host else "", allowed_domains=frozenset(allowed))


def daily_views(rows: list[UsageDaily]) -> list[DailyViews]:
    return [DailyViews(r.day, r.referrer_domain, r.views) for r in rows]


@dataclass(frozen=True)
class Usage:
    total_views: int
    bot_views: int
    by_day: list[tuple[date, int, int]]  # day, views, bot views
    by_domain: list[tuple[str, int]]
    flags: list[UsageFlag]
    licensed_audience: int  # raised by a paid true-up
    measured_audience: int  # the busiest 30 days' views
    true_ups: list[TrueUpQuote]
    accepted_domains: list[AcceptedDomain]


def usage_of(session: Session, lic: License) -> Usage:
    rows = usage_rows(session, lic.id)
    per_day: dict[date, list[int]] = {}
    per_domain: dict[str, int] = {}
    for r in rows:
        day = per_day.setdefault(r.day, [0, 0])
        day[0] += r.views
        day[1] += r.bot_views
        per_domain[r.referrer_domain] = per_domain.get(r.referrer_domain, 0) + r.views
    views = daily_views(rows)
    accepted = accepted_domains(session, lic.id)
    use = licensed_use(session, lic, accepted)
    extra = true_up(LicensedUse(0, lic.start_date, None, "active", None, ""), views)
    quotes = list(session.scalars(select(TrueUpQuote).where(TrueUpQuote.license_id == lic.id)
                                  .order_by(TrueUpQuote.id)))
    return Usage(
        total_views=sum(r.views for r in rows), bot_views=sum(r.bot_views for r in rows),
        by_day=[(d, v[0], v[1]) for d, v in sorted(per_day.items())],
        by_domain=sorted(per_domain.items(), key=lambda item: (-item[1], item[0])),
        flags=usage_flags(use, views), licensed_audience=use.audience,
        measured_audience=extra.measured_audience if extra else 0, true_ups=quotes,
        accepted_domains=accepted,
    )


def usage_json(usage: Usage) -> dict:
    return {
        "views": usage.total_views, "bot_views": usage.bot_views,
        "licensed_audience": usage.licensed_audience, "measured_audience_30_days": usage.measured_audience,
        "by_day": [{"day": d.isoformat(), "views": v, "bot_views": b} for d, v, b in usage.by_day],
        "by_referrer_domain": [{"domain": d, "views": v} for d, v in usage.by_domain],
        "flags": [{"kind": f.kind, "views": f.views, "first_day": f.first_day.isoformat(),
                   "last_day": f.last_day.isoformat(), "domains": list(f.domains)} for f in usage.flags],
        "true_ups": [{"status": q.status, "amount": q.amount, "currency": q.currency,
                      "invoice_number": q.invoice_number} for q in usage.true_ups],
    }
