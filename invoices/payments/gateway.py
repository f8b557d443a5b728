"""The one module that imports `stripe`: the few calls the app needs, with timeouts, returning
plain values. It works against real Stripe (test mode) and against the local stand-in
(STRIPE_API_BASE); the stand-in only extras (test cards, 3-D Secure approval) refuse to run
unless the API base is on loopback and the key is a test key."""
from __future__ import annotations

import contextlib
import ipaddress
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import stripe
from flask import current_app

StripeError = stripe.StripeError
CardError = stripe.CardError
SignatureError = stripe.SignatureVerificationError
WEBHOOK_TOLERANCE = 300  # seconds


def check_event_shape(event: dict) -> dict:
    """A signed event is still refused (ValueError: 400) unless it has the shape every handler reads:
    a string id, data.object an object, and that object's id (when there is one) a string."""
    if not isinstance(event.get("id"), str) or not event["id"] or len(event["id"]) > 255:
        raise ValueError("the event has no string id")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object", {}), dict):
        raise ValueError("the event's data.object is not an object")
    if not isinstance(data.get("object", {}).get("id", ""), str):
        raise ValueError("the event's object id is not a string")
    if not isinstance(event.get("type", ""), str):
        raise ValueError("the event's type is not a string")
    return event


class PaymentUnderWay(RuntimeError):
    """The PaymentIntent was confirmed by a concurrent submission: wait for its outcome."""


class Unavailable(RuntimeError):
    """Stripe could not be reached or answered with an error: try again later."""


@dataclass(frozen=True)
class Intent:
    id: str
    status: str
    amount: int
    currency: str  # upper case ISO 4217
    client_secret: str
    customer: str | None
    metadata: dict
    charge_id: str | None
    error_message: str | None
    error_code: str | None = None  # Stripe's last_payment_error.code, e.g. card_declined
    decline_code: str | None = None  # the bank's reason, e.g. insufficient_funds


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str
    amount: int


def _intent(obj: Any) -> Intent:
    data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    charge = data.get("latest_charge")
    if isinstance(charge, dict):  # the stand-in expands it; real Stripe gives the id
        charge = charge.get("id")
    error = data.get("last_payment_error") or {}
    return Intent(
        id=data["id"], status=data["status"], amount=int(data["amount"]), currency=str(data["currency"]).upper(),
        client_secret=data.get("client_secret") or "", customer=data.get("customer"),
        metadata=dict(data.get("metadata") or {}), charge_id=charge,
        error_message=error.get("message") if isinstance(error, dict) else None,
        error_code=error.get("code") if isinstance(error, dict) else None,
        decline_code=error.get("decline_code") if isinstance(error, dict) else None,
    )


