"""Payments: one PaymentIntent per invoice, Stripe's state applied to the invoice exactly once
(whether it arrives by webhook, by the licensee's return, or by reconciliation), and nothing
ever moves a paid invoice backwards."""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from invoices.billing.models import Invoice, InvoiceEvent, Payment
from invoices.billing.signals import invoice_paid
from invoices.payments.gateway import Intent, StripeError, Unavailable, gateway
from licensing.core.db import begin_write, utcnow
from licensing.core.mail import queue_mail
from licensing.core.models import User
from licensing.core.money import format_money

log = logging.getLogger(__name__)


class NotPayable(Exception):
    def __init__(self, invoice: Invoice):
        super().__init__(f"invoice {invoice.number} is {invoice.status}")
        self.invoice = invoice


def log_event(session: Session, invoice: Invoice, kind: str, message: str, actor: str = "system",
              data: dict | None = None) -> None:
    session.add(InvoiceEvent(invoice_id=invoice.id, kind=kind, message=message, actor=actor, data=data))


def ensure_intent(session: Session, invoice: Invoice, fresh: bool = False) -> Intent:
    """The invoice's PaymentIntent: created on the first visit, reused after (a new one only if
    Stripe no longer knows the old one, or `fresh` asks for one). Of two visits at once, the
    first stored one wins."""
    gw = gateway()
    if gw is None:
        raise Unavailable("online payment is not set up")
    if invoice.status != "open":
        raise NotPayable(invoice)
    old = invoice.payment_intent_id
    if old:
        intent = gw.retrieve_intent(old)
        if intent is not None and intent.status == "succeeded":
            return intent
        if intent is not None and intent.status != "canceled" and not fresh:
            return intent
        if intent is not None and intent.status != "canceled":
            gw.cancel_intent(old)
    customer = invoice.stripe_customer_id or gw.find_or_create_customer(
        invoice.buyer_email, invoice.buyer_name, {"organisation": invoice.buyer_name[:450]})
    intent = gw.create_intent(invoice.total, invoice.currency, customer,
                              {"invoice_number": invoice.number, "license_number": invoice.reference})
    begin_write(session)
    stored = session.execute(
        update(Invoice).where(Invoice.id == invoice.id, Invoice.status == "open",
                              Invoice.payment_intent_id.is_(None) if old is None
                              else Invoice.payment_intent_id == old)
        .values(payment_intent_id=intent.id, stripe_customer_id=customer)
        .execution_options(synchronize_session=False)
    ).rowcount
    if stored != 1:  # another visit stored its intent first: use that one
        session.rollback()
        gw.cancel_intent(intent.id)
        session.refresh(invoice)
        if invoice.status != "open" or not invoice.payment_intent_id:
            raise NotPayable(invoice)
        winner = gw.retrieve_intent(invoice.payment_intent_id)
        if winner is None:
            raise Unavailable("the payment could not be prepared; try again")
        return winner
    log_event(session, invoice, "payment_started", f"PaymentIntent {intent.id} created.",
              data={"payment_intent": intent.id, "replaces": old})
    session.commit()
    session.refresh(invoice)
    return intent


def _finance_emails(session: Session) -> list[str]:

    return [u.email for u in session.scalars(select(User).where(User.active)) if u.has_role("finance")]


def _flag(session: Session, invoice: Invoice, reason: str, intent: Intent) -> None:

    invoice.flagged, invoice.flag_reason = True, reason
    log_event(session, invoice, "flagged", reason, data={"payment_intent": intent.id, "amount": intent.amount,
                                                         "currency": intent.currency})
    for email in _finance_emails(session):
        queue_mail(session, email, f"Payment check needed for {invoice.number}", "payment_flagged",
                   tag=f"flag:{invoice.number}", invoice=invoice, reason=reason, intent=intent)


