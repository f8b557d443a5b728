"""Typed models of billing: invoices and their lines, tax rates, document number counters."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from licensing.core.db import Base, ImmutableError, utcnow


class TaxRate(Base):
    """A country's VAT, editable by admins; the rule applied is copied onto each invoice line."""

    __tablename__ = "tax_rates"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    rate_bp: Mapped[int] = mapped_column(Integer)
    eu: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (CheckConstraint("rate_bp >= 0 AND rate_bp <= 10000", name="rate_in_range"),)


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column(BigInteger)
    tax_total: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(40), index=True)  # what it bills, e.g. a license number
    seller_name: Mapped[str] = mapped_column(String(200))
    seller_address: Mapped[str] = mapped_column(Text)
    seller_country: Mapped[str] = mapped_column(String(2))
    seller_vat_number: Mapped[str] = mapped_column(String(40))
    seller_bank_details: Mapped[str] = mapped_column(Text)
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_contact: Mapped[str] = mapped_column(String(200))
    buyer_email: Mapped[str] = mapped_column(String(320))
    buyer_address: Mapped[str] = mapped_column(Text, default="")
    buyer_country: Mapped[str] = mapped_column(String(2))
    buyer_vat_id: Mapped[str] = mapped_column(String(40), default="")
    # EN 16931's data, frozen at issue (migration 0009): the buyer's structured address (address
    # lines in buyer_address, one a line), their reference or purchase order, the seller's company
    # number, the VAT breakdown per category and rate (BG-23), and the whole e-invoice as plain
    # values (einvoice_context.to_context), which the XML and every credit note are built from.
    buyer_city: Mapped[str] = mapped_column(String(100), default="")
    buyer_postcode: Mapped[str] = mapped_column(String(20), default="")
    buyer_reference: Mapped[str] = mapped_column(String(200), default="")
    seller_company_number: Mapped[str] = mapped_column(String(40), default="")
    vat_breakdown: Mapped[list | None] = mapped_column(JSON)
    einvoice: Mapped[dict | None] = mapped_column(JSON)
    payment_terms_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(100))
    payment_intent_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reason: Mapped[str] = mapped_column(Text, default="")

    lines: Mapped[list[InvoiceLine]] = relationship(back_populates="invoice", order_by="InvoiceLine.position",
                                                      cascade="all")
    events: Mapped[list[InvoiceEvent]] = relationship(order_by="InvoiceEvent.id", viewonly=True)
    payments: Mapped[list[Payment]] = relationship(order_by="Payment.id", viewonly=True)
    credit_notes: Mapped[list[CreditNote]] = relationship(order_by="CreditNote.id", viewonly=True)

    __table_args__ = (
        CheckConstraint("status IN ('open', 'paid', 'void', 'uncollectible')", name="status_known"),
        CheckConstraint("subtotal >= 0 AND tax_total >= 0", name="amounts_not_negative"),
        CheckConstraint("total = subtotal + tax_total", name="total_adds_up"),
        CheckConstraint("due_date >= issue_date", name="due_after_issue"),
        CheckConstraint("refunded_amount >= 0 AND refunded_amount <= total", name="refunds_within_total"),
        Index("ix_invoices_status_due_date", "status", "due_date"),
        # The finance list and reports at 100,000 invoices (bench/finance_bench.py): a page's ids
        # per tab in date or amount order from an index alone (deep pages too), and counts and sums
        # per status and currency (ageing too) from one covering index, never from the wide rows.
        Index("ix_invoices_status_issue_date", "status", "issue_date", "id"),
        Index("ix_invoices_issue_date", "issue_date", "id"),
        Index("ix_invoices_status_total", "status", "total", "id"),
        Index("ix_invoices_summary", "status", "currency", "due_date", "total", "refunded_amount"),
        # Searching by customer, e-mail or country: a narrow covering index scanned instead of the rows
        # (SQLite), and trigram indexes answering `ILIKE '%text%'` (PostgreSQL only).
        Index("ix_invoices_revenue", "issue_date", "currency", "total"),  # revenue by month
        Index("ix_invoices_customer", "buyer_name", "buyer_email", "buyer_country", "status", "currency",
              "due_date", "total", "refunded_amount"),
        Index("ix_invoices_buyer_name_trgm", "buyer_name", postgresql_using="gin",
              postgresql_ops={"buyer_name": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
        Index("ix_invoices_buyer_email_trgm", "buyer_email", postgresql_using="gin",
              postgresql_ops={"buyer_email": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    )

    MUTABLE = frozenset({"status", "paid_at", "status_changed_at", "stripe_customer_id", "payment_intent_id",
                         "refunded_amount", "flagged", "flag_reason"})

    @property
    def open_amount(self) -> int:
        return self.total if self.status == "open" else 0


# The finance list's search by a customer's e-mail, whatever its case (SQLite and PostgreSQL alike).
Index("ix_invoices_buyer_email_lower", func.lower(Invoice.buyer_email))


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_amount: Mapped[int] = mapped_column(BigInteger)
    net_amount: Mapped[int] = mapped_column(BigInteger)
    tax_rule: Mapped[str] = mapped_column(String(30))
    tax_label: Mapped[str] = mapped_column(String(60))
    tax_rate_bp: Mapped[int] = mapped_column(Integer)
    tax_amount: Mapped[int] = mapped_column(BigInteger)
    tax_note: Mapped[str] = mapped_column(Text, default="")
    vat_category: Mapped[str] = mapped_column(String(2), default="S")  # S, Z, AE, O, E
    exemption_reason: Mapped[str] = mapped_column(Text, default="")  # BT-120
    exemption_code: Mapped[str] = mapped_column(String(30), default="")  # BT-121 (VATEX)
    unit_code: Mapped[str] = mapped_column(String(3), default="C62")  # one license
    period_start: Mapped[date | None] = mapped_column(Date)  # the license term (BG-26)
    period_end: Mapped[date | None] = mapped_column(Date)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("net_amount = quantity * unit_amount", name="net_adds_up"),
        CheckConstraint("tax_amount >= 0 AND net_amount >= 0", name="amounts_not_negative"),
    )

    MUTABLE: frozenset[str] = frozenset()


class InvoiceEvent(Base):
    """Append-only timeline of an invoice: issued, payment attempts and failures, paid, refunds."""

    __tablename__ = "invoice_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(320), default="system")
    data: Mapped[dict | None] = mapped_column(JSON)


class Payment(Base):
    """Money received for an invoice (Stripe or bank transfer)."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))  # stripe, bank_transfer
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    payment_intent_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    charge_id: Mapped[str | None] = mapped_column(String(100))
    reference: Mapped[str] = mapped_column(String(200), default="")
    paid_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("method IN ('stripe', 'bank_transfer')", name="method_known"),
        Index("ix_payments_revenue", "paid_at", "currency", "amount"),  # revenue by month, from the index alone
    )

    MUTABLE: frozenset[str] = frozenset()


class StripeEvent(Base):
    """Every webhook event, stored by its id before it is processed: a repeat is recognised."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime)
    object_id: Mapped[str] = mapped_column(String(100), default="", index=True)
    result: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict] = mapped_column(JSON)


class CreditNote(Base):
    """A credit note (CN-YYYY-NNNNN, gapless per year) for a refund or a void."""

    __tablename__ = "credit_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    issue_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column(BigInteger)
    tax_total: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))  # refund, void
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    einvoice: Mapped[dict | None] = mapped_column(JSON)  # the 381 as plain values (None before 0009)

    invoice: Mapped[Invoice] = relationship(viewonly=True)

    __table_args__ = (
        CheckConstraint("total = subtotal + tax_total", name="total_adds_up"),
        CheckConstraint("total > 0 AND subtotal >= 0 AND tax_total >= 0", name="amounts_positive"),
        CheckConstraint("kind IN ('refund', 'void')", name="kind_known"),
        Index("ix_credit_notes_revenue", "issue_date", "currency", "kind", "total"),
    )

    MUTABLE: frozenset[str] = frozenset()


