"""Issuing invoices: numbering, tax per line, totals. Called inside the caller's transaction
(for example an approval), so the invoice and whatever it bills commit together or not at all."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from invoices.billing.models import Invoice, InvoiceLine, TaxRate
from invoices.billing.rules.tax import DEFAULT_TABLE, CountryTax, decide_tax
from licensing.core.numbering import next_number

INVOICE_PREFIX = "INV"


@dataclass(frozen=True)
class Seller:
    name: str
    address: str
    country: str
    vat_number: str
    bank_details: str


@dataclass(frozen=True)
class Buyer:
    name: str
    contact: str
    email: str
    address: str
    country: str
    vat_id: str


@dataclass(frozen=True)
class LineInput:
    description: str
    unit_amount: int
    quantity: int = 1


def tax_table(session: Session) -> dict[str, CountryTax]:
    """The admins' country table; the built-in defaults where it has no entry."""
    table = {t.country: t for t in DEFAULT_TABLE}
    for row in session.scalars(select(TaxRate)):
        table[row.country] = CountryTax(row.country, row.name, row.rate_bp, row.eu)
    return table


def issue_invoice(session: Session, *, reference: str, seller: Seller, buyer: Buyer, lines: list[LineInput],
                  currency: str, issue_date: date, payment_terms_days: int = 14) -> Invoice:
    """Create and number an invoice in the current transaction (the caller commits)."""
    if not lines:
        raise ValueError("an invoice needs at least one line")
    decision = decide_tax(seller.country, buyer.country, buyer.vat_id, tax_table(session))
    invoice = Invoice(
        number=next_number(session, "invoice", INVOICE_PREFIX, issue_date.year), status="open", issue_date=issue_date,
        due_date=issue_date + timedelta(days=payment_terms_days), currency=currency, reference=reference,
        seller_name=seller.name, seller_address=seller.address, seller_country=seller.country,
        seller_vat_number=seller.vat_number, seller_bank_details=seller.bank_details,
        buyer_name=buyer.name, buyer_contact=buyer.contact, buyer_email=buyer.email, buyer_address=buyer.address,
        buyer_country=buyer.country, buyer_vat_id=buyer.vat_id, payment_terms_days=payment_terms_days,
    )
    subtotal = tax_total = 0
    for position, line in enumerate(lines, start=1):
        if line.unit_amount < 0 or line.quantity <= 0:
            raise ValueError("invoice lines need a positive quantity and an amount of zero or more")
        net = line.unit_amount * line.quantity
        tax = decision.tax_on(net)
        invoice.lines.append(InvoiceLine(
            position=position, description=line.description, quantity=line.quantity,
            unit_amount=line.unit_amount, net_amount=net, tax_rule=decision.rule, tax_label=decision.label,
            tax_rate_bp=decision.rate_bp, tax_amount=tax, tax_note=decision.note,
        ))
        subtotal += net
        tax_total += tax
    invoice.subtotal, invoice.tax_total, invoice.total = subtotal, tax_total, subtotal + tax_total
    session.add(invoice)
    session.flush()
    return invoice


def payment_token(secret_key: str, invoice_number: str) -> str:
    """The secret part of an invoice's payment link (derived, so nothing more is stored)."""
    return hmac.new(secret_key.encode(), f"pay:{invoice_number}".encode(), hashlib.sha256).hexdigest()[:32]


def pay_url(invoice_number: str) -> str:
    """The licensee's link to pay an invoice: PUBLIC_BASE_URL, never the request's host."""
    base = current_app.config["SETTINGS"].public_base_url.rstrip("/")
    return f"{base}/pay/{invoice_number}/{payment_token(current_app.config['SECRET_KEY'], invoice_number)}"
