"""Paying an invoice against the real local Stripe stand-in over HTTP (no mocks): one PaymentIntent
per invoice, the test cards (success, decline, 3-D Secure), the stand-in's own signed webhook, and
`flask payments reconcile` after a lost webhook. SQLite; the webhook path on PostgreSQL too."""
from __future__ import annotations

import json
import re
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests

from invoices.billing.models import Payment, StripeEvent
from licensing.licenses.models import License
from tests.staff_fixtures import mails
from tests.stripe_fixtures import (
    WEBHOOK_SECRET,
    LiveServer,
    assert_no_secrets,
    confirm_directly,
    invoice_row,
    issue_invoice,
    rows,
    signature_header,
    timeline,
    wait_for,
)

LICENSEE = "jo@leeds-post.example"
BURST = 12
BOTH_DATABASES = pytest.mark.parametrize("db_kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])


@pytest.fixture
def issued(seeded, staff, quick_documents):  # noqa: ANN001, ANN201
    return issue_invoice(seeded, staff)


def _visit(client, issued) -> str:  # noqa: ANN001
    """Open the pay page; the id of the invoice's PaymentIntent."""
    response = client.get(issued.pay_path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return invoice_row(client.application, issued.invoice_number).payment_intent_id


def _pay(client, issued, card: str):  # noqa: ANN001, ANN201
    return client.post(f"{issued.pay_path}/test-card", data={"card": card})


def _license(app, issued) -> License:  # noqa: ANN001
    [lic] = rows(app, License, number=issued.license_number)
    return lic


def _assert_paid(app, issued, intent_id: str, source: str, stripe_client) -> None:  # noqa: ANN001
    """Paid once: the invoice, its one Payment, the active license, one receipt."""
    invoice = invoice_row(app, issued.invoice_number)
    assert invoice.status == "paid" and invoice.paid_at is not None and not invoice.flagged
    [payment] = rows(app, Payment)
    charge = stripe_client.v1.payment_intents.retrieve(intent_id).latest_charge
    charge_id = charge if isinstance(charge, str) else charge.id
    assert (payment.invoice_id, payment.method, payment.amount, payment.currency, payment.payment_intent_id,
            payment.charge_id) == (invoice.id, "stripe", 81000, "GBP", intent_id, charge_id)
    assert _license(app, issued).status == "active"
    [receipt] = mails(app, to=LICENSEE, tag_contains="receipt:")
    assert receipt.subject == f"Receipt for invoice {issued.invoice_number}: licence {issued.license_number} is active"
    assert f"/verify/{issued.license_number}" in receipt.body_text and "£810.00" in receipt.body_text
    assert [m for k, m in timeline(app, issued.invoice_number) if k == "paid"] == [
        f"Paid by card through Stripe ({source})."]


def _verify_status(client, issued) -> str:  # noqa: ANN001
    page = client.get(f"/verify/{issued.license_number}")
    assert page.status_code == 200
    [status] = re.findall(r'id="license-status">([^<]*)<', page.get_data(as_text=True))
    return status


# ------------------------------------------------------------------------------------------ the pay page

def test_the_pay_page_creates_one_payment_intent_and_reuses_it(seeded, client, staff, issued,  # noqa: ANN001
                                                                stripe_client):
    first = client.get(issued.pay_path)

    body = first.get_data(as_text=True)
    assert first.status_code == 200
    assert f"Pay invoice {issued.invoice_number}" in body and "£810.00" in body and issued.license_number in body
    assert f'action="{issued.pay_path}/test-card"' in body and 'name="card" value="3ds"' in body
    assert_no_secrets(body)
    invoice = invoice_row(seeded, issued.invoice_number)
    intent_id = invoice.payment_intent_id
    assert intent_id.startswith("pi_")

    assert client.get(issued.pay_path).status_code == 200
    assert client.get(issued.pay_path).status_code == 200
    assert invoice_row(seeded, issued.invoice_number).payment_intent_id == intent_id

    [listed] = stripe_client.v1.payment_intents.list().data
    assert listed.id == intent_id
    intent = stripe_client.v1.payment_intents.retrieve(intent_id)
    assert (intent.amount, intent.currency, intent.status) == (81000, "gbp", "requires_payment_method")
    assert intent.customer == invoice.stripe_customer_id
    assert intent.metadata.to_dict() == {"invoice_number": issued.invoice_number,
                                         "license_number": issued.license_number}
    customer = stripe_client.v1.customers.retrieve(intent.customer)
    assert (customer.email, customer.name) == (LICENSEE, "Leeds Evening Post Ltd")
    assert [k for k, _ in timeline(seeded, issued.invoice_number)].count("payment_started") == 1

    other = issue_invoice(seeded, staff)  # same buyer: the same Stripe customer, its own intent
    other_intent = _visit(client, other)
    assert other_intent != intent_id
    assert invoice_row(seeded, other.invoice_number).stripe_customer_id == invoice.stripe_customer_id
    assert len(stripe_client.v1.payment_intents.list().data) == 2


def test_paying_with_the_success_card(seeded, client, issued, stripe_client, live_server):  # noqa: ANN001
    assert _verify_status(client, issued) == "Pending payment"
    intent_id = _visit(client, issued)

    response = _pay(client, issued, "success")

    assert response.status_code == 302 and response.location == f"{issued.pay_path}/return"
    page = client.get(response.location)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-status="paid"' in body and "Paid: thank you" in body
    assert_no_secrets(body)
    _assert_paid(seeded, issued, intent_id, "return page", stripe_client)
    assert _verify_status(client, issued) == "Active"

    # The stand-in's own webhook (about 1 s later) is acknowledged and changes nothing.
    [event] = wait_for(lambda: [e for e in rows(seeded, StripeEvent, type="payment_intent.succeeded",
                                                object_id=intent_id) if e.processed_at],
                       what="the stand-in's payment_intent.succeeded")
    assert event.result == "already paid"
    _assert_paid(seeded, issued, intent_id, "return page", stripe_client)


def test_a_second_submit_of_a_paid_card_form_does_not_fail_or_charge_twice(seeded, client, issued,  # noqa: ANN001
                                                                           stripe_client):
    intent_id = _visit(client, issued)
    assert _pay(client, issued, "success").status_code == 302

    again = _pay(client, issued, "success")  # the back button, before the return page was seen

    assert again.status_code == 302 and again.location == f"{issued.pay_path}/return"
    assert [(i.id, i.status) for i in stripe_client.v1.payment_intents.list().data] == [(intent_id, "succeeded")]
    assert client.get(again.location).status_code == 200
    _assert_paid(seeded, issued, intent_id, "return page", stripe_client)


def test_the_pay_page_of_an_invoice_paid_at_stripe_shows_it_paid(seeded, client, issued, stripe_client):  # noqa: ANN001
    """Paid through Stripe, but no webhook yet: the pay page must not offer to pay again."""
    intent_id = _visit(client, issued)
    confirm_directly(stripe_client, intent_id)

    page = client.get(issued.pay_path, follow_redirects=True)

    assert page.status_code == 200 and 'data-status="paid"' in page.get_data(as_text=True)
    _assert_paid(seeded, issued, intent_id, "return page", stripe_client)
    again = client.get(issued.pay_path)
    assert again.status_code == 200 and "This invoice is paid. Thank you." in again.get_data(as_text=True)


def test_a_declined_card_shows_stripes_message_and_a_retry_works(seeded, client, issued, stripe_client):  # noqa: ANN001
    declined_intent = _visit(client, issued)

    response = _pay(client, issued, "decline")

    body = response.get_data(as_text=True)
    stripe_message = stripe_client.v1.payment_intents.retrieve(declined_intent).last_payment_error.message
    assert stripe_message == "Your card was declined."
    assert response.status_code == 402
    # Bug 7: the payer reads plain words, not Stripe's text (which finance keeps on the timeline)
    assert ('id="pay-error">Your bank declined the payment. Please try another card, or ask your bank why the '
            'payment was refused. You have not been charged.') in body
    assert 'name="card" value="success"' in body  # the form again, to retry
    assert invoice_row(seeded, issued.invoice_number).status == "open"
    assert ("payment_failed", stripe_message) in timeline(seeded, issued.invoice_number)
    assert rows(seeded, Payment) == [] and _license(seeded, issued).status == "pending_payment"

    retry = _pay(client, issued, "success")

    assert retry.status_code == 302
    assert client.get(retry.location).status_code == 200
    paid_intent = invoice_row(seeded, issued.invoice_number).payment_intent_id
    # The stand-in cannot confirm a declined intent again: the retry used a fresh one, the old is canceled.
    assert paid_intent != declined_intent
    assert stripe_client.v1.payment_intents.retrieve(declined_intent).status == "canceled"
    _assert_paid(seeded, issued, paid_intent, "return page", stripe_client)


def test_3d_secure_approved_pays_the_invoice(seeded, client, issued, stripe_client):  # noqa: ANN001
    intent_id = _visit(client, issued)

    challenge = _pay(client, issued, "3ds")

    body = challenge.get_data(as_text=True)
    assert challenge.status_code == 200 and "3-D Secure check" in body
    assert f'action="{issued.pay_path}/authenticate"' in body
    assert stripe_client.v1.payment_intents.retrieve(intent_id).status == "requires_action"
    assert invoice_row(seeded, issued.invoice_number).status == "open"

    done = client.post(f"{issued.pay_path}/authenticate", data={"result": "approve"})

    assert done.status_code == 302 and done.location == f"{issued.pay_path}/return"
    assert stripe_client.v1.payment_intents.retrieve(intent_id).status == "succeeded"
    assert 'data-status="paid"' in client.get(done.location).get_data(as_text=True)
    _assert_paid(seeded, issued, intent_id, "return page", stripe_client)


def test_3d_secure_failed_leaves_the_invoice_open_with_a_message(seeded, client, issued, stripe_client):  # noqa: ANN001
    intent_id = _visit(client, issued)
    assert _pay(client, issued, "3ds").status_code == 200

    done = client.post(f"{issued.pay_path}/authenticate", data={"result": "fail"})
    page = client.get(done.location)

    body = page.get_data(as_text=True)
    message = "The provided PaymentMethod has failed authentication."
    assert stripe_client.v1.payment_intents.retrieve(intent_id).last_payment_error.message == message
    assert page.status_code == 200 and 'data-status="failed"' in body
    # Bug 7: plain words for the payer, never Stripe's developer text
    assert message not in body and "PaymentMethod" not in body
    assert ("Your bank&#39;s security check (3-D Secure) was not completed, so the payment was not made. Try again "
            "and confirm the payment when your bank asks, in its app or by text message.") in body
    assert "You have not been charged." in body
    assert invoice_row(seeded, issued.invoice_number).status == "open"
    assert ("payment_failed", message) in timeline(seeded, issued.invoice_number)
    assert rows(seeded, Payment) == [] and _license(seeded, issued).status == "pending_payment"

    retry = _pay(client, issued, "success")
    assert retry.status_code == 302 and client.get(retry.location).status_code == 200
    _assert_paid(seeded, issued, invoice_row(seeded, issued.invoice_number).payment_intent_id, "return page",
                 stripe_client)


def test_a_3d_secure_step_left_undone_does_not_stop_another_card(seeded, client, issued, stripe_client):  # noqa: ANN001
    """The licensee picks the 3-D Secure card, goes back without authenticating, and picks another."""
    first_intent = _visit(client, issued)
    assert _pay(client, issued, "3ds").status_code == 200
    assert client.get(issued.pay_path).status_code == 200  # back to the pay page

    retry = _pay(client, issued, "success")

    assert retry.status_code == 302 and client.get(retry.location).status_code == 200
    paid_intent = invoice_row(seeded, issued.invoice_number).payment_intent_id
    assert paid_intent != first_intent
    assert stripe_client.v1.payment_intents.retrieve(first_intent).status == "canceled"
    _assert_paid(seeded, issued, paid_intent, "return page", stripe_client)


# ------------------------------------------------------------------------------------------ webhooks, reconcile

@BOTH_DATABASES
def test_the_standins_webhook_marks_the_invoice_paid(seeded, client, issued, stripe_client, live_server,  # noqa: ANN001
                                                     db_kind):
    intent_id = _visit(client, issued)

    confirm_directly(stripe_client, intent_id)  # paid at Stripe, not through the app

    wait_for(lambda: invoice_row(seeded, issued.invoice_number).status == "paid", timeout=5,
             what="the webhook to mark the invoice paid")
    _assert_paid(seeded, issued, intent_id, "webhook", stripe_client)
    [event] = rows(seeded, StripeEvent, type="payment_intent.succeeded", object_id=intent_id)
    assert event.result == "paid" and event.processed_at is not None
    assert any(h.method == "POST" and h.status == 200 for h in live_server.webhook_hits())
    assert _verify_status(client, issued) == "Active"
    # The receipt (written while answering the stand-in) links a working tracking page.
    [receipt] = mails(seeded, to=LICENSEE, tag_contains="receipt:")
    [tracking] = re.findall(r"\S+/track/\S+", receipt.body_text)
    page = client.get(urlsplit(tracking).path)
    assert page.status_code == 200 and issued.license_number in page.get_data(as_text=True)


def test_a_lost_webhook_is_made_good_by_reconcile(seeded, client, staff, stripe_client,  # noqa: ANN001
                                                  quick_documents):
    """The app is not reachable when the stand-in sends its webhook (nothing listens where it is
    registered); `flask payments reconcile` applies what was missed, and a second run changes nothing."""
    paid, unpaid = issue_invoice(seeded, staff), issue_invoice(seeded, staff)
    paid_intent, _unpaid_intent = _visit(client, paid), _visit(client, unpaid)
    confirm_directly(stripe_client, paid_intent)
    assert invoice_row(seeded, paid.invoice_number).status == "open"
    runner = seeded.test_cli_runner()

    first = runner.invoke(args=["payments", "reconcile"])

    assert first.exit_code == 0, first.output
    assert first.output == (f"{paid.invoice_number}: paid\n2 open invoice(s) checked, 1 changed; "
                            "0 pending refund(s) retried, 0 done.\n")
    _assert_paid(seeded, paid, paid_intent, "reconciliation", stripe_client)
    assert invoice_row(seeded, unpaid.invoice_number).status == "open"
    paid_at = invoice_row(seeded, paid.invoice_number).paid_at

    second = runner.invoke(args=["payments", "reconcile"])

    assert second.exit_code == 0, second.output
    assert second.output == "1 open invoice(s) checked, 0 changed; 0 pending refund(s) retried, 0 done.\n"
    _assert_paid(seeded, paid, paid_intent, "reconciliation", stripe_client)
    assert invoice_row(seeded, paid.invoice_number).paid_at == paid_at


@BOTH_DATABASES
def test_a_burst_of_webhooks_at_once_marks_every_invoice_paid(seeded, client, staff, stripe_client,  # noqa: ANN001
                                                              quick_documents, db_kind):
    """Signed events for real, confirmed PaymentIntents, all sent at once over HTTP: every one is
    answered 200 and processed (SQLite: writers queue for the lock instead of failing). The
    stand-in's own webhooks go nowhere here, so each event below is the one that pays."""
    issued = [issue_invoice(seeded, staff) for _ in range(BURST)]
    payloads = []
    for n, invoice in enumerate(issued):
        intent = confirm_directly(stripe_client, _visit(client, invoice))
        payloads.append(json.dumps({"id": f"evt_burst_{n}", "object": "event", "type": "payment_intent.succeeded",
                                    "created": int(time.time()), "data": {"object": intent.to_dict()}}).encode())
    barrier = threading.Barrier(BURST)
    statuses: list[int] = []

    def send(payload: bytes) -> None:
        headers = {"Stripe-Signature": signature_header(payload, WEBHOOK_SECRET), "Content-Type": "application/json"}
        barrier.wait()
        statuses.append(requests.post(live_server.webhook_url, data=payload, headers=headers, timeout=30).status_code)

    threads = [threading.Thread(target=send, args=(p,)) for p in payloads]
    live_server = LiveServer(seeded).start()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        live_server.stop()

    assert statuses == [200] * BURST
    assert {invoice_row(seeded, i.invoice_number).status for i in issued} == {"paid"}
    events = {e.id: e for e in rows(seeded, StripeEvent) if e.id.startswith("evt_burst_")}
    assert sorted((e.result, e.processed_at is not None) for e in events.values()) == [("paid", True)] * BURST
    assert len(rows(seeded, Payment)) == BURST
