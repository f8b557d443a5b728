"""Rate limits (Flask-Limiter): in memory by default, in Redis when REDIS_URL is set so that
every process shares the counts."""
from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, headers_enabled=True)

VERIFY = "60/minute;600/hour"


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.redis_url or "memory://")
    app.config.setdefault("RATELIMIT_ENABLED", not settings.testing)
    limiter.init_app(app)
