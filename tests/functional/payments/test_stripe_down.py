"""Stripe down or slow, for real: the app's STRIPE_API_BASE is a loopback TCP switch in front of
the stand-in that refuses connections (down), forwards (up) or accepts and never answers (hang).
Approval never needs Stripe; the pay page says payment is unavailable, quickly, and works later;
a refund made while Stripe is unreachable is recorded and `flask payments reconcile` completes it."""
from __future__ import annotations

import time

import pytest

from invoices.billing.models import CreditNote, Payment, Refund
from invoices.payments import refunds
from licensing.core.db import get_session, utcnow
from licensing.core.models import Document
from licensing.licenses.models import License
from tests.stripe_fixtures import assert_no_secrets, invoice_row, issue_invoice, rows, stripe_config

UNAVAILABLE = "Payment is unavailable for now"
TIMEOUT = 0.5  # seconds, for each Stripe call of the app


@pytest.fixture
def app_config(stripe_switch) -> dict:
    return stripe_config(stripe_switch.base_url, STRIPE_TIMEOUT_SECONDS=TIMEOUT)


def _timed_get(client, path: str):  # noqa: ANN001, ANN202
    start = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - start


def test_approval_never_needs_stripe(seeded, client, staff, stripe_switch, quick_documents):  # noqa: ANN001
    stripe_switch.down()
    start = time.monotonic()
    issued = issue_invoice(seeded, staff)
    assert time.monotonic() - start < 2

    invoice = invoice_row(seeded, issued.invoice_number)
    assert (invoice.status, invoice.total, invoice.payment_intent_id, invoice.stripe_customer_id) == (
        "open", 81000, None, None)
    [lic] = rows(seeded, License, number=issued.license_number)
    assert (lic.status, lic.invoice_number) == ("pending_payment", issued.invoice_number)
    assert {d.number for d in rows(seeded, Document)} == {issued.license_number, issued.invoice_number}


@pytest.mark.parametrize("failure, within", [("down", 2.0), ("hang", 2 * TIMEOUT + 1.5)])
def test_the_pay_page_says_payment_is_unavailable_quickly_and_works_later(  # noqa: ANN001
        seeded, client, staff, stripe_switch, stripe_client, quick_documents, failure, within):
    issued = issue_invoice(seeded, staff)
    getattr(stripe_switch, failure)()

    page, took = _timed_get(client, issued.pay_path)

    body = page.get_data(as_text=True)
    assert page.status_code == 503
    assert UNAVAILABLE in body and "Nothing has been charged" in body
    assert f"(reference {issued.invoice_number})" in body  # bank transfer offered meanwhile
    assert 'name="card"' not in body
    assert_no_secrets(body)
    assert took < within, f"the 503 took {took:.2f} s"
    assert invoice_row(seeded, issued.invoice_number).payment_intent_id is None

    stripe_switch.up()
    page, took = _timed_get(client, issued.pay_path)

    assert page.status_code == 200 and 'name="card" value="success"' in page.get_data(as_text=True)
    intent_id = invoice_row(seeded, issued.invoice_number).payment_intent_id
    assert [i.id for i in stripe_client.v1.payment_intents.list().data] == [intent_id]


def test_the_return_page_keeps_processing_while_stripe_is_down(seeded, client, staff, stripe_switch,  # noqa: ANN001
                                                               quick_documents):
    issued = issue_invoice(seeded, staff)
    assert client.get(issued.pay_path).status_code == 200
    stripe_switch.down()

    page = client.get(f"{issued.pay_path}/return")

    assert page.status_code == 202 and 'data-status="processing"' in page.get_data(as_text=True)
    assert invoice_row(seeded, issued.invoice_number).status == "open"


def test_a_refund_while_stripe_is_unreachable_is_recorded_and_reconcile_completes_it(  # noqa: ANN001
        seeded, client, staff, stripe_switch, stripe_client, quick_documents):
    issued = issue_invoice(seeded, staff)
    assert client.get(issued.pay_path).status_code == 200
    paid = client.post(f"{issued.pay_path}/test-card", data={"card": "success"})
    assert client.get(paid.location).status_code == 200
    invoice = invoice_row(seeded, issued.invoice_number)
    assert invoice.status == "paid"
    stripe_switch.down()

    with seeded.test_request_context("/"):
        refund_id = refunds.refund(get_session(), invoice.id, 81000, "Withdrawn.", "finance@desk.test").id

    [pending] = rows(seeded, Refund, id=refund_id)
    assert (pending.status, pending.attempts, pending.stripe_refund_id) == ("pending", 1, None)
    assert pending.last_error.startswith("Unavailable: ")
    [note] = rows(seeded, CreditNote)
    assert (note.number, note.total, pending.credit_note_id) == (f"CN-{utcnow().year}-00001", 81000, note.id)
    assert rows(seeded, Document, number=note.number)[0].kind == "credit_note"
    assert invoice_row(seeded, issued.invoice_number).refunded_amount == 81000
    [lic] = rows(seeded, License, number=issued.license_number)
    assert lic.status == "revoked"
    runner = seeded.test_cli_runner()

    still_down = runner.invoke(args=["payments", "reconcile"])

    assert still_down.exit_code == 0, still_down.output
    assert still_down.output == "0 open invoice(s) checked, 0 changed; 1 pending refund(s) retried, 0 done.\n"
    assert rows(seeded, Refund, id=refund_id)[0].attempts == 2

    stripe_switch.up()
    back = runner.invoke(args=["payments", "reconcile"])

    assert back.output == "0 open invoice(s) checked, 0 changed; 1 pending refund(s) retried, 1 done.\n"
    [done] = rows(seeded, Refund, id=refund_id)
    assert (done.status, done.attempts, done.completed_at is not None) == ("succeeded", 3, True)
    at_stripe = stripe_client.v1.refunds.retrieve(done.stripe_refund_id)
    assert (at_stripe.amount, at_stripe.status, at_stripe.payment_intent) == (81000, "succeeded",
                                                                               invoice.payment_intent_id)

    again = runner.invoke(args=["payments", "reconcile"])

    assert again.output == "0 open invoice(s) checked, 0 changed; 0 pending refund(s) retried, 0 done.\n"
    assert len(stripe_client.v1.refunds.list().data) == 1
    assert len(rows(seeded, Payment)) == 1 and len(rows(seeded, CreditNote)) == 1
