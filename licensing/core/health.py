"""/healthz: the process is up. /readyz: the database, the job queue and every check the factory adds
(Stripe's, from billing) answer."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from redis import Redis
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

    Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    return "ok"


def add_readiness_check(app, name: str, check) -> None:
    """A check of an outside party that /readyz runs too: a callable that returns a word or raises."""
    app.extensions.setdefault("readiness_checks", {})[name] = check


@bp.get("/readyz")
def readyz():
    checks, ready = {}, True
    extra = current_app.extensions.get("readiness_checks", {})
    for name, check in (("database", _database), ("queue", _queue), *extra.items()):
        try:
            checks[name] = check()
        except Exception as exc:
            checks[name] = f"failing: {type(exc).__name__}"
            ready = False
    return jsonify({"status": "ready" if ready else "not ready", "checks": checks}), (200 if ready else 503)
