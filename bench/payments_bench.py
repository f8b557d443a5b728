"""Payment speed against the local Stripe stand-in (started here, in memory, on loopback) and a
temporary SQLite file migrated by the real migrations:

1. Webhook receipt -> invoice paid: POST /stripe/webhook of a correctly signed
   payment_intent.succeeded event for a real PaymentIntent (confirmed at the stand-in), through the
   Flask test client. The handler verifies the signature, stores the event, retrieves the intent
   again from the stand-in over HTTP and marks the invoice paid (payment row, license active,
   receipt e-mail queued), all before it answers.
2. The stand-in's own delivery, end to end: PaymentIntent confirmed at the stand-in -> its webhook
   reaches the app over real HTTP -> invoice paid (the invoice's paid_at minus the confirm time).
   localstripe waits a fixed 1 s before it sends; the figure without it is printed too.
3. The pay page: GET of an invoice's pay page once its PaymentIntent exists (one retrieve from the
   stand-in, then the page), and the first visit (which creates the customer and the intent).

PDF rendering of the approvals is switched off here (documents stay pending): it is not measured.

    .venv/bin/python bench/payments_bench.py [invoices]
"""
from __future__ import annotations

import hashlib
import hmac
import json
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import stripe
from common import Samples, print_table, quiet, row, seed_demo, sqlite_database
from werkzeug.serving import make_server

from invoices.payments.standin import StandIn

INVOICES = int(sys.argv[1]) if len(sys.argv) > 1 else 50
DELIVERED = 30  # invoices paid through the stand-in's own webhook (figure 2)
SECRET_KEY, PUBLISHABLE_KEY, WEBHOOK_SECRET = "sk_test_bench", "pk_test_bench", "whsec_bench"
EXAMPLE_URL = "https://www.middleeasteye.net/news/us-turkey-work-closely-deal-lasting-defeat-us-defence-secretary"


