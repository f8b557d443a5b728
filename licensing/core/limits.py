"""Rate limits (Flask-Limiter): in memory by default, in Redis when REDIS_URL is set so that
every process shares the counts."""
from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, headers_enabled=True)

VERIFY = "60/minute;600/hour"  # license verification, per client address
FORM = "20/minute;200/hour"  # request submissions (form and API)
QUOTE = "120/minute"  # live quotes: one per pause in typing
SIGN_IN = "10/minute;100/hour"  # on top of the per-address throttle in users.py


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.redis_url or "memory://")
    app.config.setdefault("RATELIMIT_ENABLED", settings.rate_limits and not settings.testing)
    limiter.init_app(app)
