"""Finance actions on an invoice: send again, mark paid by bank transfer, void, refund, mark
uncollectible, add a note. Each owns its transaction: it locks the invoice row (BEGIN IMMEDIATE
on SQLite, SELECT ... FOR UPDATE on PostgreSQL), checks the state allows the action, changes only
the fields Invoice.MUTABLE allows, and records who and why as an InvoiceEvent. Of two people
acting at once, the second sees the first's result and is refused with a clear message."""
from __future__ import annotations

from datetime import date, datetime, time

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from invoices.billing.models import Invoice, Payment
from invoices.billing.services import pay_url
from invoices.billing.signals import invoice_paid, invoice_voided
from invoices.payments.gateway import gateway
from invoices.payments.refunds import MAX_REASON, RefundRefused, issue_credit_note
from invoices.payments.refunds import refund as refund_invoice
from invoices.payments.services import log_event
from licensing.core import jobs
from licensing.core.clock import today as today_
from licensing.core.db import begin_write, utcnow
from licensing.core.forms import FieldError, clean_text
from licensing.core.mail import queue_mail
from licensing.core.money import format_money, to_minor

STATUS_LABELS = {"open": "open", "paid": "paid", "void": "void", "uncollectible": "uncollectible"}

# action -> the invoice states it may start from
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "send_again": frozenset({"open", "paid"}),
    "mark_paid": frozenset({"open", "uncollectible"}),
    "void": frozenset({"open", "uncollectible"}),
    "refund": frozenset({"paid"}),
    "uncollectible": frozenset({"open"}),
    "note": frozenset({"open", "paid", "void", "uncollectible"}),
    "clear_flag": frozenset({"open", "paid", "void", "uncollectible"}),  # and flagged: see allowed_actions
}
REFUSALS = {
    "send_again": "only an open or paid invoice can be sent again",
    "mark_paid": "only an open or uncollectible invoice can be marked paid",
    "void": "only an unpaid (open or uncollectible) invoice can be voided; refund a paid one instead",
    "refund": "only a paid invoice can be refunded",
    "uncollectible": "only an open invoice can be marked uncollectible",
    "note": "notes cannot be added",
    "clear_flag": "it is not flagged for checking",
}


