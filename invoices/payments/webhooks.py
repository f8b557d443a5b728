"""POST /stripe/webhook: verified, stored by event id before processing, repeats ignored.

The event's object is never trusted: the PaymentIntent is retrieved again from Stripe (which
also covers the stand-in's old event shape) and applied through `payments.apply_intent`."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from invoices.billing.models import Invoice, StripeEvent
from invoices.payments.gateway import SignatureError, StripeGateway, Unavailable, gateway
from invoices.payments.services import apply_intent
from licensing.core.db import begin_write, get_session, utcnow

bp = Blueprint("stripe_webhook", __name__)
log = logging.getLogger(__name__)
HANDLED = {"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
           "payment_intent.processing", "payment_intent.requires_action", "payment_intent.amount_capturable_updated"}


def _invoice_for(session, obj: dict) -> Invoice | None:
    found = session.scalars(select(Invoice).where(Invoice.payment_intent_id == obj.get("id"))).first()
    number = (obj.get("metadata") or {}).get("invoice_number")
    if found is None and number:
        found = session.scalars(select(Invoice).where(Invoice.number == number)).first()
    return found


def _belongs_to(intent, invoice: Invoice) -> bool:
    """Stripe's own PaymentIntent (not the event's copy) must be the invoice's, or name it."""
    return intent.id == invoice.payment_intent_id or intent.metadata.get("invoice_number") == invoice.number


def process(event_id: str) -> str:
    """Process a stored event (again, if an earlier try did not finish)."""
    session = get_session()
    stored = session.get(StripeEvent, event_id)
    if stored is None or stored.processed_at is not None:
        return "duplicate"
    if stored.type not in HANDLED:
        result = "ignored"
    else:
        obj = stored.payload.get("data", {}).get("object", {})
        invoice = _invoice_for(session, obj)
        if invoice is None:
            result = "no matching invoice"
        else:
            intent = gateway().retrieve_intent(obj["id"])  # Unavailable propagates: Stripe will retry
            if intent is None:
                result = "unknown payment intent"
            elif not _belongs_to(intent, invoice):
                result = "payment intent of another invoice"
            else:
                result = apply_intent(session, invoice.id, intent, "webhook")
    begin_write(session)  # SQLite: a read transaction upgraded to a write fails at once when busy
    stored = session.get(StripeEvent, event_id, populate_existing=True)
    stored.processed_at, stored.result = utcnow(), result
    session.commit()
    return result


@bp.post("/stripe/webhook")
def webhook():
    secret = current_app.config["SETTINGS"].stripe_webhook_secret
    if not secret or gateway() is None:
        return jsonify({"error": "Webhooks are not configured."}), 400
    payload = request.get_data(cache=False)
    try:
        event = StripeGateway.parse_event(payload, request.headers.get("Stripe-Signature", ""), secret)
    except (ValueError, SignatureError) as exc:
        log.warning("refused a webhook: %s", exc)
        return jsonify({"error": "Invalid payload or signature."}), 400
    session = get_session()
    obj = event.get("data", {}).get("object", {})
    session.add(StripeEvent(id=event["id"], type=event.get("type", ""), payload=event,
                            object_id=str(obj.get("id", ""))[:100]))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # seen before: processed already, or being processed / to finish now
    try:
        result = process(event["id"])
    except Unavailable:
        session.rollback()
        return jsonify({"error": "Stripe is unavailable; send it again later."}), 503
    return jsonify({"received": event["id"], "result": result})