def apply_intent(session: Session, invoice_id: int, intent: Intent, source: str) -> str:
    """Apply what Stripe says about an invoice's PaymentIntent; safe to repeat, in any order."""
    begin_write(session)
    invoice = session.scalars(select(Invoice).where(Invoice.id == invoice_id).with_for_update()
                              .execution_options(populate_existing=True)).one()
    outcome = intent.status
    if intent.status == "succeeded":
        outcome = _settle(session, invoice, intent, source)
    elif intent.status == "requires_payment_method" and intent.error_message:
        last = session.scalars(select(InvoiceEvent).where(InvoiceEvent.invoice_id == invoice.id)
                               .order_by(InvoiceEvent.id.desc()).limit(1)).first()
        if last is None or last.kind != "payment_failed" or last.message != intent.error_message:
            log_event(session, invoice, "payment_failed", intent.error_message,
                      data={"payment_intent": intent.id, "source": source})
        outcome = "failed"
    session.commit()
    return outcome


def _money(amount: int, currency: str) -> str:
    """An amount as people read it ("£120.00"); Stripe may give the currency in lower case."""
    return format_money(amount, currency.upper())


def _settle(session: Session, invoice: Invoice, intent: Intent, source: str) -> str:
    if invoice.status == "paid":
        if any(p.payment_intent_id == intent.id for p in invoice.payments):
            return "already paid"
        if not invoice.flagged:  # e.g. paid by bank transfer, then by card: money to give back
            _flag(session, invoice, f"A card payment of {_money(intent.amount, intent.currency)} succeeded for an invoice "
                                    "that was already paid; one of the two payments should be refunded.", intent)
        return "flagged"
    if intent.amount != invoice.total or intent.currency != invoice.currency:
        if not invoice.flagged:
            _flag(session, invoice, f"Stripe reports {_money(intent.amount, intent.currency)} paid, the invoice is for "
                                    f"{format_money(invoice.total, invoice.currency)}.", intent)
        return "flagged"
    if invoice.status != "open":
        if not invoice.flagged:
            _flag(session, invoice, f"A payment succeeded for an invoice that is {invoice.status}.", intent)
        return "flagged"
    now = utcnow()
    invoice.status, invoice.paid_at, invoice.status_changed_at = "paid", now, now
    session.add(Payment(invoice_id=invoice.id, method="stripe", amount=intent.amount, currency=intent.currency,
                        payment_intent_id=intent.id, charge_id=intent.charge_id, paid_at=now))
    log_event(session, invoice, "paid", f"Paid by card through Stripe ({source}).",
              data={"payment_intent": intent.id, "charge": intent.charge_id})
    invoice_paid.send(current_app._get_current_object(), session=session, invoice=invoice)
    try:
        session.flush()
    except IntegrityError:  # this PaymentIntent was recorded by a concurrent writer
        session.rollback()
        return "already paid"
    return "paid"


def refresh_from_stripe(session: Session, invoice: Invoice, source: str) -> str:
    """Fetch the invoice's PaymentIntent from Stripe and apply it (the poll path)."""
    gw = gateway()
    if gw is None or not invoice.payment_intent_id:
        return invoice.status
    intent = gw.retrieve_intent(invoice.payment_intent_id)
    if intent is None:
        return invoice.status
    return apply_intent(session, invoice.id, intent, source)


def reconcile(session: Session) -> list[tuple[str, str]]:
    """Apply Stripe's state of every open invoice's PaymentIntent (e.g. after a lost webhook);
    running it again changes nothing more."""
    results = []
    numbers = session.execute(select(Invoice.id, Invoice.number).where(
        Invoice.status == "open", Invoice.payment_intent_id.is_not(None)).order_by(Invoice.id)).all()
    for invoice_id, number in numbers:
        invoice = session.get(Invoice, invoice_id)
        try:
            outcome = refresh_from_stripe(session, invoice, "reconciliation")
        except Unavailable as exc:
            outcome = f"unavailable: {exc}"
        results.append((number, outcome))
    return results


class StripeUnreachable(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def run_reconcile(session: Session) -> list[tuple[str, str]]:
    """Apply Stripe's state (invoices.payments.reconcile); StripeUnreachable when it cannot be reached."""
    if gateway() is None:
        raise StripeUnreachable("Stripe is not set up (no STRIPE_SECRET_KEY): nothing to reconcile.")
    try:
        return reconcile(session)
    except StripeError as exc:  # e.g. a wrong key: reconcile() itself turns only Unavailable into a result
        session.rollback()
        raise StripeUnreachable(f"Stripe refused the request ({type(exc).__name__}: {exc}).") from None
