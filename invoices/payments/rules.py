"""What to tell a payer when Stripe refuses a payment (pure): Stripe's own text is written for
developers ("The provided PaymentMethod has failed authentication"), so the pay pages say in plain
words what happened and what to do, chosen by Stripe's decline code, then its error code, then the
PaymentIntent's status. Finance still sees Stripe's text on the invoice timeline."""
from __future__ import annotations

TRY_AGAIN = "You can try again with the same card or another one."
ANOTHER_CARD = "Please try another card, or ask your bank why the payment was refused."

BY_DECLINE_CODE = {
    "insufficient_funds": "Your card has not enough funds for this payment. " + ANOTHER_CARD,
    "lost_card": "Your bank refused the payment: the card is reported lost. Please use another card.",
    "stolen_card": "Your bank refused the payment: the card is reported stolen. Please use another card.",
    "expired_card": "Your card has expired. Please use another card.",
    "incorrect_cvc": "The security code (the three digits on the back of the card) is not right. " + TRY_AGAIN,
    "incorrect_number": "The card number is not right. Please check it and try again.",
    "card_velocity_exceeded": "Your card has reached its spending limit. " + ANOTHER_CARD,
    "authentication_required": "Your bank asks you to confirm this payment in your banking app or by "
                               "text message. " + TRY_AGAIN,
    "processing_error": "The payment could not be processed, through nobody's fault. " + TRY_AGAIN,
}
BY_CODE = {
    "payment_intent_authentication_failure": (
        "Your bank's security check (3-D Secure) was not completed, so the payment was not made. "
        "Try again and confirm the payment when your bank asks, in its app or by text message."),
    "card_declined": "Your bank declined the payment. " + ANOTHER_CARD,
    "expired_card": BY_DECLINE_CODE["expired_card"],
    "incorrect_cvc": BY_DECLINE_CODE["incorrect_cvc"],
    "incorrect_number": BY_DECLINE_CODE["incorrect_number"],
    "processing_error": BY_DECLINE_CODE["processing_error"],
}
BY_STATUS = {
    "requires_action": "The payment waits for your bank's security check. " + TRY_AGAIN,
    "canceled": "This payment attempt was cancelled. " + TRY_AGAIN,
}
FALLBACK = "The payment did not go through. " + TRY_AGAIN


def payment_failure(status: str, code: str | None = None, decline_code: str | None = None) -> str:
    """The sentence a payer reads after a failed payment (never Stripe's developer text)."""
    return BY_DECLINE_CODE.get(decline_code or "") or BY_CODE.get(code or "") or BY_STATUS.get(status) or FALLBACK
