"""The EN 16931 credit note (381) that corrects an invoice, derived from the invoice's own
EInvoice (pure): the same seller, buyer, VAT category, rate, exemption reason, tax wording and
license term, the invoice's number and issue date (BG-3), and the net and VAT of the refund as
refund_split gives them. A full refund credits the invoice's own lines."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from .einvoice import CREDIT_NOTE, EInvoice, InvoiceReference
from .refund_split import RefundSplit
from .vat_category import vat_on

REFUNDED = "Refunded to the card or account that paid the invoice."
VOIDED = "The invoice was voided before it was paid: nothing is to be paid or refunded."


def credit_note_for(invoice: EInvoice, *, number: str, issue_date: date, split: RefundSplit, reason: str,
                    kind: str = "refund") -> EInvoice:
    """`split` is the credit note's net and VAT; equal to the invoice's totals, it is a full credit."""
    if kind not in ("refund", "void"):
        raise ValueError("a credit note is for a refund or a void")
    rates = {(line.category, line.rate_bp) for line in invoice.lines}
    if len(rates) != 1:
        raise ValueError("a credit note is derived from an invoice of one VAT category and rate")
    invoice_net = sum(line.net_amount for line in invoice.lines)
    if split.net > invoice_net or split.net <= 0 and split.vat <= 0:
        raise ValueError("a credit note credits more than nothing and at most the invoice")
    [(_, rate_bp)] = rates
    if split.vat != vat_on(split.net, rate_bp):
        # The XML computes the VAT from the net (BR-CO-17): a stored VAT that differs would
        # make the credit note's XML and its PDF disagree.
        raise ValueError(f"VAT {split.vat} is not {rate_bp / 100:g}% of {split.net}, rounded half up")
    if split.net == invoice_net:
        lines = invoice.lines
    else:
        first = invoice.lines[0]
        lines = (replace(first, description=f"Partial refund of invoice {invoice.number}: {first.description}",
                         quantity=1, unit_amount=split.net, net_amount=split.net),)
    tax_notes = tuple(note for note in invoice.notes if not note.startswith("Reason: "))
    return EInvoice(
        number=number, type_code=CREDIT_NOTE, issue_date=issue_date, currency=invoice.currency,
        seller=invoice.seller, buyer=invoice.buyer, lines=tuple(lines),
        payment_terms=REFUNDED if kind == "refund" else VOIDED,
        buyer_reference=invoice.buyer_reference, purchase_order=invoice.purchase_order,
        contract_reference=invoice.contract_reference,
        notes=tax_notes + ((f"Reason: {reason.strip()}",) if reason.strip() else ()),
        corrects=(InvoiceReference(invoice.number, invoice.issue_date),),
        delivery_date=invoice.delivery_date or invoice.issue_date,
    )
