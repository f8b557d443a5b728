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
from invoices.billing.rules.bank_ids import check_bic, check_iban
from invoices.billing.rules.einvoice import (
    INVOICE,
    Address,
    EInvoice,
    Line,
    Party,
    PaymentMeans,
    build_cii,
    check,
    totals,
)
from invoices.billing.rules.einvoice_context import from_context, to_context
from invoices.billing.rules.tax import DEFAULT_TABLE, CountryTax, decide_tax
from invoices.billing.rules.vat_category import OUTSIDE_SCOPE, category_label, percent
from invoices.billing.rules.vat_ids import check_vat_id
from licensing.core.numbering import next_number
from licensing.core.places import countries
from licensing.core.settings import Settings

INVOICE_PREFIX = "INV"


@dataclass(frozen=True)
class Seller:
    name: str
    address: str  # as printed (one text)
    country: str
    vat_number: str
    bank_details: str
    address_lines: tuple[str, ...] = ()  # structured, for the XML
    city: str = ""
    postcode: str = ""
    company_number: str = ""
    legal_form: str = ""
    registered_office: str = ""
    iban: str = ""
    bic: str = ""
    card: bool = True  # card payment through the pay link

    @property
    def legal_info(self) -> str:
        """BT-33: legal form and registered office (UK company law wants both on invoices)."""
        return "; ".join(part for part in (self.legal_form, self.registered_office) if part)


@dataclass(frozen=True)
class Buyer:
    name: str
    contact: str
    email: str
    address: str  # address lines, one a line
    country: str
    vat_id: str
    city: str = ""
    postcode: str = ""
    reference: str = ""  # their reference or purchase-order number (BT-10)


@dataclass(frozen=True)
class LineInput:
    description: str
    unit_amount: int
    quantity: int = 1
    period_start: date | None = None  # the license term
    period_end: date | None = None


def seller_from_settings(settings: Settings) -> Seller:
    """The licensor as the settings describe it (IBAN and BIC normalised; checked at start)."""
    means = settings.payment_means()
    return Seller(
        settings.seller_name, settings.seller_address, settings.seller_country, settings.seller_vat_number,
        settings.seller_bank_details,
        address_lines=tuple(part.strip() for part in settings.seller_address_lines.split(";") if part.strip()),
        city=settings.seller_city, postcode=settings.seller_postcode, company_number=settings.seller_company_number,
        legal_form=settings.seller_legal_form, registered_office=settings.seller_registered_office,
        iban=check_iban(settings.seller_iban).value if "transfer" in means else "",
        bic=check_bic(settings.seller_bic).value if "transfer" in means else "", card="card" in means)


def check_seller_account(settings: Settings) -> None:
    """Run by Settings.check at start: a mistyped IBAN or BIC would send every payment astray."""
    if "transfer" not in settings.payment_means():
        return
    if not settings.seller_iban.strip():
        raise ValueError("SELLER_PAYMENT_MEANS includes transfer: set SELLER_IBAN")
    for name, result in (("SELLER_IBAN", check_iban(settings.seller_iban)), ("SELLER_BIC", check_bic(settings.seller_bic))):
        if result.error:
            raise ValueError(f"{name}: {result.error}")


def tax_table(session: Session) -> dict[str, CountryTax]:
    """The admins' country table; the built-in defaults where it has no entry."""
    table = {t.country: t for t in DEFAULT_TABLE}
    for row in session.scalars(select(TaxRate)):
        table[row.country] = CountryTax(row.country, row.name, row.rate_bp, row.eu)
    return table


