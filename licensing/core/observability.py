"""Structured logs: one JSON line per request with a request id, the user and the action
(endpoint), never a secret, token or card data; the id is echoed as X-Request-ID."""
from __future__ import annotations

import json
import logging
import re
import time
import uuid

from flask import Flask, g, request
from flask_login import current_user

from licensing.core.text import escape_for_log

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Path segments that are secrets (tracking tokens, payment links, password links) are masked.
_SECRET_PATHS = re.compile(r"^/(track|pay/[^/]+|set-password)/([^/]+)")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                "logger": record.name, "message": escape_for_log(record.getMessage())}
        for key in ("request_id", "user", "action", "method", "path", "status", "duration_ms"):
            if hasattr(record, key):
                value = getattr(record, key)
                data[key] = escape_for_log(value) if isinstance(value, str) else value
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        # JSON escapes C0 controls itself but not U+0085, U+2028 or bidi controls: escaped above.
        return json.dumps(data, ensure_ascii=False)


class OneLineFormatter(logging.Formatter):
    """Text logs: one record is one line. Whatever a visitor typed (a path with %0a, a name) is
    written with its control, line-break and bidi characters escaped, so it cannot forge a line."""

    def format(self, record: logging.LogRecord) -> str:
        return escape_for_log(super().format(record))


def mask_path(path: str) -> str:
    return _SECRET_PATHS.sub(lambda m: f"/{m.group(1)}/***", path)


def configure_logging(json_logs: bool) -> None:
    root = logging.getLogger()
    if getattr(root, "_syndication_configured", False):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_logs else
                         OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for noisy in ("weasyprint", "fontTools", "werkzeug", "stripe"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    root._syndication_configured = True  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    access = logging.getLogger("syndication.access")

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _log(response):

        response.headers["X-Request-ID"] = g.get("request_id", "")
        user = current_user.get_id() if current_user and current_user.is_authenticated else None
        access.info("%s %s %s", request.method, mask_path(request.path), response.status_code, extra={
            "request_id": g.get("request_id"), "user": user, "action": request.endpoint,
            "method": request.method, "path": mask_path(request.path), "status": response.status_code,
            "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
        })
        return response
