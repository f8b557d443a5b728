"""The licensee's pay page: amount and numbers, then Stripe's Payment Element (real Stripe) or a
test-card page (the local stand-in only). The return page waits for Stripe's word, never the
browser's: it shows "processing" until the webhook, or a poll of the PaymentIntent, says paid."""
from __future__ import annotations

import hmac

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select

from invoices.billing.models import Invoice
from invoices.billing.services import payment_token
from invoices.payments.gateway import CardError, PaymentUnderWay, Unavailable, gateway
from invoices.payments.rules import payment_failure
from invoices.payments.services import NotPayable, ensure_intent, refresh_from_stripe
from licensing.core.db import get_session

bp = Blueprint("pay", __name__, url_prefix="/pay")
SETTLING = ("succeeded", "processing")  # PaymentIntent states that must not be paid again


class PayForm(FlaskForm):
    pass


def _invoice(number: str, token: str) -> Invoice:
    expected = payment_token(current_app.config["SECRET_KEY"], number.upper())
    if not hmac.compare_digest(expected.encode(), (token or "").encode()[:64]):
        abort(404)
    invoice = get_session().scalars(select(Invoice).where(Invoice.number == number.upper())).first()
    if invoice is None:
        abort(404)
    return invoice


def _page(invoice: Invoice, token: str, status: int = 200, **extra):
    gw = gateway()
    response = current_app.make_response((render_template(
        "pay/pay.html", invoice=invoice, token=token, form=PayForm(), standin=bool(gw and gw.is_standin),
        publishable_key=gw.publishable_key if gw else None, **extra), status))
    if extra.get("intent") is not None and gw is not None and not gw.is_standin:
        response.headers["Content-Security-Policy"] = (  # Stripe.js: the one script from elsewhere
            "default-src 'self'; script-src 'self' https://js.stripe.com; "
            "frame-src https://js.stripe.com https://hooks.stripe.com; connect-src 'self' https://api.stripe.com; "
            "img-src 'self' data: https://*.stripe.com; frame-ancestors 'none'; form-action 'self'")
    return response


@bp.get("/<number>/<token>")
def pay_page(number: str, token: str):
    invoice = _invoice(number, token)
    if invoice.status != "open":
        return _page(invoice, token)
    try:
        intent = ensure_intent(get_session(), invoice)
    except NotPayable:
        return _page(invoice, token)
    except Unavailable:
        return _page(invoice, token, 503, unavailable=True)
    if intent.status in SETTLING:  # paid (or being paid) at Stripe already: never offer to pay again
        return redirect(url_for("pay.returned", number=invoice.number, token=token))
    return _page(invoice, token, intent=intent)


@bp.post("/<number>/<token>/test-card")
def test_card(number: str, token: str):
    invoice = _invoice(number, token)
    gw = gateway()
    if gw is None or not gw.is_standin:
        abort(404)
    form = PayForm()
    card = request.form.get("card", "")
    if not form.validate() or card not in gw.TEST_CARDS:
        return _page(invoice, token, 400, intent=None, error="Choose one of the test cards.")
    try:
        intent = ensure_intent(get_session(), invoice)
        stuck = intent.status == "requires_action" or (
            intent.status == "requires_payment_method" and intent.error_message)
        if stuck:
            # After a decline, or a 3-D Secure step left undone, the stand-in cannot confirm the same
            # intent again (real Stripe can): the next attempt gets a fresh PaymentIntent, still one
            # open intent per invoice.
            intent = ensure_intent(get_session(), invoice, fresh=True)
        if intent.status in SETTLING:  # e.g. the form sent again with the back button: no second charge
            return redirect(url_for("pay.returned", number=invoice.number, token=token))
        intent = gw.pay_with_test_card(intent.id, card)
    except NotPayable:
        return redirect(url_for("pay.pay_page", number=invoice.number, token=token))
    except PaymentUnderWay:  # the same invoice submitted twice at once: show the first one's outcome
        get_session().rollback()
        return redirect(url_for("pay.returned", number=invoice.number, token=token))
    except CardError as exc:
        refresh_from_stripe(get_session(), invoice, "card declined")  # record the failure on the timeline
        return _page(invoice, token, 402, intent=gw.retrieve_intent(invoice.payment_intent_id),
                     error=payment_failure("requires_payment_method", getattr(exc, "code", None),
                                           getattr(getattr(exc, "error", None), "decline_code", None)))
    except Unavailable:
        return _page(invoice, token, 503, unavailable=True)
    if intent.status == "requires_action":
        return render_template("pay/authenticate.html", invoice=invoice, token=token, form=PayForm())
    return redirect(url_for("pay.returned", number=invoice.number, token=token))


@bp.post("/<number>/<token>/authenticate")
def authenticate(number: str, token: str):
    invoice = _invoice(number, token)
    gw = gateway()
    if gw is None or not gw.is_standin or not invoice.payment_intent_id or not PayForm().validate():
        abort(404)
    try:
        intent = gw.retrieve_intent(invoice.payment_intent_id)
        if intent is not None and intent.status == "requires_action":
            gw.authenticate_3ds(intent, success=request.form.get("result") == "approve")
    except Unavailable:
        return _page(invoice, token, 503, unavailable=True)
    return redirect(url_for("pay.returned", number=invoice.number, token=token))


@bp.get("/<number>/<token>/return")
def returned(number: str, token: str):
    """Where the licensee lands after paying: paid, processing (refreshes), or failed (try again)."""
    invoice = _invoice(number, token)
    session = get_session()
    outcome = invoice.status
    if invoice.status == "open":
        try:
            outcome = refresh_from_stripe(session, invoice, "return page")
        except Unavailable:
            outcome = "processing"
        session.refresh(invoice)
    message = None
    if invoice.status == "open" and invoice.payment_intent_id and outcome in ("failed", "requires_payment_method"):
        try:
            intent = gateway().retrieve_intent(invoice.payment_intent_id)
        except Unavailable:
            intent = None
        message = payment_failure(intent.status, intent.error_code, intent.decline_code) if intent \
            else payment_failure("requires_payment_method")
    return render_template("pay/return.html", invoice=invoice, token=token, outcome=outcome, message=message), \
        (200 if invoice.status == "paid" or message or invoice.flagged else 202)
