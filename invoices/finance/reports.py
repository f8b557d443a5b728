"""Finance reports computed in SQL: ageing of open invoices and revenue by month (including and
excluding VAT), per currency. Sums are grouped by day or by month range in the order of indexes,
with no date functions (which differ between SQLite and PostgreSQL and cost a call per row)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from invoices.billing.models import CreditNote, Invoice, Payment
from invoices.finance.rules import AgeingRow, bucket_for, days_past_due, empty_row
from licensing.core.bounds import parse_month as bounded_month
from licensing.core.csvstream import write_csv
from licensing.core.money import decimal_string

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
    """One month's figures in minor units: each including VAT (as invoiced and paid) and, beside it,
    `_ex_vat` excluding it (the stored net of the invoices and credit notes)."""

    month: str  # YYYY-MM
    issued: int = 0
    issued_ex_vat: int = 0
    issued_count: int = 0
    collected: int = 0
    collected_ex_vat: int = 0
    refunded: int = 0
    refunded_ex_vat: int = 0
    voided: int = 0
    voided_ex_vat: int = 0

    @property
    def net(self) -> int:
        """Money kept: collected less refunded."""
        return self.collected - self.refunded

    @property
    def net_ex_vat(self) -> int:
        return self.collected_ex_vat - self.refunded_ex_vat


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


def _by_day(session: Session, day, currency, amounts, *where):
    """(day, currency, count, sum of each of `amounts`) of a date column: grouped by the leading
    columns of a revenue index, so no per-row date function and no sorting; the few hundred days
    are folded into months in Python."""
    return session.execute(select(day, currency, func.count(), *(func.sum(a) for a in amounts)).where(*where)
                           .group_by(day, currency)).all()


def _payments_by_month(session: Session, months: list[date]):
    """Payments carry a timestamp: one range query per month on the paid_at index. A payment is
    always of its invoice's whole total (a card payment of another amount is flagged, not recorded;
    a bank transfer is recorded at the total), so its amount excluding VAT is its invoice's stored
    subtotal, looked up by primary key for each payment (joined, PostgreSQL would rather read every
    invoice once a month)."""
    subtotal = select(Invoice.subtotal).where(Invoice.id == Payment.invoice_id).scalar_subquery()
    found = []
    for month in months:
        start = datetime.combine(month, datetime.min.time())
        end = datetime.combine(add_months(month, 1), datetime.min.time())
        found += [(month, currency, n, total, net) for currency, n, total, net in session.execute(
            select(Payment.currency, func.count(), func.sum(Payment.amount), func.sum(subtotal))
            .where(Payment.paid_at >= start, Payment.paid_at < end).group_by(Payment.currency))]
    return found


def revenue_by_month(session: Session, first: date, last: date) -> dict[str, list[MonthRow]]:
    """Per currency, one row per month from `first` to `last` (first days of months): invoices
    issued (every status: a void shows in the month of its credit note), payments collected,
    refund and void credit notes issued; each including and excluding VAT."""
    end = add_months(last, 1)
    months = months_between(first, last)
    table: dict[str, dict[str, MonthRow]] = {}

    def put(rows, what: str, with_count: bool = False) -> None:
        for day, currency, count, amount, ex_vat in rows:
            row = table.setdefault(currency, {k: MonthRow(k) for k in months})[f"{day:%Y-%m}"]
            setattr(row, what, getattr(row, what) + int(amount or 0))
            setattr(row, f"{what}_ex_vat", getattr(row, f"{what}_ex_vat") + int(ex_vat or 0))
            if with_count:
                row.issued_count += int(count)

    put(_by_day(session, Invoice.issue_date, Invoice.currency, (Invoice.total, Invoice.subtotal),
                Invoice.issue_date >= first, Invoice.issue_date < end), "issued", with_count=True)
    put(_payments_by_month(session, [parse_month(m) for m in months]), "collected")
    for kind, what in (("refund", "refunded"), ("void", "voided")):
        put(_by_day(session, CreditNote.issue_date, CreditNote.currency, (CreditNote.total, CreditNote.subtotal),
                    CreditNote.kind == kind, CreditNote.issue_date >= first, CreditNote.issue_date < end), what)
    return {currency: list(table[currency].values()) for currency in sorted(table)}


MONTH_COLUMNS = ("currency", "month", "invoices", "invoiced_excl_vat", "invoiced_incl_vat", "collected_excl_vat",
                 "collected_incl_vat", "refunded_excl_vat", "refunded_incl_vat", "voided_excl_vat", "voided_incl_vat",
                 "net_excl_vat", "net_incl_vat")


def revenue_csv(table: dict[str, list[MonthRow]]) -> Iterator[str]:
    """The revenue by month table as CSV: amounts as plain decimals, excluding then including VAT."""
    def rows() -> Iterator[list[str]]:
        for currency, months in table.items():
            for m in months:
                yield [currency, m.month, str(m.issued_count), *(decimal_string(v, currency) for v in (
                    m.issued_ex_vat, m.issued, m.collected_ex_vat, m.collected, m.refunded_ex_vat, m.refunded,
                    m.voided_ex_vat, m.voided, m.net_ex_vat, m.net))]

    return write_csv(MONTH_COLUMNS, rows())
