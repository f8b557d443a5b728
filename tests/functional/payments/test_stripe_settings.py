"""Stripe keys: a live key is refused at start unless explicitly allowed, keys never show in the
settings' repr nor in a page, and the stand-in's test cards exist only on loopback with a test key."""
from __future__ import annotations

import pytest

from app import create_app
from invoices.payments.gateway import StripeGateway
from tests.stripe_fixtures import (
    NOWHERE_BASE,
    PUBLISHABLE_KEY,
    SECRET_KEY,
    WEBHOOK_SECRET,
    FakeGateway,
    assert_no_secrets,
    issue_invoice,
    post_event,
    stripe_config,
)

LIVE_KEY = "sk_live_51Hx0000000000000000000000000"
STRIPE_ENV = ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE",
              "STRIPE_ALLOW_LIVE_KEYS")


@pytest.fixture
def app_config() -> dict:
    return stripe_config(NOWHERE_BASE)


@pytest.fixture
def clean_env(monkeypatch):  # noqa: ANN001, ANN201
    for name in STRIPE_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _config(database_url: str, **extra) -> dict:  # noqa: ANN003
    return {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret", **extra}


@pytest.mark.parametrize("key", [LIVE_KEY, "rk_live_51Hx0000000000000000"])
def test_a_live_key_is_refused_at_start(database_url, clean_env, key):  # noqa: ANN001
    with pytest.raises(RuntimeError, match="live key; set STRIPE_ALLOW_LIVE_KEYS=1") as refused:
        create_app(_config(database_url, STRIPE_SECRET_KEY=key))
    assert key not in str(refused.value)


def test_a_live_key_from_the_environment_is_refused_too(database_url, clean_env):  # noqa: ANN001
    clean_env.setenv("STRIPE_SECRET_KEY", LIVE_KEY)
    with pytest.raises(RuntimeError, match="live key"):
        create_app(_config(database_url))
    clean_env.setenv("STRIPE_ALLOW_LIVE_KEYS", "no")
    with pytest.raises(RuntimeError, match="live key"):
        create_app(_config(database_url))


@pytest.mark.parametrize("allow", [{"STRIPE_ALLOW_LIVE_KEYS": True}, "env"])
def test_a_live_key_starts_when_explicitly_allowed(database_url, clean_env, allow):  # noqa: ANN001
    if allow == "env":
        clean_env.setenv("STRIPE_ALLOW_LIVE_KEYS", "1")
        allow = {}
    application = create_app(_config(database_url, STRIPE_SECRET_KEY=LIVE_KEY, **allow))
    try:
        settings = application.config["SETTINGS"]
        assert settings.stripe_secret_key == LIVE_KEY and settings.stripe_allow_live_keys is True
        assert LIVE_KEY not in repr(settings) and LIVE_KEY not in repr(application.config)
    finally:
        application.extensions["database"].dispose()


def test_test_keys_start_without_any_setting(database_url, clean_env):  # noqa: ANN001
    application = create_app(_config(database_url, STRIPE_SECRET_KEY=SECRET_KEY))
    assert application.config["SETTINGS"].stripe_allow_live_keys is False
    assert application.config["SETTINGS"].stripe_secret_key == SECRET_KEY
    application.extensions["database"].dispose()


def test_keys_never_appear_in_the_settings_repr(app):  # noqa: ANN001
    settings = app.config["SETTINGS"]
    assert settings.stripe_secret_key == SECRET_KEY and settings.stripe_webhook_secret == WEBHOOK_SECRET
    for text in (repr(settings), str(settings), repr(app.config)):
        assert_no_secrets(text)
        assert "stripe_secret_key='***'" in repr(settings)
        assert "stripe_webhook_secret='***'" in repr(settings)


def test_keys_never_appear_in_pages(seeded, staff, client, quick_documents):  # noqa: ANN001
    """Real-Stripe mode (a fake gateway that is not the stand-in): the Payment Element page shows the
    publishable key and the intent's client secret, and nothing secret."""
    seeded.extensions["stripe_gateway"] = fake = FakeGateway()
    issued = issue_invoice(seeded, staff)

    page = client.get(issued.pay_path)

    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'data-publishable-key="{PUBLISHABLE_KEY}"' in body
    assert 'data-client-secret="pi_fake1_secret_x"' in body
    assert '<script src="https://js.stripe.com/v3/"></script>' in body
    assert "script-src 'self' https://js.stripe.com" in page.headers["Content-Security-Policy"]
    assert "Test payment (local Stripe stand-in)" not in body
    assert_no_secrets(body)
    assert client.post(f"{issued.pay_path}/test-card", data={"card": "success"}).status_code == 404
    assert client.post(f"{issued.pay_path}/authenticate", data={"result": "approve"}).status_code == 404
    assert fake.called("create_intent") and not fake.called("refund")
    for response in (client.get(f"{issued.pay_path}/return"), client.get("/pay/INV-2026-00001/wrong-token"),
                     post_event(client, {"id": "evt_1"}, secret="whsec_wrong")):
        assert_no_secrets(response.get_data(as_text=True))


@pytest.mark.parametrize("key, base, standin", [
    ("sk_test_x", "http://127.0.0.1:12111", True),
    ("sk_test_x", "http://localhost:12111", True),
    ("sk_test_x", "http://[::1]:12111", True),
    ("sk_test_x", None, False),  # the real Stripe API
    ("sk_test_x", "https://api.stripe.com", False),
    ("sk_test_x", "http://localhost.attacker.example", False),
    ("sk_test_x", "http://127.0.0.1.nip.io:12111", False),
    ("sk_test_x", "http://10.0.0.5:12111", False),
    ("sk_live_x", "http://127.0.0.1:12111", False),
    ("rk_test_x", "http://127.0.0.1:12111", False),
])
def test_test_cards_only_on_loopback_with_a_test_key(key, base, standin):  # noqa: ANN001
    gateway = StripeGateway(key, base)
    assert gateway.is_standin is standin
    if not standin:
        with pytest.raises(PermissionError):
            gateway.pay_with_test_card("pi_x", "success")
        with pytest.raises(PermissionError):
            gateway.register_standin_webhook("http://127.0.0.1:1/stripe/webhook", "whsec_x")