class Refund(Base):
    """A refund: recorded first (with its credit note), then carried out at Stripe, retried until done."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    credit_note_id: Mapped[int] = mapped_column(ForeignKey("credit_notes.id"), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(20))  # stripe, manual
    status: Mapped[str] = mapped_column(String(20), default="pending")
    stripe_refund_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)

    credit_note: Mapped[CreditNote] = relationship(viewonly=True)

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status_known"),
    )


class InvoiceReminder(Base):
    """An overdue reminder sent for an invoice: the unique (invoice, day) pair makes each one go
    out once, however often (or concurrently) the daily run happens."""

    __tablename__ = "invoice_reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    day: Mapped[int] = mapped_column(Integer)  # days after the due date
    sent_to: Mapped[str] = mapped_column(String(320))
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("invoice_id", "day"),
        CheckConstraint("day > 0", name="day_positive"),
    )


@event.listens_for(Session, "before_flush")
def _no_lines_added_to_issued_invoices(session: Session, _context, _instances) -> None:
    """The guard in licensing.db sees changed and deleted rows; a line added to an invoice that is
    already stored would change its total just as much."""
    for obj in session.new:
        if not isinstance(obj, InvoiceLine):
            continue
        invoice = obj.invoice if obj.invoice is not None else (
            session.get(Invoice, obj.invoice_id) if obj.invoice_id is not None else None)
        if invoice is not None and inspect(invoice).has_identity:
            raise ImmutableError(f"Invoice {invoice.number} is issued: lines cannot be added")
