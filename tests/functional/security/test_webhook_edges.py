"""Issue 13, item 9 (info): small webhook and stand-in gaps.

Expected:
- a correctly signed webhook with no event id, an id that is not a string, an object that is not
  a JSON object, or a list as the object's id, gets 400 (JSON error), stores nothing, never 500;
- the 5-minute signature tolerance applies both ways: a signature dated more than 300 s in the
  future is refused like one more than 300 s old; within 300 s either way it is accepted;
- four test-card payments of one invoice submitted at once each get a clean answer (no 5xx), and
  the invoice is paid exactly once."""
from __future__ import annotations

import threading
import time

import pytest
import requests

from invoices.billing.models import Payment, StripeEvent
from tests.stripe_fixtures import (  # noqa: F401
    NOWHERE_BASE,
    FakeGateway,
    LiveServer,
    intent_event,
    invoice_row,
    issue_invoice,
    post_event,
    rows,
    standin,
    standin_server,
    stripe_config,
)


@pytest.fixture
def app_config() -> dict:
    return stripe_config(NOWHERE_BASE)


@pytest.fixture
def fake(app) -> FakeGateway:  # noqa: ANN001
    gateway = FakeGateway()
    app.extensions["stripe_gateway"] = gateway
    return gateway


def _event(**changes) -> dict:  # noqa: ANN003
    event = intent_event("pi_nowhere", amount=81000)
    for key, value in changes.items():
        if key == "object_id":
            event["data"]["object"]["id"] = value
        elif value is None:
            event.pop(key)
        else:
            event[key] = value
    return event


@pytest.mark.parametrize(("case", "event"), [
    ("no event id", _event(id=None)),
    ("a list as the event id", _event(id=["evt_1", "evt_2"])),
    ("a number as the event id", _event(id=12345)),
    ("a list as the object id", _event(object_id=["pi_1", "pi_2"])),
    ("an object as the object id", _event(object_id={"id": "pi_1"})),
    ("data that is a string", _event(data="payment_intent")),
    ("an object that is a list", _event(data={"object": ["pi_1"]})),
])
def test_a_signed_but_malformed_event_is_400_and_stores_nothing(app, client, fake, case, event):
    response = post_event(client, event)
    assert response.status_code == 400, (case, response.status_code)
    assert response.is_json and response.get_json()["error"], case
    assert rows(app, StripeEvent) == []


def test_a_well_formed_event_is_accepted(app, client, fake):
    """The counterpart: the same event, with its id, is stored and answered 200."""
    response = post_event(client, _event())
    assert response.status_code == 200
    assert len(rows(app, StripeEvent)) == 1


@pytest.mark.parametrize(("offset", "status"), [(-3600, 400), (-301 - 5, 400), (-200, 200), (0, 200), (200, 200),
                                                 (301 + 5, 400), (3600, 400)])
def test_the_signature_tolerance_applies_both_ways(app, client, fake, offset, status):
    response = post_event(client, _event(), timestamp=int(time.time()) + offset)
    assert response.status_code == status, (offset, response.status_code)


class TestConcurrentTestCards:
    @pytest.fixture
    def app_config(self, standin) -> dict:  # noqa: F811
        return stripe_config(standin.base_url)

    @pytest.mark.parametrize("card", ["success", "3ds", "decline"])
    def test_four_test_card_payments_at_once_never_500(self, seeded, monkeypatch, card):
        from tests.documents_helpers import no_rendering
        from tests.staff_fixtures import add_user

        no_rendering(monkeypatch)
        issued = issue_invoice(seeded, add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"]))
        assert seeded.test_client().get(issued.pay_path).status_code == 200  # the page made its PaymentIntent
        server = LiveServer(seeded).start()
        statuses: list[int] = []
        barrier = threading.Barrier(4)

        def pay() -> None:
            barrier.wait()
            answer = requests.post(f"{server.url}{issued.pay_path}/test-card", data={"card": card},
                                   allow_redirects=False, timeout=60)
            statuses.append(answer.status_code)

        threads = [threading.Thread(target=pay) for _ in range(4)]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(90)
        finally:
            server.stop()
        assert len(statuses) == 4 and all(s < 500 for s in statuses), statuses
        assert seeded.test_client().get(f"{issued.pay_path}/return").status_code in (200, 202)  # asks Stripe
        if card == "success":
            assert invoice_row(seeded, issued.invoice_number).status == "paid"
            assert len(rows(seeded, Payment)) == 1
        else:
            assert rows(seeded, Payment) == []