def is_loopback(url: str | None) -> bool:
    if not url:
        return False
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class StripeGateway:
    def __init__(self, secret_key: str, api_base: str | None = None, publishable_key: str | None = None,
                 timeout: float = 10):
        self.api_base = api_base
        self.publishable_key = publishable_key
        self.timeout = timeout
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=stripe.RequestsClient(timeout=timeout),
            max_network_retries=1,
        )
        self._test_key = secret_key.startswith("sk_test_")

    @property
    def is_standin(self) -> bool:
        """Test cards and the local 3-D Secure step: only on loopback with a test key."""
        return self._test_key and is_loopback(self.api_base)

    def _call(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except stripe.CardError:
            raise
        except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as exc:
            raise Unavailable(str(exc.user_message or exc)) from exc

    def ping(self) -> None:
        """A cheap authenticated call: Unavailable (or an auth error) when Stripe cannot be used."""
        self._call(self.client.v1.customers.list, params={"limit": 1})

    # ------------------------------------------------------------------ customers and intents

    def find_or_create_customer(self, email: str, name: str, metadata: dict[str, str]) -> str:
        found = self._call(self.client.v1.customers.list, params={"email": email, "limit": 1})
        if found.data:
            return found.data[0].id
        created = self._call(self.client.v1.customers.create,
                             params={"email": email, "name": name, "metadata": metadata})
        return created.id

    def create_intent(self, amount: int, currency: str, customer: str, metadata: dict[str, str]) -> Intent:
        return _intent(self._call(self.client.v1.payment_intents.create, params={
            "amount": amount, "currency": currency.lower(), "customer": customer, "metadata": metadata}))

    def retrieve_intent(self, intent_id: str) -> Intent | None:
        """The PaymentIntent as Stripe has it now; None when Stripe does not know it."""
        try:
            return _intent(self._call(self.client.v1.payment_intents.retrieve, intent_id))
        except stripe.InvalidRequestError as exc:
            if exc.http_status == 404 or getattr(exc, "code", "") == "resource_missing":
                return None
            raise

    def cancel_intent(self, intent_id: str) -> None:
        with contextlib.suppress(stripe.StripeError, Unavailable):  # an unused intent left open costs nothing
            self._call(self.client.v1.payment_intents.cancel, intent_id)

    def list_intents(self, limit: int = 100) -> list[Intent]:
        page = self._call(self.client.v1.payment_intents.list, params={"limit": limit})
        return [_intent(obj) for obj in page.data]

    # ------------------------------------------------------------------ stand-in test cards

    TEST_CARDS = {
        "success": "pm_card_visa",
        "decline": "pm_card_chargeCustomerFail",
        "3ds": "4000002500003155",  # needs authentication, then succeeds or fails
    }

    def pay_with_test_card(self, intent_id: str, card: str) -> Intent:
        """Attach one of Stripe's test cards and confirm; CardError on decline."""
        if not self.is_standin:
            raise PermissionError("test cards are only for the local Stripe stand-in")
        method = self.TEST_CARDS[card]
        if not method.startswith("pm_"):
            method = self._call(self.client.v1.payment_methods.create, params={
                "type": "card", "card": {"number": method, "exp_month": 12, "exp_year": 2035, "cvc": "123"}}).id
        try:
            self._call(self.client.v1.payment_intents.update, intent_id, params={"payment_method": method})
            return _intent(self._call(self.client.v1.payment_intents.confirm, intent_id))
        except stripe.InvalidRequestError as exc:
            # Another submission confirmed (or is confirming) the same intent first: not an error of
            # this payment, and never a second charge. The caller shows the payment's state.
            raise PaymentUnderWay(str(exc.user_message or exc)) from exc

    def authenticate_3ds(self, intent: Intent, success: bool) -> None:
        """The stand-in's own 3-D Secure step (real Stripe does this in Stripe.js)."""
        if not self.is_standin:
            raise PermissionError("the local 3-D Secure step exists only on the stand-in")
        try:
            response = requests.post(
                f"{self.api_base}/v1/payment_intents/{intent.id}/_authenticate",
                data={"client_secret": intent.client_secret, "success": "true" if success else "false",
                      "key": self.publishable_key or "pk_test_local"}, timeout=self.timeout)
        except requests.RequestException as exc:
            raise Unavailable(str(exc)) from exc
        if response.status_code >= 500:
            raise Unavailable(f"3-D Secure step failed with HTTP {response.status_code}")

    # ------------------------------------------------------------------ refunds and webhooks

    def refund(self, intent_id: str, amount: int, idempotency_key: str | None = None) -> RefundResult:
        result = self._call(self.client.v1.refunds.create, params={"payment_intent": intent_id, "amount": amount},
                            options={"idempotency_key": idempotency_key} if idempotency_key else None)
        return RefundResult(result.id, result.status, int(result.amount))

    @staticmethod
    def parse_event(payload: bytes, signature: str, secret: str) -> dict:
        """Verify the signature (and its age, at most 5 minutes) and return the event as a dict."""
        event = stripe.Webhook.construct_event(payload, signature, secret, tolerance=WEBHOOK_TOLERANCE)
        # Stripe's library refuses only a signature too old; one dated in the future is refused too.
        stamps = [int(part[2:]) for part in signature.split(",") if part.startswith("t=") and part[2:].isdigit()]
        if not stamps or max(stamps) > time.time() + WEBHOOK_TOLERANCE:
            raise SignatureError("the signature is dated in the future", signature)
        return check_event_shape(event.to_dict() if hasattr(event, "to_dict") else dict(event))

    @staticmethod
    def sign(payload: bytes, secret: str, timestamp: int) -> str:
        """A Stripe-Signature header (for tests and the stand-in)."""
        return stripe.WebhookSignature.generate_signature_header(payload.decode(), secret, timestamp)

    def register_standin_webhook(self, url: str, secret: str) -> None:
        if not self.is_standin:
            raise PermissionError("webhooks are registered this way only with the stand-in")
        response = requests.post(f"{self.api_base}/_config/webhooks/syndication-desk",
                                 data={"url": url, "secret": secret}, timeout=self.timeout)
        response.raise_for_status()


def gateway() -> StripeGateway | None:
    """The app's Stripe gateway, or None when no Stripe key is set (payment then unavailable)."""
    app = current_app
    if "stripe_gateway" not in app.extensions:
        s = app.config["SETTINGS"]
        app.extensions["stripe_gateway"] = StripeGateway(
            s.stripe_secret_key, s.stripe_api_base, s.stripe_publishable_key, s.stripe_timeout_seconds,
        ) if s.stripe_secret_key else None
    return app.extensions["stripe_gateway"]


def readiness() -> str:
    """/readyz's check of Stripe."""
    gw = gateway()
    if gw is None:
        return "not configured"
    gw.ping()
    return "ok"
