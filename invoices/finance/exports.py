"""CSV exports for the accountant: invoices (as filtered in the list), payments and credit notes.
Amounts are decimal strings in the currency's own minor units (no grouping, a dot), the currency
in its own column, dates ISO 8601, and text cells guarded against formula injection. Streamed in
batches, so 100,000 rows never sit in memory."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from invoices.billing.models import CreditNote, Invoice, InvoiceLine, Payment, Refund
from invoices.finance.queries import SORTS, InvoiceFilters, conditions, is_sqlite, tab_condition
from licensing.core.bounds import parse_day
from licensing.core.csvstream import csv_safe, write_csv
from licensing.core.money import decimal_string

INVOICE_COLUMNS = ("number", "issue_date", "due_date", "status", "currency", "net", "tax", "total", "paid",
                   "refunded", "outstanding", "tax_rule", "tax_label", "customer", "customer_email",
                   "customer_country", "customer_vat_id", "reference", "paid_on")
PAYMENT_COLUMNS = ("payment_id", "paid_on", "recorded_at", "invoice_number", "customer", "method", "reference",
                   "payment_intent", "charge", "currency", "amount")
CREDIT_NOTE_COLUMNS = ("number", "issue_date", "kind", "invoice_number", "customer", "customer_vat_id", "currency",
                       "net", "tax", "total", "reason", "refund_status")
BATCH = 1000


def _iso(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    return value.isoformat()


def _first_line(column):
    return (select(column).where(InvoiceLine.invoice_id == Invoice.id).order_by(InvoiceLine.position)
            .limit(1).scalar_subquery())


def invoices_query(session: Session, filters: InvoiceFilters, today: date) -> Select:
    """The rows of the invoices export (the session only tells the dialect)."""
    return (select(Invoice.number, Invoice.issue_date, Invoice.due_date, Invoice.status, Invoice.currency,
                   Invoice.subtotal, Invoice.tax_total, Invoice.total, Invoice.refunded_amount,
                   _first_line(InvoiceLine.tax_rule), _first_line(InvoiceLine.tax_label), Invoice.buyer_name,
                   Invoice.buyer_email, Invoice.buyer_country, Invoice.buyer_vat_id, Invoice.reference,
                   Invoice.paid_at)
            .where(*conditions(filters, is_sqlite(session)), tab_condition(filters.tab, today))
            .order_by(*SORTS[filters.sort]))


def invoices_csv(session: Session, stmt: Select) -> Iterator[str]:
    def rows() -> Iterator[list[str]]:
        for (number, issued, due, status, cur, net, tax, total, refunded, rule, label, name, email, country, vat,
             reference, paid_at) in session.execute(stmt.execution_options(yield_per=BATCH)):
            def money(amount, cur=cur) -> str:
                return decimal_string(int(amount), cur)

            yield [number, _iso(issued), _iso(due), status, cur, money(net), money(tax), money(total),
                   money(total if status == "paid" else 0), money(refunded), money(total if status == "open" else 0),
                   csv_safe(rule), csv_safe(label), csv_safe(name), csv_safe(email), country, csv_safe(vat),
                   csv_safe(reference), _iso(paid_at.date()) if paid_at else ""]

    return write_csv(INVOICE_COLUMNS, rows())


@dataclass
class Period:
    """The export form's period and currency, kept as typed."""

    date_from: str = ""
    date_to: str = ""
    currency: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> Period:
        period = cls((args.get("from", "") or "").strip()[:10], (args.get("to", "") or "").strip()[:10],
                     (args.get("currency", "") or "").strip()[:3].upper())
        for name, label in (("date_from", "from"), ("date_to", "to")):
            value = getattr(period, name)
            if value and parse_day(value) is None:
                period.errors[name] = f"Enter the '{label}' date as YYYY-MM-DD."
        if period.currency and not (len(period.currency) == 3 and period.currency.isalpha()):
            period.errors["currency"] = "Enter a three-letter currency code such as GBP."
        if not period.errors and period.start and period.end and period.start > period.end:
            period.errors["date_to"] = "The 'to' date is before the 'from' date."
        return period

    @property
    def start(self) -> date | None:
        return date.fromisoformat(self.date_from) if self.date_from and "date_from" not in self.errors else None

    @property
    def end(self) -> date | None:
        return date.fromisoformat(self.date_to) if self.date_to and "date_to" not in self.errors else None


def payments_query(period: Period) -> Select:
    stmt = (select(Payment.id, Payment.paid_at, Payment.recorded_at, Invoice.number, Invoice.buyer_name,
                   Payment.method, Payment.reference, Payment.payment_intent_id, Payment.charge_id, Payment.currency,
                   Payment.amount).join(Invoice, Payment.invoice_id == Invoice.id)
            .order_by(Payment.paid_at, Payment.id))
    if period.start:
        stmt = stmt.where(Payment.paid_at >= datetime.combine(period.start, datetime.min.time()))
    if period.end:
        stmt = stmt.where(Payment.paid_at < datetime.combine(period.end + timedelta(days=1), datetime.min.time()))
    if period.currency:
        stmt = stmt.where(Payment.currency == period.currency)
    return stmt


def payments_csv(session: Session, stmt: Select) -> Iterator[str]:
    def rows() -> Iterator[list[str]]:
        for pid, paid_at, recorded, number, name, method, ref, intent, charge, cur, amount in session.execute(
                stmt.execution_options(yield_per=BATCH)):
            yield [str(pid), _iso(paid_at.date()), _iso(recorded), number, csv_safe(name), method, csv_safe(ref),
                   csv_safe(intent), csv_safe(charge), cur, decimal_string(int(amount), cur)]

    return write_csv(PAYMENT_COLUMNS, rows())


def credit_notes_query(period: Period) -> Select:
    stmt = (select(CreditNote.number, CreditNote.issue_date, CreditNote.kind, Invoice.number, Invoice.buyer_name,
                   Invoice.buyer_vat_id, CreditNote.currency, CreditNote.subtotal, CreditNote.tax_total,
                   CreditNote.total, CreditNote.reason, Refund.status)
            .join(Invoice, CreditNote.invoice_id == Invoice.id)
            .outerjoin(Refund, Refund.credit_note_id == CreditNote.id)
            .order_by(CreditNote.issue_date, CreditNote.id))
    if period.start:
        stmt = stmt.where(CreditNote.issue_date >= period.start)
    if period.end:
        stmt = stmt.where(CreditNote.issue_date <= period.end)
    if period.currency:
        stmt = stmt.where(CreditNote.currency == period.currency)
    return stmt


def credit_notes_csv(session: Session, stmt: Select) -> Iterator[str]:
    def rows() -> Iterator[list[str]]:
        for number, issued, kind, invoice, name, vat, cur, net, tax, total, reason, refund_status in session.execute(
                stmt.execution_options(yield_per=BATCH)):
            yield [number, _iso(issued), kind, invoice, csv_safe(name), csv_safe(vat), cur,
                   decimal_string(int(net), cur), decimal_string(int(tax), cur), decimal_string(int(total), cur),
                   csv_safe(reason), refund_status or ""]

    return write_csv(CREDIT_NOTE_COLUMNS, rows())
