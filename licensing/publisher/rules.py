"""What the tracking page tells a publisher comes next, in plain words, from where the request, its
license and its invoice stand; and whether the invoice can be paid online. Statuses in, words out."""
from __future__ import annotations

from licensing.intake.rules import workflow

_WHILE_OPEN = {
    workflow.SUBMITTED: "We have your request. Our licensing team will review it and e-mail you when they "
                        "decide, or if they need to know more.",
    workflow.IN_REVIEW: "Our licensing team is reviewing your request. We will e-mail you when they decide, "
                        "or if they need to know more.",
    workflow.NEEDS_INFO: "Answer our question below. Your request goes back into review as soon as you do.",
    workflow.REJECTED: "Nothing more to do: we could not approve this request (the timeline below says why). "
                       "You are welcome to send a new request.",
    workflow.WITHDRAWN: "Nothing more to do: you withdrew this request.",
    workflow.EXPIRED: "Nothing more to do: this request closed because our question was not answered in time. "
                      "You are welcome to send a new request.",
}
_ONCE_LICENSED = {
    "active": "Your licence is active: get the republication package below and publish the article with its "
              "credit line.",
    "expired": "Your licence has ended. To republish the article again, send a new request.",
    "revoked": "Your licence has been revoked: the article may no longer be used. Take down your copy.",
    "cancelled": "Your licence was cancelled and its invoice voided: nothing is due. You are welcome to send "
                 "a new request.",
}
_AWAITING_PAYMENT: dict[str | None, str] = {
    "open": "Pay the invoice. Your licence takes effect as soon as we receive the payment.",
    "uncollectible": "Your invoice is with our finance team and can no longer be paid online: please contact "
                     "us to settle it. Your licence takes effect once it is paid.",
    "paid": "We have your payment: your licence takes effect in a moment. Reload this page shortly.",
}
_BEING_ISSUED = "Your licence and invoice are being issued. Reload this page in a moment."


def next_step(request_status: str, license_status: str | None = None, invoice_status: str | None = None) -> str:
    """The sentence that says what happens next (or that nothing more will)."""
    if request_status != workflow.APPROVED:
        return _WHILE_OPEN[request_status]
    if license_status is None:
        return _BEING_ISSUED
    if license_status == "pending_payment":
        return _AWAITING_PAYMENT.get(invoice_status, _BEING_ISSUED)  # no invoice yet (None): being issued
    return _ONCE_LICENSED[license_status]


def payable_online(license_status: str | None, invoice_status: str | None) -> bool:
    """The pay button: only an open invoice of a license waiting for its payment."""
    return license_status == "pending_payment" and invoice_status == "open"
