"""Fixtures and helpers of the payment tests.

- ONE local Stripe stand-in (localstripe, `invoices.stripe_standin.StandIn`) for the whole run;
  each test that asks for `standin` gets it emptied (`DELETE /_config/data`) with its webhook
  pointed at a port where nothing listens. A webhook still in flight from an earlier test then
  names a PaymentIntent the stand-in no longer knows, so the app's re-retrieval ignores it.
- `live_server`: the test's app over real HTTP on a free loopback port (werkzeug, threaded, in a
  background thread), registered as the stand-in's webhook endpoint, so the stand-in's own
  signed webhooks (sent about 1 s after an event) reach the app.
- `TcpSwitch`: a loopback TCP forwarder to the stand-in that can be down (connection refused),
  up (forwards) or hanging (accepts and never answers): Stripe being unreachable or slow, for real.
- `FakeGateway`: a stand-in for `StripeGateway` in unit tests (put in app.extensions).

A test package imports the fixtures it uses (see tests/functional/payments/conftest.py).
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import pytest
import requests
import stripe
from werkzeug.serving import make_server

from invoices.payments.gateway import Intent, RefundResult, StripeGateway, Unavailable
from invoices.payments.standin import StandIn

SECRET_KEY = "sk_test_payments_5f3a9c"
PUBLISHABLE_KEY = "pk_test_payments_5f3a9c"
WEBHOOK_SECRET = "whsec_test_payments_77e1"
SECRETS = (SECRET_KEY, WEBHOOK_SECRET)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stripe_config(api_base: str, **extra) -> dict:  # noqa: ANN003
    """App config of a test app talking to `api_base` with test keys."""
    config = {"STRIPE_SECRET_KEY": SECRET_KEY, "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
              "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "STRIPE_API_BASE": api_base}
    config.update(extra)
    return config


def wait_for(check: Callable[[], object], timeout: float = 5.0, interval: float = 0.05, what: str = "") -> object:
    """Poll `check` until it returns something truthy (returned), or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what or check}")
        time.sleep(interval)


# ---------------------------------------------------------------------------------- the stand-in

_NOWHERE_PORT = free_port()  # bound once and closed: nothing listens there
NOWHERE_BASE = f"http://127.0.0.1:{_NOWHERE_PORT}"
NOWHERE = f"{NOWHERE_BASE}/stripe/webhook"


def point_webhook(api_base: str, url: str, secret: str = WEBHOOK_SECRET) -> None:
    """Where the stand-in sends its webhooks from now on (it reads this when it sends)."""
    StripeGateway(SECRET_KEY, api_base).register_standin_webhook(url, secret)


def reset_standin(api_base: str) -> None:
    response = requests.delete(f"{api_base}/_config/data", timeout=5)
    assert response.status_code == 200, response.text
    point_webhook(api_base, NOWHERE)


@pytest.fixture(scope="session")
def standin_server():
    """The one stand-in process of this test run."""
    server = StandIn.start()
    yield server
    server.stop()


@pytest.fixture
def standin(standin_server) -> StandIn:
    """The stand-in, emptied, with its webhook going nowhere until a test registers an endpoint."""
    reset_standin(standin_server.base_url)
    return standin_server


@pytest.fixture
def stripe_client(standin) -> stripe.StripeClient:
    """A Stripe client of the test itself, to look at (or act on) the stand-in directly."""
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": standin.base_url},
                               http_client=stripe.RequestsClient(timeout=5), max_network_retries=0)


def confirm_directly(client: stripe.StripeClient, intent_id: str, payment_method: str = "pm_card_visa"):  # noqa: ANN201
    """Pay a PaymentIntent at the stand-in without the app (as Stripe.js would in a browser)."""
    client.v1.payment_intents.update(intent_id, params={"payment_method": payment_method})
    return client.v1.payment_intents.confirm(intent_id)


# ---------------------------------------------------------------------------------- the app over HTTP

@dataclass
class Hit:
    method: str
    path: str
    status: int
    at: float


