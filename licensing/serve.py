"""The run command of `make run`: the app on 127.0.0.1:PORT, and, unless a real Stripe test key
is configured (STRIPE_SECRET_KEY set and STRIPE_API_BASE unset), the local Stripe stand-in on a
free loopback port with the app's webhook endpoint registered with it."""
from __future__ import annotations

import argparse
import os
import secrets

from invoices.stripe_standin import StandIn

from .settings import INSTANCE

STANDIN_SECRET_KEY = "sk_test_local_standin"
STANDIN_PUBLISHABLE_KEY = "pk_test_local_standin"


def uses_real_stripe(env: dict) -> bool:
    return bool(env.get("STRIPE_SECRET_KEY")) and not env.get("STRIPE_API_BASE")


def start_standin(app_port: int, env: dict, persist: bool = True) -> StandIn:
    """Start the stand-in and point this process's Stripe settings at it."""
    standin = StandIn.start(persist=INSTANCE / "localstripe.pickle" if persist else None)
    env.update(STRIPE_API_BASE=standin.base_url, STRIPE_SECRET_KEY=STANDIN_SECRET_KEY,
               STRIPE_PUBLISHABLE_KEY=STANDIN_PUBLISHABLE_KEY,
               STRIPE_WEBHOOK_SECRET=env.get("STRIPE_WEBHOOK_SECRET") or f"whsec_local_{secrets.token_hex(16)}")
    from invoices.stripe_gateway import StripeGateway

    StripeGateway(env["STRIPE_SECRET_KEY"], standin.base_url).register_standin_webhook(
        f"http://127.0.0.1:{app_port}/stripe/webhook", env["STRIPE_WEBHOOK_SECRET"])
    return standin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    args = parser.parse_args()
    standin = None
    if uses_real_stripe(os.environ):
        print("  Stripe: the real Stripe API (test mode key from STRIPE_SECRET_KEY).")
    else:
        standin = start_standin(args.port, os.environ)
        print(f"  Stripe: local stand-in at {standin.base_url} (test cards on the pay page).")
    from app import create_app

    app = create_app()
    try:
        app.run(host="127.0.0.1", port=args.port, use_reloader=False, threaded=True)
    finally:
        if standin:
            standin.stop()


if __name__ == "__main__":
    main()
