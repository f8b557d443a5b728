"""The refund job with a FakeGateway: every attempt at Stripe carries the same idempotency key, so a
retry after an answer lost on the way can never refund twice; a done refund is not sent again."""
from __future__ import annotations

import pytest

from invoices.billing.models import Refund
from invoices.payments import refunds
from licensing.core.db import get_session, utcnow
from tests.stripe_fixtures import (
    NOWHERE_BASE,
    FakeGateway,
    intent_event,
    invoice_row,
    issue_invoice,
    post_event,
    rows,
    stripe_config,
    succeeded,
)


@pytest.fixture
def app_config() -> dict:
    return stripe_config(NOWHERE_BASE)


def test_refund_attempts_share_one_idempotency_key(seeded, client, staff, quick_documents):  # noqa: ANN001
    seeded.extensions["stripe_gateway"] = fake = FakeGateway()
    issued = issue_invoice(seeded, staff)
    assert client.get(issued.pay_path).status_code == 200
    fake.intents["pi_fake1"] = succeeded(fake.intents["pi_fake1"])
    meta = {"invoice_number": issued.invoice_number}
    assert post_event(client, intent_event("pi_fake1", amount=81000, metadata=meta)).get_json()["result"] == "paid"
    invoice_id = invoice_row(seeded, issued.invoice_number).id

    fake.down = True
    with seeded.test_request_context("/"):
        refund_id = refunds.refund(get_session(), invoice_id, 20000, "Partly withdrawn.", "finance@desk.test").id
        assert refunds.retry_pending_refunds(get_session()) == [(refund_id, "pending")]
        fake.down = False
        assert refunds.retry_pending_refunds(get_session()) == [(refund_id, "succeeded")]
        assert refunds.retry_pending_refunds(get_session()) == []
        assert refunds.execute_refund(refund_id) == "succeeded"  # run again by a late job: nothing sent

    key = f"refund-pi_fake1-CN-{utcnow().year}-00001"
    assert fake.called("refund") == [("refund", "pi_fake1", 20000, {"idempotency_key": key})] * 3
    [row] = rows(seeded, Refund)
    assert (row.status, row.attempts, row.stripe_refund_id) == ("succeeded", 3, "re_fake1")
