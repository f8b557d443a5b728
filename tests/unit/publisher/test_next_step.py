"""What the tracking page says comes next, for every state of a request, its license and its invoice."""
from __future__ import annotations

import pytest

from licensing.intake.rules.workflow import STATUSES
from licensing.publisher.rules import next_step, payable_online

WAIT_FOR_US = ("Our licensing team is reviewing your request. We will e-mail you when they decide, or if they "
               "need to know more.")


@pytest.mark.parametrize(("request_status", "license_status", "invoice_status", "words"), [
    ("submitted", None, None, "We have your request. Our licensing team will review it and e-mail you when they "
                              "decide, or if they need to know more."),
    ("in_review", None, None, WAIT_FOR_US),
    ("needs_info", None, None, "Answer our question below. Your request goes back into review as soon as you do."),
    ("rejected", None, None, "Nothing more to do: we could not approve this request (the timeline below says why). "
                             "You are welcome to send a new request."),
    ("withdrawn", None, None, "Nothing more to do: you withdrew this request."),
    ("expired", None, None, "Nothing more to do: this request closed because our question was not answered in "
                            "time. You are welcome to send a new request."),
    ("approved", None, None, "Your licence and invoice are being issued. Reload this page in a moment."),
    ("approved", "pending_payment", None, "Your licence and invoice are being issued. Reload this page in a moment."),
    ("approved", "pending_payment", "open", "Pay the invoice. Your licence takes effect as soon as we receive the "
                                            "payment."),
    ("approved", "pending_payment", "uncollectible", "Your invoice is with our finance team and can no longer be "
                                                     "paid online: please contact us to settle it. Your licence "
                                                     "takes effect once it is paid."),
    ("approved", "pending_payment", "paid", "We have your payment: your licence takes effect in a moment. Reload "
                                            "this page shortly."),
    ("approved", "active", "paid", "Your licence is active: get the republication package below and publish the "
                                   "article with its credit line."),
    ("approved", "expired", "paid", "Your licence has ended. To republish the article again, send a new request."),
    ("approved", "revoked", "paid", "Your licence has been revoked: the article may no longer be used. Take down "
                                    "your copy."),
    ("approved", "cancelled", "void", "Your licence was cancelled and its invoice voided: nothing is due. You are "
                                      "welcome to send a new request."),
])
def test_next_step(request_status, license_status, invoice_status, words):
    assert next_step(request_status, license_status, invoice_status) == words


def test_every_request_and_license_status_has_its_own_words():
    license_statuses = ("pending_payment", "active", "expired", "revoked", "cancelled")  # licenses.models
    said = [next_step(status) for status in STATUSES if status != "approved"]
    said += [next_step("approved", status, "open") for status in license_statuses]
    assert len(set(said)) == len(said) == 11


@pytest.mark.parametrize(("license_status", "invoice_status", "payable"), [
    ("pending_payment", "open", True),
    ("pending_payment", "uncollectible", False),
    ("pending_payment", "paid", False),
    ("pending_payment", None, False),
    ("active", "paid", False),
    ("cancelled", "void", False),
    ("revoked", "paid", False),
    (None, None, False),
])
def test_only_an_open_invoice_of_a_license_waiting_for_it_is_paid_online(license_status, invoice_status, payable):
    assert payable_online(license_status, invoice_status) is payable