def make_app(url: str, api_base: str):  # noqa: ANN201
    from app import create_app

    application = create_app({
        "TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench-secret", "WTF_CSRF_ENABLED": False,
        "STRIPE_SECRET_KEY": SECRET_KEY, "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "STRIPE_API_BASE": api_base})
    quiet()
    import licensing.core.documents

    licensing.core.documents.render_job = lambda document_id: None  # PDFs are not what is measured
    return application


def approved_invoices(application, count: int) -> list[tuple[str, str]]:  # noqa: ANN001
    """Submit and approve `count` requests; (invoice number, pay path) of each."""
    from sqlalchemy import select

    from invoices.billing.services import pay_url
    from licensing.core.db import get_session, new_session
    from licensing.core.models import User, UserRole
    from licensing.intake.models import RepublishRequest
    from licensing.intake.rules.validation import validate_request
    from licensing.intake.services import submit_request
    from licensing.licenses.services import license_for_request
    from licensing.review import services as review

    with application.app_context(), new_session() as s:
        user = User(email="bench@desk.test", name="Bench", password_hash="!", active=True,
                    roles=[UserRole(role="staff")])
        s.add(user)
        s.commit()
        user_id = user.id
    data = {"article_url": EXAMPLE_URL, "organisation": "Leeds Evening Post Ltd", "contact_name": "Jo Bloggs",
            "email": "jo@leeds-post.example", "country": "GB", "vat_id": "GB980780684",
            "publication": "Leeds Evening Post", "publication_url": "https://leeds-post.example",
            "medium": "website", "audience": 25000, "territory": ["GB", "FR"], "language": "en",
            "term": "1_year", "start_date": (date.today() + timedelta(days=7)).isoformat(), "terms_accepted": True}
    made = []
    with application.test_request_context("/"):
        session = get_session()
        for _ in range(count):
            given, errors = validate_request(dict(data), date.today())
            assert not errors, errors
            reference = submit_request(session, given).request.reference
            review.approve(session, reference, session.get(User, user_id))
            request_id = session.scalars(select(RepublishRequest.id).where(
                RepublishRequest.reference == reference)).one()
            number = license_for_request(session, request_id).invoice_number
            made.append((number, urlsplit(pay_url(number)).path))
    return made


def intent_of(application, number: str) -> str:  # noqa: ANN001
    from sqlalchemy import select

    from invoices.billing.models import Invoice
    from licensing.core.db import new_session

    with application.app_context(), new_session() as s:
        return s.scalars(select(Invoice.payment_intent_id).where(Invoice.number == number)).one()


def paid_at(application, numbers: list[str]) -> dict[str, datetime]:  # noqa: ANN001
    from sqlalchemy import select

    from invoices.billing.models import Invoice
    from licensing.core.db import new_session

    with application.app_context(), new_session() as s:
        return dict(s.execute(select(Invoice.number, Invoice.paid_at).where(
            Invoice.number.in_(numbers), Invoice.status == "paid")).all())


class Clock:
    """Wall and CPU milliseconds of timed blocks: `with clock: ...`."""

    def __init__(self):
        self.samples = Samples()
        self.samples.cpu = []

    def __enter__(self):  # noqa: ANN204
        self._wall, self._cpu = time.perf_counter_ns(), time.thread_time_ns()

    def __exit__(self, *_exc) -> None:  # noqa: ANN002
        self.samples.cpu.append((time.thread_time_ns() - self._cpu) / 1e6)
        self.samples.append((time.perf_counter_ns() - self._wall) / 1e6)


def signed(payload: bytes) -> str:
    timestamp = int(time.time())
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def main() -> None:
    quiet()
    started = time.monotonic()
    standin = StandIn.start()
    stripe_client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": standin.base_url})
    try:
        with sqlite_database() as url:
            application = make_app(url, standin.base_url)
            seed_demo(application)
            client = application.test_client()
            invoices = approved_invoices(application, INVOICES + DELIVERED)

            first_visit, pay_page = Clock(), Clock()
            for _number, path in invoices:
                with first_visit:
                    response = client.get(path)
                assert response.status_code == 200, response.status_code
            for _ in range(3):
                for _number, path in invoices:
                    with pay_page:
                        response = client.get(path)
                    assert response.status_code == 200, response.status_code

            # 1. Signed webhook -> paid, through the app's handler (the stand-in's webhook goes nowhere).
            webhook = Clock()
            for i, (number, _path) in enumerate(invoices[:INVOICES]):
                intent_id = intent_of(application, number)
                stripe_client.v1.payment_intents.update(intent_id, params={"payment_method": "pm_card_visa"})
                intent = stripe_client.v1.payment_intents.confirm(intent_id)
                payload = json.dumps({"id": f"evt_bench_{i}", "object": "event", "type": "payment_intent.succeeded",
                                      "created": int(time.time()), "data": {"object": intent.to_dict()}}).encode()
                headers = {"Stripe-Signature": signed(payload), "Content-Type": "application/json"}
                with webhook:
                    response = client.post("/stripe/webhook", data=payload, headers=headers)
                assert response.get_json()["result"] == "paid", response.get_json()

            # 2. The stand-in's own webhook, over HTTP, end to end.
            server = make_server("127.0.0.1", 0, application, threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            from invoices.payments.gateway import StripeGateway

            StripeGateway(SECRET_KEY, standin.base_url).register_standin_webhook(
                f"http://127.0.0.1:{server.server_port}/stripe/webhook", WEBHOOK_SECRET)
            confirmed: dict[str, datetime] = {}
            batch = invoices[INVOICES:]
            for number, _path in batch:
                intent_id = intent_of(application, number)
                stripe_client.v1.payment_intents.update(intent_id, params={"payment_method": "pm_card_visa"})
                confirmed[number] = datetime.now(UTC).replace(tzinfo=None)
                stripe_client.v1.payment_intents.confirm(intent_id)
            deadline = time.monotonic() + 30
            while len(done := paid_at(application, list(confirmed))) < len(confirmed) and time.monotonic() < deadline:
                time.sleep(0.02)
            server.shutdown()
            assert len(done) == len(confirmed), f"{len(confirmed) - len(done)} webhook(s) never marked paid"
            delivery = [(done[n] - confirmed[n]).total_seconds() * 1000 for n in confirmed]
            application.extensions["database"].dispose()
    finally:
        standin.stop()

    print_table(f"Payments against the local Stripe stand-in, SQLite ({INVOICES} + {DELIVERED} invoices)", [
        row("signed webhook POST -> invoice paid (in-app)", webhook.samples),
        row("stand-in confirm -> its webhook -> paid", delivery),
        row("  the same without localstripe's fixed 1 s wait", [ms - 1000 for ms in delivery]),
        row("GET pay page, intent exists", pay_page.samples),
        row("  GET pay page, first visit (creates intent)", first_visit.samples),
    ])
    print(f"  (whole run: {time.monotonic() - started:.1f} s)")


if __name__ == "__main__":
    main()
