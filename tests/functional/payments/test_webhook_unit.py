"""POST /stripe/webhook without a Stripe server: a FakeGateway answers for Stripe, so each test
chooses what Stripe "really" says about a PaymentIntent and what the (signed) event claims.

Signatures are computed here with HMAC-SHA256 of "{t}.{payload}", independently of the app."""
from __future__ import annotations

import json
import time

import pytest

from invoices.billing.models import InvoiceEvent, Payment, StripeEvent
from licensing.licenses.models import License
from tests.staff_fixtures import mails
from tests.stripe_fixtures import (
    NOWHERE_BASE,
    WEBHOOK_SECRET,
    FakeGateway,
    assert_no_secrets,
    intent_event,
    invoice_row,
    issue_invoice,
    make_intent,
    post_event,
    rows,
    signature_header,
    stripe_config,
    succeeded,
    timeline,
)

LICENSEE = "jo@leeds-post.example"


@pytest.fixture
def app_config() -> dict:
    """Stripe settings, but nothing listens at the API base: the FakeGateway answers instead."""
    return stripe_config(NOWHERE_BASE)


@pytest.fixture
def fake(app) -> FakeGateway:  # noqa: ANN001
    gateway = FakeGateway()
    app.extensions["stripe_gateway"] = gateway
    return gateway


@pytest.fixture
def paying(seeded, staff, fake, client, quick_documents):  # noqa: ANN001
    """An open invoice whose PaymentIntent the pay page created (through the fake)."""
    issued = issue_invoice(seeded, staff)
    response = client.get(issued.pay_path)
    assert response.status_code == 200, response.get_data(as_text=True)
    intent_id = invoice_row(seeded, issued.invoice_number).payment_intent_id
    assert intent_id == "pi_fake1"
    assert fake.called("create_intent") == [("create_intent", 81000, "GBP", "cus_fake", {
        "invoice_number": issued.invoice_number, "license_number": issued.license_number})]
    return issued


def _meta(issued) -> dict:  # noqa: ANN001
    return {"invoice_number": issued.invoice_number, "license_number": issued.license_number}


def _license(app, issued):  # noqa: ANN001, ANN202
    [lic] = rows(app, License, number=issued.license_number)
    return lic


def _mark_succeeded(fake: FakeGateway, intent_id: str = "pi_fake1", **changes) -> None:  # noqa: ANN003
    fake.intents[intent_id] = succeeded(fake.intents[intent_id], **changes)


def _paid_event(issued, **kw) -> dict:  # noqa: ANN001, ANN003
    return intent_event("pi_fake1", amount=issued.total, metadata=_meta(issued), **kw)


# ------------------------------------------------------------------------------------------ signatures

def test_a_validly_signed_event_is_stored_then_marks_the_invoice_paid(app, client, fake, paying):  # noqa: ANN001
    _mark_succeeded(fake)
    event = _paid_event(paying)

    response = post_event(client, event)

    assert response.status_code == 200
    assert response.get_json() == {"received": event["id"], "result": "paid"}
    [stored] = rows(app, StripeEvent)
    assert (stored.id, stored.type, stored.object_id, stored.result) == (
        event["id"], "payment_intent.succeeded", "pi_fake1", "paid")
    assert stored.processed_at is not None and stored.payload["data"]["object"]["id"] == "pi_fake1"
    invoice = invoice_row(app, paying.invoice_number)
    assert invoice.status == "paid" and invoice.paid_at is not None
    [payment] = rows(app, Payment, invoice_id=invoice.id)
    assert (payment.method, payment.amount, payment.currency, payment.payment_intent_id, payment.charge_id) == (
        "stripe", 81000, "GBP", "pi_fake1", "ch_fake1")
    assert _license(app, paying).status == "active"
    [receipt] = mails(app, to=LICENSEE, tag_contains="receipt:")
    assert paying.license_number in receipt.body_text and paying.invoice_number in receipt.body_text
    assert ("paid", "Paid by card through Stripe (webhook).") in timeline(app, paying.invoice_number)


