"""Plain words for a refused payment (invoices/payments/rules.py), with literal expectations."""
from __future__ import annotations

import pytest

from invoices.payments.rules import payment_failure


@pytest.mark.parametrize(("status", "code", "decline_code", "expected"), [
    ("requires_payment_method", "payment_intent_authentication_failure", None,
     "Your bank's security check (3-D Secure) was not completed, so the payment was not made. "
     "Try again and confirm the payment when your bank asks, in its app or by text message."),
    ("requires_payment_method", "card_declined", "insufficient_funds",
     "Your card has not enough funds for this payment. "
     "Please try another card, or ask your bank why the payment was refused."),
    ("requires_payment_method", "card_declined", "generic_decline",
     "Your bank declined the payment. Please try another card, or ask your bank why the payment was refused."),
    ("requires_payment_method", "card_declined", None,
     "Your bank declined the payment. Please try another card, or ask your bank why the payment was refused."),
    ("requires_payment_method", "expired_card", None, "Your card has expired. Please use another card."),
    ("requires_payment_method", None, "stolen_card",
     "Your bank refused the payment: the card is reported stolen. Please use another card."),
    ("requires_action", None, None,
     "The payment waits for your bank's security check. You can try again with the same card or another one."),
    ("requires_payment_method", "something_new", None,
     "The payment did not go through. You can try again with the same card or another one."),
    ("requires_payment_method", None, None,
     "The payment did not go through. You can try again with the same card or another one."),
])
def test_payment_failure(status, code, decline_code, expected):
    assert payment_failure(status, code, decline_code) == expected


def test_stripes_developer_text_never_reaches_the_payer():
    said = {payment_failure(s, c, d) for s in ("requires_payment_method", "requires_action", "canceled")
            for c in (None, "card_declined", "payment_intent_authentication_failure", "x")
            for d in (None, "insufficient_funds", "y")}
    assert not any("PaymentMethod" in s or "PaymentIntent" in s for s in said)
