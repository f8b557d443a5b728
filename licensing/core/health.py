"""/healthz: the process is up. /readyz: the database, the job queue and Stripe answer."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from licensing.core.db import get_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


def _database() -> str:
    get_session().execute(text("SELECT 1"))
    return "ok"


def _queue() -> str:
    url = current_app.config["SETTINGS"].redis_url
    if not url:
        return "ok (in-process)"
    from redis import Redis

    Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    return "ok"


def _stripe() -> str:
    from invoices.payments.services import gateway

    gw = gateway()
    if gw is None:
        return "not configured"
    gw.ping()
    return "ok"


@bp.get("/readyz")
def readyz():
    checks, ready = {}, True
    for name, check in (("database", _database), ("queue", _queue), ("stripe", _stripe)):
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure makes the app not ready
            checks[name] = f"failing: {type(exc).__name__}"
            ready = False
    return jsonify({"status": "ready" if ready else "not ready", "checks": checks}), (200 if ready else 503)
