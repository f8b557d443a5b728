"""What finance checks against Stripe: open invoices whose PaymentIntent Stripe sees differently,
succeeded Stripe payments the app has not recorded, and invoices flagged for an amount or state
mismatch. Read-only: `invoices.payments.services.reconcile` is what applies Stripe's state."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoices.billing.models import Invoice, Payment
from invoices.payments.gateway import Intent, StripeError, Unavailable, gateway

MAX_CHECKED = 200  # newest open invoices with a PaymentIntent checked per visit (one Stripe call each)
RECENT_INTENTS = 100
AGREEING = {"requires_payment_method", "requires_confirmation", "requires_action", "canceled"}


@dataclass
class Disagreement:
    number: str
    app_status: str
    total: int
    currency: str
    intent_id: str
    stripe_status: str  # "missing" when Stripe does not know the PaymentIntent
    stripe_amount: int | None
    stripe_currency: str | None
    problem: str


@dataclass
class Unrecorded:
    intent: Intent
    invoice_number: str | None  # the invoice the intent names (by id or metadata), if any
    invoice_status: str | None


@dataclass
class ReconciliationReport:
    disagreements: list[Disagreement] = field(default_factory=list)
    unrecorded: list[Unrecorded] = field(default_factory=list)
    flagged: list[Invoice] = field(default_factory=list)
    checked: int = 0
    open_with_intent: int = 0
    error: str | None = None
    configured: bool = True


def _problem(invoice: Invoice, intent: Intent | None) -> str | None:
    if intent is None:
        return "Stripe does not know this PaymentIntent."
    if intent.amount != invoice.total or intent.currency != invoice.currency:
        return "Stripe's amount differs from the invoice's."
    if intent.status == "succeeded":
        return "Paid in Stripe, still open here: run the reconciliation."
    if intent.status in AGREEING:
        return None
    return f"Stripe says {intent.status.replace('_', ' ')}."


def flagged_invoices(session: Session) -> list[Invoice]:
    return list(session.scalars(select(Invoice).where(Invoice.flagged.is_(True)).order_by(Invoice.id.desc())
                                .limit(MAX_CHECKED)))


def build_report(session: Session) -> ReconciliationReport:
    """Compare the app with Stripe; Stripe unreachable -> the report says so (no exception)."""
    report = ReconciliationReport(flagged=flagged_invoices(session))
    gw = gateway()
    if gw is None:
        report.configured = False
        report.error = "Stripe is not set up (no STRIPE_SECRET_KEY): there is nothing to compare with."
        return report
    open_invoices = list(session.scalars(
        select(Invoice).where(Invoice.status == "open", Invoice.payment_intent_id.is_not(None))
        .order_by(Invoice.id.desc()).limit(MAX_CHECKED)))
    report.open_with_intent = len(open_invoices)
    try:
        for invoice in open_invoices:
            intent = gw.retrieve_intent(invoice.payment_intent_id)
            report.checked += 1
            problem = _problem(invoice, intent)
            if problem:
                report.disagreements.append(Disagreement(
                    invoice.number, invoice.status, invoice.total, invoice.currency, invoice.payment_intent_id,
                    intent.status if intent else "missing", intent.amount if intent else None,
                    intent.currency if intent else None, problem))
        succeeded = [i for i in gw.list_intents(RECENT_INTENTS) if i.status == "succeeded"]
    except (Unavailable, StripeError) as exc:
        report.error = f"Stripe could not be reached or refused the request ({type(exc).__name__}: {exc}). " \
                       "Nothing was changed; try again in a moment."
        return report
    report.unrecorded = unrecorded_payments(session, succeeded, {d.intent_id for d in report.disagreements})
    return report


def unrecorded_payments(session: Session, succeeded: list[Intent], listed: set[str]) -> list[Unrecorded]:
    """Succeeded intents with no Payment row (not already listed as an open invoice's disagreement)."""
    ids = [i.id for i in succeeded]
    if not ids:
        return []
    recorded = set(session.scalars(select(Payment.payment_intent_id).where(Payment.payment_intent_id.in_(ids))))
    by_intent = {inv.payment_intent_id: inv for inv in session.scalars(
        select(Invoice).where(Invoice.payment_intent_id.in_(ids)))}
    named = [i.metadata.get("invoice_number") for i in succeeded if i.metadata.get("invoice_number")]
    by_number = {inv.number: inv for inv in session.scalars(select(Invoice).where(Invoice.number.in_(named)))} \
        if named else {}
    found = []
    for intent in succeeded:
        if intent.id in recorded or intent.id in listed:
            continue
        invoice = by_intent.get(intent.id) or by_number.get(intent.metadata.get("invoice_number", ""))
        found.append(Unrecorded(intent, invoice.number if invoice else None, invoice.status if invoice else None))
    return found