class LiveServer:
    """A WSGI app served over real HTTP on 127.0.0.1 from a background thread."""

    def __init__(self, app):  # noqa: ANN001
        self.app = app
        self.hits: list[Hit] = []
        self._active = 0
        self._lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.webhook_url = f"{self.url}/stripe/webhook"
        self._thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)

    def _wsgi(self, environ, start_response):  # noqa: ANN001, ANN202
        with self._lock:
            self._active += 1
        status_seen: list[str] = []

        def recording_start(status, headers, exc_info=None):  # noqa: ANN001, ANN202
            status_seen.append(status)
            return start_response(status, headers, exc_info)

        try:
            body = b"".join(self.app(environ, recording_start))
        finally:
            with self._lock:
                self._active -= 1
                self.hits.append(Hit(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""),
                                     int(status_seen[0].split()[0]) if status_seen else 0, time.monotonic()))
        return [body]

    def webhook_hits(self) -> list[Hit]:
        return [h for h in self.hits if h.path == "/stripe/webhook"]

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self, drain: float = 5.0) -> None:
        """Stop listening, then let requests in progress finish (they use the test's database)."""
        self.server.shutdown()
        self.server.server_close()
        deadline = time.monotonic() + drain
        while self._active and time.monotonic() < deadline:
            time.sleep(0.02)


@pytest.fixture
def live_server(app, standin):  # noqa: ANN001
    """The test app over HTTP, registered as the stand-in's webhook endpoint."""
    server = LiveServer(app).start()
    point_webhook(standin.base_url, server.webhook_url)
    yield server
    point_webhook(standin.base_url, NOWHERE)
    server.stop()


# ---------------------------------------------------------------------------------- Stripe down or slow

