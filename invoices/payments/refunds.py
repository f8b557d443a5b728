"""Refunds and credit notes. A refund is recorded first, with its credit note (CN-YYYY-NNNNN,
gapless), in one transaction; the Stripe refund runs after commit and is retried until done,
so a refund is never lost, even when Stripe is down at that moment."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from invoices.billing.models import CreditNote, Invoice, Refund
from invoices.billing.rules.credit_notes import credit_note_for
from invoices.billing.rules.einvoice_context import from_context, to_context
from invoices.billing.rules.refund_split import RefundSplit, UnsplittableRefund, split_refund
from invoices.billing.services import pdf_context, tax_name_of
from invoices.billing.signals import invoice_refunded
from invoices.payments.gateway import StripeError, Unavailable, gateway
from invoices.payments.services import log_event, reconcile
from licensing.core import jobs
from licensing.core.db import begin_write, new_session, utcnow
from licensing.core.documents import create_document
from licensing.core.money import format_money
from licensing.core.numbering import next_number

log = logging.getLogger(__name__)
CREDIT_NOTE_PREFIX = "CN"
MAX_REASON = 2000
LEGACY_CREDIT_NOTE = "pdf/v2/credit_note.html"  # for invoices issued before e-invoicing


class RefundRefused(ValueError):
    pass


def _split_tax(invoice: Invoice, amount: int) -> tuple[int, int]:
    """Invoices issued before e-invoicing (no frozen e-invoice): the tax inside a gross amount in
    the invoice's own proportion (rounded half up), as their credit notes always had."""
    if invoice.total == 0 or invoice.tax_total == 0:
        return amount, 0
    tax = (amount * invoice.tax_total * 2 + invoice.total) // (2 * invoice.total)
    return amount - tax, tax


def split_for(session: Session, invoice: Invoice, amount: int) -> RefundSplit:
    """The credit note's net and VAT for `amount`, exactly (BR-CO-17 to the minor unit), leaving
    what is still to credit on the invoice exactly splittable too; refused with the nearest
    amounts that split when there is no such split."""
    credited_net, credited_vat = session.execute(
        select(func.coalesce(func.sum(CreditNote.subtotal), 0), func.coalesce(func.sum(CreditNote.tax_total), 0))
        .where(CreditNote.invoice_id == invoice.id)).one()
    credited_net, credited_vat = int(credited_net), int(credited_vat)  # PostgreSQL's sum() is a Decimal
    rates = {line.tax_rate_bp for line in invoice.lines}
    if len(rates) != 1:
        raise RefundRefused(f"{invoice.number} has lines at different VAT rates: refund it in full or by hand.")
    try:
        return split_refund(amount, rates.pop(), remaining_net=invoice.subtotal - credited_net,
                            remaining_vat=invoice.tax_total - credited_vat, keep_remainder_exact=True)
    except UnsplittableRefund as exc:
        nearest = " or ".join(format_money(value, invoice.currency) for value in (exc.lower, exc.higher)
                              if value is not None)
        raise RefundRefused(
            f"{format_money(amount, invoice.currency)} cannot be split into net and VAT to the last penny "
            f"(and leave a remainder that can); refund {nearest} instead.") from exc
    except ValueError as exc:
        raise RefundRefused(str(exc)) from exc


def issue_credit_note(session: Session, invoice: Invoice, amount: int, reason: str, kind: str) -> CreditNote:
    """Number and store a credit note in the current transaction, and queue its PDF. An invoice
    with a frozen e-invoice gets an EN 16931 credit note (381, Factur-X, layout v3) derived from it;
    older invoices keep their layout (v2) and the proportional split."""
    today = utcnow().date()
    number = next_number(session, "credit_note", CREDIT_NOTE_PREFIX, today.year)
    if not invoice.einvoice:
        subtotal, tax = _split_tax(invoice, amount)
        note = CreditNote(number=number, invoice_id=invoice.id, issue_date=today, currency=invoice.currency,
                          subtotal=subtotal, tax_total=tax, total=amount, reason=reason, kind=kind)
        session.add(note)
        session.flush()
        create_document(session, "credit_note", note.number, {
            "number": note.number, "issued_on": today.isoformat(), "invoice_number": invoice.number,
            "currency": invoice.currency, "subtotal": subtotal, "tax_total": tax, "total": amount, "reason": reason,
            "kind": kind, "license_number": invoice.reference,
            "seller": {"name": invoice.seller_name, "address": invoice.seller_address,
                       "vat_number": invoice.seller_vat_number},
            "buyer": {"name": invoice.buyer_name, "address": invoice.buyer_address, "email": invoice.buyer_email,
                      "vat_id": invoice.buyer_vat_id},
        }, template=LEGACY_CREDIT_NOTE)
        return note
    split = split_for(session, invoice, amount)
    credit = credit_note_for(from_context(invoice.einvoice), number=number, issue_date=today, split=split,
                             reason=reason, kind=kind)
    note = CreditNote(number=number, invoice_id=invoice.id, issue_date=today, currency=invoice.currency,
                      subtotal=split.net, tax_total=split.vat, total=split.gross, reason=reason, kind=kind,
                      einvoice=to_context(credit))
    session.add(note)
    session.flush()
    create_document(session, "credit_note", note.number, {
        **pdf_context(credit, tax_name_of(session, invoice.seller_country)),
        "invoice_number": invoice.number, "license_number": invoice.reference, "reason": reason, "kind": kind})
    return note


