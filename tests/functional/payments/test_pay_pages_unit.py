"""The pay and return pages with a FakeGateway answering for Stripe: states the stand-in cannot
easily produce (a flagged payment, Stripe not configured, an invoice that is not open)."""
from __future__ import annotations

import pytest

from invoices.billing.models import Payment
from tests.staff_fixtures import execute
from tests.stripe_fixtures import (
    NOWHERE_BASE,
    FakeGateway,
    assert_no_secrets,
    intent_event,
    invoice_row,
    issue_invoice,
    make_intent,
    post_event,
    rows,
    stripe_config,
)


@pytest.fixture
def app_config() -> dict:
    return stripe_config(NOWHERE_BASE)


@pytest.fixture
def fake(app) -> FakeGateway:  # noqa: ANN001
    app.extensions["stripe_gateway"] = gateway = FakeGateway()
    return gateway


@pytest.fixture
def issued(seeded, staff, quick_documents):  # noqa: ANN001, ANN201
    return issue_invoice(seeded, staff)


def test_a_flagged_payment_says_it_is_being_checked_and_never_offers_to_pay_again(  # noqa: ANN001
        seeded, client, fake, issued, finance):
    assert client.get(issued.pay_path).status_code == 200
    fake.intents["pi_fake1"] = make_intent("pi_fake1", "succeeded", 1000, metadata={
        "invoice_number": issued.invoice_number})  # Stripe took 10.00, the invoice is for 810.00

    page = client.get(issued.pay_path, follow_redirects=True)

    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-status="checking"' in body and "Your payment is being checked" in body
    assert "Please do not pay again" in body and 'http-equiv="refresh"' not in body
    assert 'name="card"' not in body and "data-client-secret" not in body
    invoice = invoice_row(seeded, issued.invoice_number)
    assert (invoice.status, invoice.flagged) == ("open", True)
    assert rows(seeded, Payment) == []


def test_the_return_page_waits_for_stripe_while_the_payment_is_processing(seeded, client, fake, issued):  # noqa: ANN001
    assert client.get(issued.pay_path).status_code == 200
    fake.intents["pi_fake1"] = make_intent("pi_fake1", "processing", 81000)

    page = client.get(f"{issued.pay_path}/return")

    body = page.get_data(as_text=True)
    assert page.status_code == 202
    assert 'data-status="processing"' in body and '<meta http-equiv="refresh" content="2">' in body
    assert client.get(issued.pay_path).status_code == 302  # no second payment while processing

    fake.down = True  # Stripe unreachable: still "processing", never an error page
    page = client.get(f"{issued.pay_path}/return")
    assert page.status_code == 202 and 'data-status="processing"' in page.get_data(as_text=True)


@pytest.mark.parametrize("status", ["void", "uncollectible"])
def test_an_invoice_that_is_not_open_cannot_be_paid(seeded, client, fake, issued, status):  # noqa: ANN001
    execute(seeded, "UPDATE invoices SET status = :s WHERE number = :n", s=status, n=issued.invoice_number)

    page = client.get(issued.pay_path)

    assert page.status_code == 200
    assert f"This invoice is {status} and cannot be paid." in page.get_data(as_text=True)
    assert fake.calls == []  # Stripe was not asked for anything
    assert invoice_row(seeded, issued.invoice_number).payment_intent_id is None


def test_without_a_stripe_key_payment_is_unavailable(seeded, client, issued):  # noqa: ANN001
    seeded.config["SETTINGS"].stripe_secret_key = None
    seeded.extensions.pop("stripe_gateway", None)

    page = client.get(issued.pay_path)

    body = page.get_data(as_text=True)
    assert page.status_code == 503 and "Payment is unavailable for now" in body
    assert "Sort code 00-00-00" in body  # bank transfer is offered instead
    assert post_event(client, intent_event("pi_x", amount=81000)).status_code == 400


def test_a_wrong_payment_token_is_not_found(seeded, client, fake, issued):  # noqa: ANN001
    number = issued.invoice_number
    for path in (f"/pay/{number}/{'0' * 32}", f"/pay/{number}/x", issued.pay_path.replace(number, "INV-2026-99999")):
        response = client.get(path)
        assert response.status_code == 404
        assert_no_secrets(response.get_data(as_text=True))
    assert fake.calls == []