class TcpSwitch:
    """A TCP forwarder on a fixed loopback port to a target port. `down()`: nothing listens
    (connection refused); `up()`: forwards; `hang()`: accepts connections and never answers."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.mode = "down"
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def up(self) -> TcpSwitch:
        return self._set("up")

    def hang(self) -> TcpSwitch:
        return self._set("hang")

    def down(self) -> TcpSwitch:
        return self._set("down")

    def _set(self, mode: str) -> TcpSwitch:
        self._close_connections()
        if mode == "down":
            self._close_listener()
        elif self._listener is None:
            self._open_listener()
        self.mode = mode
        return self

    def _open_listener(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.05)
        self._listener, self._stop = listener, threading.Event()
        threading.Thread(target=self._accept, args=(listener, self._stop), daemon=True).start()

    def _close_listener(self) -> None:
        if self._listener is not None:
            self._stop.set()
            self._listener.close()
            self._listener = None

    def _close_connections(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            with self._lock:
                self._sockets.append(conn)
            if self.mode == "hang":
                continue  # accepted, never read, never answered
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                conn.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.append(upstream)
            for src, dst in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.down()


@pytest.fixture
def stripe_switch(standin):
    """A switch in front of the stand-in, up at first."""
    switch = TcpSwitch(standin.port).up()
    yield switch
    switch.close()


# ---------------------------------------------------------------------------------- signed events

def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Stripe's Stripe-Signature header, computed here (not by the code under test)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def intent_event(intent_id: str, kind: str = "payment_intent.succeeded", *, amount: int, currency: str = "gbp",
                 status: str = "succeeded", metadata: dict | None = None, event_id: str | None = None,
                 obj: dict | None = None) -> dict:
    """A Stripe event about a PaymentIntent (its object as the sender claims it is)."""
    return {
        "id": event_id or f"evt_{secrets.token_hex(8)}", "object": "event", "type": kind,
        "created": int(time.time()), "livemode": False, "api_version": "2017-08-15",
        "data": {"object": obj or {"id": intent_id, "object": "payment_intent", "amount": amount,
                                   "currency": currency, "status": status, "metadata": metadata or {}}},
    }


def post_event(client, event: dict | bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None,
               header: str | None = None):  # noqa: ANN001, ANN201
    """POST a webhook to the app through the Flask test client, signed unless `header` is given."""
    payload = event if isinstance(event, bytes) else json.dumps(event).encode()
    headers = {"Content-Type": "application/json"}
    signature = signature_header(payload, secret, timestamp) if header is None else header
    if signature:
        headers["Stripe-Signature"] = signature
    return client.post("/stripe/webhook", data=payload, headers=headers)


# ---------------------------------------------------------------------------------- a fake gateway

@dataclass
class FakeGateway:
    """What `invoices.payments.gateway()` returns in unit tests: Stripe's answers are whatever the
    test put in `intents`; `down` makes every call raise Unavailable. Calls are recorded."""

    intents: dict[str, Intent] = field(default_factory=dict)
    down: bool = False
    is_standin: bool = False
    publishable_key: str = PUBLISHABLE_KEY
    calls: list[tuple] = field(default_factory=list)
    refunds: list[RefundResult] = field(default_factory=list)

    def _record(self, *call) -> None:  # noqa: ANN002
        self.calls.append(call)
        if self.down:
            raise Unavailable("Stripe is down (fake)")

    def retrieve_intent(self, intent_id: str) -> Intent | None:
        self._record("retrieve_intent", intent_id)
        return self.intents.get(intent_id)

    def find_or_create_customer(self, email: str, name: str, metadata: dict) -> str:
        self._record("find_or_create_customer", email)
        return "cus_fake"

    def create_intent(self, amount: int, currency: str, customer: str, metadata: dict) -> Intent:
        self._record("create_intent", amount, currency, customer, dict(metadata))
        intent = make_intent(f"pi_fake{len(self.intents) + 1}", "requires_payment_method", amount, currency,
                             customer=customer, metadata=metadata)
        self.intents[intent.id] = intent
        return intent

    def cancel_intent(self, intent_id: str) -> None:
        self.calls.append(("cancel_intent", intent_id))

    def refund(self, intent_id: str, amount: int, **kwargs) -> RefundResult:  # noqa: ANN003
        self._record("refund", intent_id, amount, kwargs)
        result = RefundResult(f"re_fake{len(self.refunds) + 1}", "succeeded", amount)
        self.refunds.append(result)
        return result

    def called(self, name: str) -> list[tuple]:
        return [c for c in self.calls if c[0] == name]


def make_intent(intent_id: str, status: str, amount: int, currency: str = "GBP", *, customer: str | None = "cus_fake",
                metadata: dict | None = None, error: str | None = None, charge: str | None = None) -> Intent:
    if charge is None and status == "succeeded":
        charge = f"ch_{intent_id[3:]}"
    return Intent(id=intent_id, status=status, amount=amount, currency=currency.upper(),
                  client_secret=f"{intent_id}_secret_x", customer=customer, metadata=dict(metadata or {}),
                  charge_id=charge, error_message=error)


def succeeded(intent: Intent, **changes) -> Intent:  # noqa: ANN003
    return replace(intent, **{"status": "succeeded", "charge_id": f"ch_{intent.id[3:]}", **changes})


# ---------------------------------------------------------------------------------- invoices to pay

@dataclass
class Issued:
    reference: str
    license_number: str
    invoice_number: str
    pay_path: str
    total: int
    currency: str


def issue_invoice(app, staff_id: int, **overrides) -> Issued:  # noqa: ANN001, ANN003
    """Submit a request and approve it through the real services: a license and its open invoice."""
    from invoices.billing.services import pay_url
    from tests.documents_helpers import approve, invoice_of, license_of
    from tests.staff_fixtures import submit

    made = submit(app, **overrides)
    approve(app, made.reference, staff_id)
    lic = license_of(app, made.reference)
    invoice = invoice_of(app, lic.invoice_number)
    with app.test_request_context("/"):
        path = urlsplit(pay_url(invoice.number)).path
    return Issued(made.reference, lic.number, invoice.number, path, invoice.total, invoice.currency)


def rows(app, model, order_by=None, **where) -> list:  # noqa: ANN001
    """Rows of a model (detached), filtered by equality on columns."""
    from sqlalchemy import select

    from licensing.core.db import new_session

    with app.app_context(), new_session() as s:
        stmt = select(model).filter_by(**where).order_by(order_by if order_by is not None else model.id)
        return list(s.scalars(stmt))


def invoice_row(app, number: str):  # noqa: ANN001, ANN201
    from invoices.billing.models import Invoice

    [found] = rows(app, Invoice, number=number)
    return found


def timeline(app, number: str) -> list[tuple[str, str]]:  # noqa: ANN001
    """(kind, message) of an invoice's events, oldest first."""
    from invoices.billing.models import InvoiceEvent

    invoice = invoice_row(app, number)
    return [(e.kind, e.message) for e in rows(app, InvoiceEvent, invoice_id=invoice.id)]


def assert_no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text
    assert "sk_test_" not in text and "whsec_" not in text