def test_a_signature_just_inside_five_minutes_is_accepted(app, client, fake, paying):  # noqa: ANN001
    _mark_succeeded(fake)
    response = post_event(client, _paid_event(paying), timestamp=int(time.time()) - 290)
    assert response.status_code == 200 and response.get_json()["result"] == "paid"


def _tampered(client, event):  # noqa: ANN001, ANN202
    payload = json.dumps(event).encode()
    header = signature_header(payload, WEBHOOK_SECRET)
    return post_event(client, payload.replace(b'"amount": 81000', b'"amount": 1'), header=header)


REFUSED = {
    "wrong secret": lambda client, event: post_event(client, event, secret="whsec_somebody_else"),
    "tampered body": _tampered,
    "older than 300 s": lambda client, event: post_event(client, event, timestamp=int(time.time()) - 301),
    "no signature header": lambda client, event: post_event(client, event, header=""),
    "malformed header": lambda client, event: post_event(client, event, header="t=yesterday,v1=abc"),
    "signed, not JSON": lambda client, event: post_event(client, b"paid, honestly"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_badly_signed_event_is_refused_and_nothing_is_stored(app, client, fake, paying, case):  # noqa: ANN001
    _mark_succeeded(fake)
    response = REFUSED[case](client, _paid_event(paying))

    assert response.status_code == 400
    assert response.get_json() == {"error": "Invalid payload or signature."}
    assert rows(app, StripeEvent) == []
    assert invoice_row(app, paying.invoice_number).status == "open"
    assert fake.called("retrieve_intent") == []  # Stripe was not even asked
    assert rows(app, Payment) == []


def test_without_a_webhook_secret_every_event_is_refused(app, client, fake, paying):  # noqa: ANN001
    _mark_succeeded(fake)
    app.config["SETTINGS"].stripe_webhook_secret = None
    for secret in (WEBHOOK_SECRET, ""):
        response = post_event(client, _paid_event(paying), secret=secret)
        assert response.status_code == 400
        assert_no_secrets(response.get_data(as_text=True))
    assert rows(app, StripeEvent) == []
    assert invoice_row(app, paying.invoice_number).status == "open"


# ------------------------------------------------------------------------------------------ repeats, order

def test_a_replayed_event_is_acknowledged_and_processed_once(app, client, fake, paying):  # noqa: ANN001
    _mark_succeeded(fake)
    event = _paid_event(paying)

    first, second = post_event(client, event), post_event(client, event)

    assert first.status_code == second.status_code == 200
    assert first.get_json()["result"] == "paid"
    assert second.get_json() == {"received": event["id"], "result": "duplicate"}
    assert len(rows(app, StripeEvent)) == 1
    assert len(rows(app, Payment)) == 1
    assert len(mails(app, to=LICENSEE, tag_contains="receipt:")) == 1
    assert [k for k, _ in timeline(app, paying.invoice_number)].count("paid") == 1
    assert fake.called("retrieve_intent") == [("retrieve_intent", "pi_fake1")]  # the first delivery only


def test_an_event_whose_processing_failed_is_processed_when_it_comes_again(app, client, fake, paying):  # noqa: ANN001
    _mark_succeeded(fake)
    event = _paid_event(paying)
    fake.down = True
    response = post_event(client, event)
    assert response.status_code == 503  # Stripe retries a webhook that did not get a 2xx
    [stored] = rows(app, StripeEvent)
    assert stored.processed_at is None
    assert invoice_row(app, paying.invoice_number).status == "open"

    fake.down = False
    response = post_event(client, event)

    assert response.status_code == 200 and response.get_json()["result"] == "paid"
    [stored] = rows(app, StripeEvent)
    assert stored.processed_at is not None and stored.result == "paid"
    assert invoice_row(app, paying.invoice_number).status == "paid"


STRIPE_SAYS_LATER = {
    "succeeded (the truth)": lambda i: i,
    "requires_payment_method (stale)": lambda i: make_intent(i.id, "requires_payment_method", i.amount,
                                                             metadata=i.metadata, error="Your card was declined."),
    "canceled": lambda i: make_intent(i.id, "canceled", i.amount, metadata=i.metadata),
}


@pytest.mark.parametrize("later", STRIPE_SAYS_LATER)
def test_out_of_order_events_never_move_a_paid_invoice_backwards(app, client, fake, paying, later):  # noqa: ANN001
    _mark_succeeded(fake)
    assert post_event(client, _paid_event(paying)).get_json()["result"] == "paid"
    paid = invoice_row(app, paying.invoice_number)

    fake.intents["pi_fake1"] = STRIPE_SAYS_LATER[later](fake.intents["pi_fake1"])
    for kind, status in (("payment_intent.payment_failed", "requires_payment_method"),
                         ("payment_intent.canceled", "canceled"),
                         ("payment_intent.processing", "processing")):
        response = post_event(client, _paid_event(paying, kind=kind, status=status))
        assert response.status_code == 200

    invoice = invoice_row(app, paying.invoice_number)
    assert (invoice.status, invoice.paid_at, invoice.flagged) == ("paid", paid.paid_at, False)
    assert len(rows(app, Payment)) == 1
    assert _license(app, paying).status == "active"
    assert len(mails(app, to=LICENSEE, tag_contains="receipt:")) == 1
    assert len(rows(app, StripeEvent)) == 4


def test_a_failed_payment_goes_on_the_timeline_once(app, client, fake, paying):  # noqa: ANN001
    fake.intents["pi_fake1"] = make_intent("pi_fake1", "requires_payment_method", 81000, metadata=_meta(paying),
                                           error="Your card has insufficient funds.")
    for _ in range(2):  # two events (two ids) about the same failure
        response = post_event(client, _paid_event(paying, kind="payment_intent.payment_failed",
                                                  status="requires_payment_method"))
        assert response.get_json()["result"] == "failed"

    assert [e for e in timeline(app, paying.invoice_number) if e[0] == "payment_failed"] == [
        ("payment_failed", "Your card has insufficient funds.")]
    assert invoice_row(app, paying.invoice_number).status == "open"


def test_an_event_type_not_handled_is_stored_and_ignored(app, client, fake, paying):  # noqa: ANN001
    event = {"id": "evt_customer1", "type": "customer.created", "data": {"object": {"id": "cus_fake"}}}
    response = post_event(client, event)
    assert response.get_json() == {"received": "evt_customer1", "result": "ignored"}
    [stored] = rows(app, StripeEvent)
    assert (stored.type, stored.result) == ("customer.created", "ignored")


# ------------------------------------------------------------------------------------------ trust and checks

@pytest.mark.parametrize("stripe_says, result", [
    ("requires_payment_method", "requires_payment_method"), ("requires_action", "requires_action"),
    ("processing", "processing"), ("unknown to Stripe", "unknown payment intent")])
def test_the_event_body_is_not_trusted_stripe_is_asked_again(app, client, fake, paying, stripe_says,  # noqa: ANN001
                                                            result):
    if stripe_says == "unknown to Stripe":
        del fake.intents["pi_fake1"]
    else:
        fake.intents["pi_fake1"] = make_intent("pi_fake1", stripe_says, 81000, metadata=_meta(paying))
    calls = len(fake.called("retrieve_intent"))

    response = post_event(client, _paid_event(paying))  # claims: succeeded, the right amount

    assert response.get_json()["result"] == result
    assert fake.called("retrieve_intent")[calls:] == [("retrieve_intent", "pi_fake1")]
    assert invoice_row(app, paying.invoice_number).status == "open"
    assert rows(app, Payment) == []
    assert _license(app, paying).status == "pending_payment"


@pytest.mark.parametrize("amount, currency, said", [
    (80900, "GBP", "£809.00"), (81000, "EUR", "€810.00"), (810000, "GBP", "£8,100.00")])
def test_an_amount_or_currency_mismatch_flags_the_invoice_for_finance(  # noqa: ANN001
        app, client, fake, paying, finance, amount, currency, said):
    fake.intents["pi_fake1"] = make_intent("pi_fake1", "succeeded", amount, currency, metadata=_meta(paying))
    for _ in range(2):  # a second event about it: no second flag, no second e-mail
        response = post_event(client, _paid_event(paying))  # the event claims the right amount
        assert response.get_json()["result"] == "flagged"

    invoice = invoice_row(app, paying.invoice_number)
    assert (invoice.status, invoice.flagged) == ("open", True)
    assert invoice.flag_reason == (f"Stripe reports {said} paid, the invoice is for £810.00.")  # bug 4
    assert rows(app, Payment) == []
    assert _license(app, paying).status == "pending_payment"
    assert mails(app, to=LICENSEE, tag_contains="receipt:") == []
    [mail] = mails(app, tag_contains="flag:")
    assert mail.to_address == "finance@desk.test"  # not the reviewer, who has no finance role
    assert mail.subject == f"Payment check needed for {paying.invoice_number}"
    assert f"pi_fake1 (succeeded, {amount} {currency})" in mail.body_text
    assert invoice.flag_reason in mail.body_text
    flagged = [e for e in rows(app, InvoiceEvent, invoice_id=invoice.id) if e.kind == "flagged"]
    assert [(e.message, e.data["amount"], e.data["currency"]) for e in flagged] == [
        (invoice.flag_reason, amount, currency)]


def test_a_payment_on_an_earlier_intent_of_the_invoice_still_counts(app, client, fake, paying):  # noqa: ANN001
    """The licensee paid an intent the app had since replaced: Stripe has the money, so it counts."""
    fake.intents["pi_earlier"] = make_intent("pi_earlier", "succeeded", 81000, metadata=_meta(paying))
    response = post_event(client, intent_event("pi_earlier", amount=81000, metadata=_meta(paying)))
    assert response.get_json()["result"] == "paid"
    [payment] = rows(app, Payment)
    assert payment.payment_intent_id == "pi_earlier"
    assert invoice_row(app, paying.invoice_number).status == "paid"


@pytest.mark.parametrize("stripe_metadata", [{}, {"invoice_number": "INV-2020-99999"}])
def test_an_intent_of_another_invoice_never_pays_this_one(app, client, fake, paying, stripe_metadata):  # noqa: ANN001
    """The event names this invoice, but Stripe's own PaymentIntent does not belong to it."""
    fake.intents["pi_other"] = make_intent("pi_other", "succeeded", 81000, metadata=stripe_metadata)
    response = post_event(client, intent_event("pi_other", amount=81000, metadata=_meta(paying)))
    assert response.status_code == 200
    assert response.get_json()["result"] == "payment intent of another invoice"
    assert invoice_row(app, paying.invoice_number).status == "open"
    assert rows(app, Payment) == []


def test_a_card_payment_after_a_bank_transfer_is_flagged_for_finance(app, client, fake, paying, finance):  # noqa: ANN001
    from invoices.finance import services as finance_service
    from licensing.core.db import get_session

    with app.test_request_context("/"):
        from licensing.core.clock import today

        finance_service.mark_paid(get_session(), paying.invoice_number, "fin@desk.test", "BACS-1",
                                  today().isoformat())
    _mark_succeeded(fake)

    response = post_event(client, _paid_event(paying))

    assert response.get_json()["result"] == "flagged"
    invoice = invoice_row(app, paying.invoice_number)
    assert (invoice.status, invoice.flagged) == ("paid", True)
    assert "already paid" in invoice.flag_reason
    assert [p.method for p in rows(app, Payment, invoice_id=invoice.id)] == ["bank_transfer"]
    [mail] = mails(app, tag_contains="flag:")
    assert mail.to_address == "finance@desk.test"