def refund(session: Session, invoice_id: int, amount: int, reason: str, actor: str) -> Refund:
    """Refund part or all of a paid invoice (the caller has checked the actor's role)."""
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise RefundRefused(f"Give a reason for the refund (at most {MAX_REASON:,} characters).")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise RefundRefused("The amount must be more than zero.")
    begin_write(session)
    invoice = session.scalars(select(Invoice).where(Invoice.id == invoice_id).with_for_update()
                              .execution_options(populate_existing=True)).one()
    refundable = invoice.total - invoice.refunded_amount
    refused = (f"Only a paid invoice can be refunded; {invoice.number} is {invoice.status}."
               if invoice.status != "paid" else
               f"At most {refundable} (minor units) is left to refund on {invoice.number}."
               if amount > refundable else None)
    if refused:
        session.rollback()  # release the write lock (SQLite) and the row lock (PostgreSQL)
        raise RefundRefused(refused)
    stripe_payment = next((p for p in invoice.payments if p.method == "stripe"), None)
    try:
        note = issue_credit_note(session, invoice, amount, reason, "refund")
    except RefundRefused:
        session.rollback()
        raise
    row = Refund(invoice_id=invoice.id, credit_note_id=note.id, amount=amount, currency=invoice.currency,
                 reason=reason, method="stripe" if stripe_payment else "manual",
                 status="pending" if stripe_payment else "succeeded", created_by=actor,
                 completed_at=None if stripe_payment else utcnow())
    session.add(row)
    invoice.refunded_amount += amount
    full = invoice.refunded_amount == invoice.total
    log_event(session, invoice, "refunded", f"{'Full' if full else 'Partial'} refund of "
              f"{format_money(amount, invoice.currency)}, credit note {note.number}: {reason}", actor=actor,
              data={"amount": amount, "credit_note": note.number, "full": full})
    session.flush()
    invoice_refunded.send(current_app._get_current_object(), session=session, invoice=invoice, refund=row,
                          full=full)
    if stripe_payment:

        jobs.after_commit(session, "invoices.payments.refunds:execute_refund", row.id)
    session.commit()
    return row


def execute_refund(refund_id: int) -> str:
    """Carry out a pending refund at Stripe; safe to call again (a done one is skipped)."""
    with new_session() as session:
        row = session.get(Refund, refund_id)
        if row is None or row.status != "pending":
            return row.status if row else "missing"
        invoice = session.get(Invoice, row.invoice_id)
        intent_id, amount, currency, number = invoice.payment_intent_id, row.amount, row.currency, invoice.number
        key = f"refund-{intent_id}-{row.credit_note.number}"
        session.commit()  # no transaction (on SQLite a read snapshot) held across the Stripe call
        gw = gateway()
        try:
            if gw is None:
                raise Unavailable("Stripe is not configured")
            # The same key on every attempt: should an attempt succeed at Stripe but its answer be
            # lost (a timeout), Stripe answers the retry with that refund instead of refunding twice.
            result = gw.refund(intent_id, amount, idempotency_key=key)
        except (Unavailable, StripeError) as exc:
            begin_write(session)
            row = session.get(Refund, refund_id, populate_existing=True)
            row.attempts += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            session.commit()
            log.warning("refund %s of %s not done yet: %s", refund_id, number, exc)
            return row.status
        begin_write(session)
        row = session.get(Refund, refund_id, populate_existing=True)
        row.attempts += 1
        if row.status == "pending":  # not completed meanwhile by a concurrent run (same key: same refund)
            row.stripe_refund_id, row.status, row.completed_at = result.id, "succeeded", utcnow()
            log_event(session, invoice, "refund_completed",
                      f"Stripe refund {result.id} of {format_money(amount, currency)}.",
                      data={"refund": result.id, "amount": amount, "currency": currency})
        session.commit()
        return row.status


def retry_pending_refunds(session: Session) -> list[tuple[int, str]]:
    ids = session.scalars(select(Refund.id).where(Refund.status == "pending").order_by(Refund.id)).all()
    session.commit()  # end this read (on SQLite a snapshot): each refund runs in a session of its own
    return [(refund_id, execute_refund(refund_id)) for refund_id in ids]


@dataclass
class Reconciled:
    checked: list[tuple[str, str]]
    refunds: list[tuple[int, str]]

    @property
    def changed(self) -> list[tuple[str, str]]:
        return [(number, outcome) for number, outcome in self.checked if outcome in ("paid", "flagged")]


def reconcile_all(session: Session) -> Reconciled:
    """What the hourly task and `flask payments reconcile` both run: Stripe's state applied to every
    open invoice (a lost webhook), then every pending refund retried."""
    checked = reconcile(session)
    return Reconciled(checked, retry_pending_refunds(session))
