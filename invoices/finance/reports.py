"""Finance reports computed in SQL: ageing of open invoices and revenue by month, per currency.
Sums are grouped by day or by month range in the order of covering indexes, with no date
functions (which differ between SQLite and PostgreSQL and cost a call per row)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from invoices.billing.models import CreditNote, Invoice, Payment
from invoices.finance.rules import AgeingRow, bucket_for, days_past_due, empty_row
from licensing.core.bounds import parse_month as bounded_month

MAX_MONTHS = 60


def ageing_report(session: Session, today: date) -> list[AgeingRow]:
    """Open amounts and counts per currency in the buckets of invoices.ageing. SQL sums per
    (currency, due date), in the order of the covering summary index; the pure bucket rule does
    the rest on those few hundred rows, so the report and the rule cannot disagree."""
    rows = session.execute(select(Invoice.currency, Invoice.due_date, func.count(), func.sum(Invoice.total))
                           .where(Invoice.status == "open").group_by(Invoice.currency, Invoice.due_date)).all()
    summed: dict[str, AgeingRow] = {}
    for currency, due, count, amount in rows:
        row = summed.setdefault(currency, empty_row(currency))
        key = bucket_for(days_past_due(due, today))
        row.counts[key] += int(count)
        row.amounts[key] += int(amount or 0)
    return [summed[c] for c in sorted(summed)]


# ------------------------------------------------------------------------------------ revenue by month

@dataclass
class MonthRow:
    month: str  # YYYY-MM
    issued: int = 0
    issued_count: int = 0
    collected: int = 0
    refunded: int = 0
    voided: int = 0

    @property
    def net(self) -> int:
        """Money kept: collected less refunded."""
        return self.collected - self.refunded


def parse_month(text: str) -> date | None:
    """YYYY-MM within 1900-2999 (bounds.parse_month): a period can always be stepped a year on."""
    return bounded_month(text)


def add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[str]:
    """'YYYY-MM' of every month from `first` to `last` (both first days of a month), inclusive."""
    months, current = [], first
    while current <= last:
        months.append(f"{current:%Y-%m}")
        current = add_months(current, 1)
    return months


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months, this one included."""
    last = today.replace(day=1)
    return add_months(last, -11), last


def _by_day(session: Session, day, amount, currency, *where):
    """(day, currency, count, sum) of a date column: grouped in the order of a covering index, so no
    per-row date function and no sorting; the few hundred days are folded into months in Python."""
    return session.execute(select(day, currency, func.count(), func.sum(amount)).where(*where)
                           .group_by(day, currency)).all()


def _payments_by_month(session: Session, months: list[date]):
    """Payments carry a timestamp: one range query per month on the (paid_at, currency, amount) index."""
    found = []
    for month in months:
        start = datetime.combine(month, datetime.min.time())
        end = datetime.combine(add_months(month, 1), datetime.min.time())
        found += [(month, currency, n, total) for currency, n, total in session.execute(
            select(Payment.currency, func.count(), func.sum(Payment.amount))
            .where(Payment.paid_at >= start, Payment.paid_at < end).group_by(Payment.currency))]
    return found


def revenue_by_month(session: Session, first: date, last: date) -> dict[str, list[MonthRow]]:
    """Per currency, one row per month from `first` to `last` (first days of months): invoices
    issued (every status: a void shows in the month of its credit note), payments collected,
    refund and void credit notes issued."""
    end = add_months(last, 1)
    months = months_between(first, last)
    table: dict[str, dict[str, MonthRow]] = {}

    def put(rows, what: str, with_count: bool = False) -> None:
        for day, currency, count, amount in rows:
            row = table.setdefault(currency, {k: MonthRow(k) for k in months})[f"{day:%Y-%m}"]
            setattr(row, what, getattr(row, what) + int(amount or 0))
            if with_count:
                row.issued_count += int(count)

    put(_by_day(session, Invoice.issue_date, Invoice.total, Invoice.currency,
                Invoice.issue_date >= first, Invoice.issue_date < end), "issued", with_count=True)
    put(_payments_by_month(session, [parse_month(m) for m in months]), "collected")
    for kind, what in (("refund", "refunded"), ("void", "voided")):
        put(_by_day(session, CreditNote.issue_date, CreditNote.total, CreditNote.currency,
                    CreditNote.kind == kind, CreditNote.issue_date >= first, CreditNote.issue_date < end), what)
    return {currency: list(table[currency].values()) for currency in sorted(table)}
