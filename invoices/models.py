"""Typed models of billing: invoices and their lines, tax rates, document number counters."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from licensing.db import Base, utcnow

INVOICE_STATUSES = ("open", "paid", "void", "uncollectible")


class DocumentSequence(Base):
    """The last number given to a kind of document in a calendar year (locked to allocate)."""

    __tablename__ = "document_sequences"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (CheckConstraint("last_value >= 0", name="last_value_not_negative"),)


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
    payment_terms_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime)

    lines: Mapped[list["InvoiceLine"]] = relationship(back_populates="invoice", order_by="InvoiceLine.position",
                                                      cascade="all")

    __table_args__ = (
        CheckConstraint("status IN ('open', 'paid', 'void', 'uncollectible')", name="status_known"),
        CheckConstraint("subtotal >= 0 AND tax_total >= 0", name="amounts_not_negative"),
        CheckConstraint("total = subtotal + tax_total", name="total_adds_up"),
        CheckConstraint("due_date >= issue_date", name="due_after_issue"),
    )

    MUTABLE = frozenset({"status", "paid_at", "status_changed_at"})


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

    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("net_amount = quantity * unit_amount", name="net_adds_up"),
        CheckConstraint("tax_amount >= 0 AND net_amount >= 0", name="amounts_not_negative"),
    )

    MUTABLE: frozenset[str] = frozenset()
