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


TRY_AGAIN = "You can try again with the same card or another one."
ANOTHER_CARD = "Please try another card, or ask your bank why the payment was refused."
BY_DECLINE_CODE = {  # every decline code with its own sentence, written out
    "insufficient_funds": "Your card has not enough funds for this payment. " + ANOTHER_CARD,
    "lost_card": "Your bank refused the payment: the card is reported lost. Please use another card.",
    "stolen_card": "Your bank refused the payment: the card is reported stolen. Please use another card.",
    "expired_card": "Your card has expired. Please use another card.",
    "incorrect_cvc": "The security code (the three digits on the back of the card) is not right. " + TRY_AGAIN,
    "incorrect_number": "The card number is not right. Please check it and try again.",
    "card_velocity_exceeded": "Your card has reached its spending limit. " + ANOTHER_CARD,
    "authentication_required": "Your bank asks you to confirm this payment in your banking app or by text message. "
                               + TRY_AGAIN,
    "processing_error": "The payment could not be processed, through nobody's fault. " + TRY_AGAIN,
}
BY_CODE = {  # error codes without a decline code
    "payment_intent_authentication_failure": (
        "Your bank's security check (3-D Secure) was not completed, so the payment was not made. "
        "Try again and confirm the payment when your bank asks, in its app or by text message."),
    "card_declined": "Your bank declined the payment. " + ANOTHER_CARD,
    "expired_card": "Your card has expired. Please use another card.",
    "incorrect_cvc": "The security code (the three digits on the back of the card) is not right. " + TRY_AGAIN,
    "incorrect_number": "The card number is not right. Please check it and try again.",
    "processing_error": "The payment could not be processed, through nobody's fault. " + TRY_AGAIN,
}
BY_STATUS = {  # PaymentIntent statuses without any code
    "requires_action": "The payment waits for your bank's security check. " + TRY_AGAIN,
    "canceled": "This payment attempt was cancelled. " + TRY_AGAIN,
    "requires_payment_method": "The payment did not go through. " + TRY_AGAIN,
    "processing": "The payment did not go through. " + TRY_AGAIN,
}


@pytest.mark.parametrize(("decline_code", "expected"), BY_DECLINE_CODE.items())
def test_each_decline_code_has_its_sentence(decline_code, expected):
    assert payment_failure("requires_payment_method", "card_declined", decline_code) == expected


@pytest.mark.parametrize(("code", "expected"), BY_CODE.items())
def test_each_error_code_has_its_sentence(code, expected):
    assert payment_failure("requires_payment_method", code, None) == expected
    assert payment_failure("requires_payment_method", code, "") == expected


@pytest.mark.parametrize(("status", "expected"), BY_STATUS.items())
def test_each_status_has_its_sentence(status, expected):
    assert payment_failure(status) == expected
    assert payment_failure(status, "", "") == expected


def test_stripes_developer_text_never_reaches_the_payer():
    said = {payment_failure(s, c, d) for s in ("requires_payment_method", "requires_action", "canceled")
            for c in (None, "card_declined", "payment_intent_authentication_failure", "x")
            for d in (None, "insufficient_funds", "y")}
    assert not any("PaymentMethod" in s or "PaymentIntent" in s for s in said)