class ActionRefused(Exception):
    """The invoice's state does not allow the action (now: someone may have acted first)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def allowed_actions(invoice: Invoice) -> set[str]:
    allowed = {action for action, states in ALLOWED_FROM.items() if invoice.status in states}
    if invoice.refunded_amount >= invoice.total:
        allowed.discard("refund")
    if not invoice.flagged:
        allowed.discard("clear_flag")
    return allowed


def _text(value: str | None, field: str, what: str, limit: int = MAX_REASON, required: bool = True) -> str:
    return clean_text(value, field, what, limit, required)


def _lock(session: Session, number: str) -> Invoice:
    begin_write(session)
    invoice = session.scalars(select(Invoice).where(Invoice.number == number).with_for_update()
                              .execution_options(populate_existing=True)).first()
    if invoice is None:
        session.rollback()
        raise LookupError(number)
    return invoice


def _check(session: Session, invoice: Invoice, action: str) -> None:
    if invoice.status not in ALLOWED_FROM[action]:
        session.rollback()
        raise ActionRefused(f"{invoice.number} is {STATUS_LABELS[invoice.status]}: {REFUSALS[action]}.")


def _cancel_intent_after_commit(session: Session, invoice: Invoice) -> None:
    """A void, written-off or bank-paid invoice must not be paid by card as well."""
    if invoice.payment_intent_id:

        jobs.after_commit(session, "invoices.finance.services:cancel_intent", invoice.payment_intent_id)


def cancel_intent(intent_id: str) -> None:
    gw = gateway()
    if gw is not None:
        gw.cancel_intent(intent_id)  # never raises: an unused intent left open costs nothing


def send_again(session: Session, number: str, actor: str, reason: str) -> None:
    """E-mail the invoice (with its pay link while it is open) to the buyer again."""

    reason = _text(reason, "reason", "A reason")
    invoice = _lock(session, number)
    _check(session, invoice, "send_again")
    queue_mail(session, invoice.buyer_email, f"Invoice {invoice.number} from {invoice.seller_name}",
               "invoice_again", tag=f"invoice:{invoice.number}:again", invoice=invoice,
               pay_url=pay_url(invoice.number) if invoice.status == "open" else None)
    log_event(session, invoice, "sent_again", f"Sent again to {invoice.buyer_email}: {reason}", actor=actor,
              data={"to": invoice.buyer_email})
    session.commit()


def mark_paid(session: Session, number: str, actor: str, reference: str, paid_on: str, note: str = "") -> Payment | None:
    """Record a bank transfer for the full amount; the license activates in the same transaction."""
    reference = _text(reference, "reference", "The bank reference", limit=200)
    note = _text(note, "note", "The note", required=False)
    try:
        day = date.fromisoformat((paid_on or "").strip())
    except ValueError:
        raise FieldError("paid_on", "Enter the date the money arrived as YYYY-MM-DD.") from None
    if day > today_():
        raise FieldError("paid_on", "The date the money arrived cannot be in the future.")
    invoice = _lock(session, number)
    _check(session, invoice, "mark_paid")
    if day < invoice.issue_date:
        session.rollback()
        raise FieldError("paid_on", f"{invoice.number} was issued on {invoice.issue_date.isoformat()}; "
                                      "the payment cannot be earlier.")
    when = datetime.combine(day, time())
    was = invoice.status
    invoice.status, invoice.paid_at, invoice.status_changed_at = "paid", when, utcnow()
    payment = None
    if invoice.total > 0:
        payment = Payment(invoice_id=invoice.id, method="bank_transfer", amount=invoice.total,
                          currency=invoice.currency, reference=reference, paid_at=when)
        session.add(payment)
    log_event(session, invoice, "paid", f"Paid by bank transfer, reference {reference}, received {day.isoformat()}"
              f"{' (was uncollectible)' if was == 'uncollectible' else ''}." + (f" {note}" if note else ""),
              actor=actor, data={"method": "bank_transfer", "reference": reference, "paid_on": day.isoformat()})
    invoice_paid.send(current_app._get_current_object(), session=session, invoice=invoice)
    _cancel_intent_after_commit(session, invoice)
    session.commit()
    return payment


def void(session: Session, number: str, actor: str, reason: str) -> None:
    """Void an unpaid invoice with a credit note for its total; the license is cancelled."""
    reason = _text(reason, "reason", "A reason")
    invoice = _lock(session, number)
    _check(session, invoice, "void")
    note = issue_credit_note(session, invoice, invoice.total, reason, "void") if invoice.total > 0 else None
    invoice.status, invoice.status_changed_at = "void", utcnow()
    log_event(session, invoice, "voided", f"Voided{f', credit note {note.number}' if note else ''}: {reason}",
              actor=actor, data={"credit_note": note.number if note else None})
    invoice_voided.send(current_app._get_current_object(), session=session, invoice=invoice)
    _cancel_intent_after_commit(session, invoice)
    session.commit()


def mark_uncollectible(session: Session, number: str, actor: str, reason: str) -> None:
    reason = _text(reason, "reason", "A reason")
    invoice = _lock(session, number)
    _check(session, invoice, "uncollectible")
    invoice.status, invoice.status_changed_at = "uncollectible", utcnow()
    log_event(session, invoice, "marked_uncollectible", f"Marked uncollectible: {reason}", actor=actor)
    _cancel_intent_after_commit(session, invoice)
    session.commit()


def add_note(session: Session, number: str, actor: str, text: str) -> None:
    text = _text(text, "note", "The note")
    invoice = _lock(session, number)
    _check(session, invoice, "note")
    log_event(session, invoice, "note", text, actor=actor)
    session.commit()


def clear_flag(session: Session, number: str, actor: str, finding: str) -> None:
    """Finance has checked a flagged invoice (a card payment of another amount, a state Stripe and the
    desk disagree on): what was found goes into the audit trail, and the invoice leaves the lists of
    things needing attention. The reason it was flagged stays in the trail."""
    finding = _text(finding, "finding", "What you found")
    invoice = _lock(session, number)
    if not invoice.flagged:
        session.rollback()
        raise ActionRefused(f"{invoice.number} is not flagged for checking (someone may have cleared it just now).")
    invoice.flagged = False
    log_event(session, invoice, "flag_cleared", f"Checked: {finding} (flagged for: {invoice.flag_reason})",
              actor=actor)
    session.commit()


def refund(session: Session, number: str, actor: str, kind: str, amount: str, reason: str):
    """A full or partial refund with its credit note (invoices.refunds does the work, under its lock)."""
    invoice = session.scalars(select(Invoice).where(Invoice.number == number)
                              .execution_options(populate_existing=True)).first()
    if invoice is None:
        raise LookupError(number)
    if invoice.status not in ALLOWED_FROM["refund"]:
        raise ActionRefused(f"{invoice.number} is {STATUS_LABELS[invoice.status]}: {REFUSALS['refund']}.")
    left = invoice.total - invoice.refunded_amount
    if left <= 0:
        raise ActionRefused(f"{invoice.number} is already refunded in full.")
    if kind not in ("full", "partial"):
        raise FieldError("kind", "Choose a full or a partial refund.")
    if kind == "full" and (amount or "").strip():
        raise FieldError("kind", "You typed an amount: choose “Part of it”, or clear the amount for a full refund.")
    if kind == "full":
        minor = left
    else:
        try:
            minor = to_minor(amount, invoice.currency)
        except ValueError as exc:
            raise FieldError("amount", str(exc)) from None
        if minor <= 0:
            raise FieldError("amount", "The amount must be more than zero.")
        if minor > left:
            raise FieldError("amount", f"At most {format_money(left, invoice.currency)} is left to refund.")
    reason = _text(reason, "reason", "A reason")
    invoice_id = invoice.id
    session.rollback()  # end the read; refund() starts its own write transaction
    try:
        return refund_invoice(session, invoice_id, minor, reason, actor)
    except RefundRefused as exc:  # the state changed since the checks above
        session.rollback()
        raise ActionRefused(str(exc)) from None