def issue_invoice(session: Session, *, reference: str, seller: Seller, buyer: Buyer, lines: list[LineInput],
                  currency: str, issue_date: date, payment_terms_days: int = 14) -> Invoice:
    """Create and number an invoice in the current transaction (the caller commits). Its VAT is
    decided per EN 16931 category (reverse charge only with a VAT id that passes its check) and
    computed per category total, as the XML computes it, so the stored totals equal the XML's;
    the e-invoice is frozen on the invoice as plain values."""
    if not lines:
        raise ValueError("an invoice needs at least one line")
    decision = decide_tax(seller.country, buyer.country, buyer.vat_id, tax_table(session))
    checked = check_vat_id(buyer.vat_id, buyer.country)  # only a checked id goes into the XML
    number = next_number(session, "invoice", INVOICE_PREFIX, issue_date.year)
    due_date = issue_date + timedelta(days=payment_terms_days)
    invoice = Invoice(
        number=number, status="open", issue_date=issue_date,
        due_date=due_date, currency=currency, reference=reference,
        seller_name=seller.name, seller_address=seller.address, seller_country=seller.country,
        seller_vat_number=seller.vat_number, seller_bank_details=seller.bank_details,
        seller_company_number=seller.company_number,
        buyer_name=buyer.name, buyer_contact=buyer.contact, buyer_email=buyer.email, buyer_address=buyer.address,
        buyer_country=buyer.country, buyer_vat_id=buyer.vat_id, buyer_city=buyer.city, buyer_postcode=buyer.postcode,
        buyer_reference=buyer.reference, payment_terms_days=payment_terms_days,
    )
    e_lines = []
    for position, line in enumerate(lines, start=1):
        if line.unit_amount < 0 or line.quantity <= 0:
            raise ValueError("invoice lines need a positive quantity and an amount of zero or more")
        net = line.unit_amount * line.quantity
        invoice.lines.append(InvoiceLine(
            position=position, description=line.description, quantity=line.quantity,
            unit_amount=line.unit_amount, net_amount=net, tax_rule=decision.rule, tax_label=decision.label,
            tax_rate_bp=decision.rate_bp, tax_amount=decision.tax_on(net), tax_note=decision.note,
            vat_category=decision.category, exemption_reason=decision.exemption_reason,
            exemption_code=decision.exemption_code, unit_code="C62",
            period_start=line.period_start, period_end=line.period_end,
        ))
        e_lines.append(Line(line.description, line.quantity, line.unit_amount, net, decision.category,
                            decision.rate_bp, decision.exemption_reason, decision.exemption_code,
                            line.period_start, line.period_end))
    doc = EInvoice(
        number=number, type_code=INVOICE, issue_date=issue_date, currency=currency,
        seller=Party(seller.name, Address(seller.address_lines or (seller.address,), seller.city, seller.postcode,
                                          seller.country),
                     vat_id=seller.vat_number, company_id=seller.company_number, legal_info=seller.legal_info),
        buyer=Party(buyer.name, Address(tuple(buyer.address.splitlines()), buyer.city, buyer.postcode, buyer.country),
                    vat_id=checked.vat_id if checked.valid else "", email=buyer.email,
                    contact=buyer.contact),
        lines=tuple(e_lines), due_date=due_date, payment_terms=f"Payment due within {payment_terms_days} days.",
        payment=PaymentMeans(iban=seller.iban, bic=seller.bic, account_name=seller.name if seller.iban else "",
                             pay_url=pay_url(number) if seller.card else ""),
        buyer_reference=buyer.reference, contract_reference=reference,
        notes=(decision.note,) if decision.note else (), delivery_date=issue_date,
    )
    check(doc)  # refused now, not when its PDF is rendered: e.g. outside scope without a company number
    sums = totals(doc)
    invoice.subtotal, invoice.tax_total, invoice.total = sums.line_total, sums.vat_total, sums.grand_total
    invoice.vat_breakdown = [{"category": entry.category, "rate_bp": entry.rate_bp, "basis": entry.basis,
                              "vat": entry.vat, "exemption_reason": entry.exemption_reason,
                              "exemption_code": entry.exemption_code} for entry in sums.breakdown]
    invoice.einvoice = to_context(doc)
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


CATEGORY_NAMES = {"S": "Standard rate", "Z": "Zero rate", "AE": "Reverse charge", "O": "Outside scope",
                  "E": "Exempt"}


def einvoice_xml(context: dict) -> bytes:
    """The CII XML of a frozen e-invoice context (a Document's `einvoice`): byte for byte the same
    on every call, so the PDF's attachment, the XML download and `documents verify` agree."""
    return build_cii(from_context(context))


def pdf_context(doc: EInvoice, tax_name: str = "VAT") -> dict:
    """What the v3 layout prints of an invoice or credit note, all from its e-invoice (so the PDF
    and its XML cannot disagree), with the e-invoice itself frozen beside it."""
    sums = totals(doc)
    outside = all(line.category == OUTSIDE_SCOPE for line in doc.lines)  # BR-O-02/03: no VAT ids, no rate

    def party(p: Party, seller: bool) -> dict:
        return {"name": p.name, "contact": p.contact, "email": p.email, "address_lines": list(p.address.lines),
                "city": p.address.city, "postcode": p.address.postcode,
                "country": countries().get(p.address.country, p.address.country),
                "vat_number": "" if outside else p.vat_id, "company_number": p.company_id,
                "legal_info": p.legal_info if seller else ""}

    def rate(category: str, rate_bp: int) -> str:
        return "" if category == OUTSIDE_SCOPE else percent(rate_bp)

    return {
        "number": doc.number, "issued_on": doc.issue_date.isoformat(),
        "due_date": doc.due_date.isoformat() if doc.due_date else None, "currency": doc.currency,
        "seller": party(doc.seller, True), "buyer": party(doc.buyer, False),
        "buyer_reference": doc.buyer_reference, "purchase_order": doc.purchase_order,
        "lines": [{"description": line.description, "quantity": line.quantity, "unit_amount": line.unit_amount,
                   "net_amount": line.net_amount, "category": line.category, "rate": rate(line.category, line.rate_bp),
                   "tax_label": category_label(line.category, line.rate_bp, tax_name),
                   "category_name": CATEGORY_NAMES[line.category],
                   "period_start": line.period_start.isoformat() if line.period_start else None,
                   "period_end": line.period_end.isoformat() if line.period_end else None} for line in doc.lines],
        "breakdown": [{"category": entry.category, "rate": rate(entry.category, entry.rate_bp), "basis": entry.basis,
                       "vat": entry.vat, "reason": entry.exemption_reason} for entry in sums.breakdown],
        "subtotal": sums.line_total, "tax_total": sums.vat_total, "total": sums.grand_total,
        "notes": list(doc.notes), "outside_scope": outside,
        "payment": {"iban": doc.payment.iban, "bic": doc.payment.bic, "pay_url": doc.payment.pay_url}
        if doc.payment else None,
        "corrects": [{"number": ref.number, "issued_on": ref.issue_date.isoformat()} for ref in doc.corrects],
        "einvoice": to_context(doc),
    }


def tax_name_of(session: Session, country: str) -> str:
    entry = tax_table(session).get(country.upper())
    return entry.name if entry else "VAT"
