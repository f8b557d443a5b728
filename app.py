"""Syndication Desk: the application factory."""
from __future__ import annotations

from typing import Any

from flask import Flask, g, jsonify, render_template, request
from flask_wtf import CSRFProtect
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from invoices.billing.services import check_seller_account, einvoice_xml
from invoices.finance import report_views
from invoices.finance import views as finance_views
from invoices.payments import views as pay
from invoices.payments import webhooks
from invoices.payments.gateway import readiness as stripe_readiness
from licensing import cli
from licensing.admin import rate_card as rate_card_admin
from licensing.admin import tax as tax_admin
from licensing.admin import tools as staff_tools
from licensing.admin import views as admin
from licensing.core import assets, auth, db, health, limits, observability, security
from licensing.core.documents import EINVOICE_XML
from licensing.core.settings import INSTANCE, ROOT, Settings
from licensing.core.templating import init_templating
from licensing.delivery import api as delivery_api
from licensing.delivery import folding as delivery
from licensing.delivery import views as delivery_views
from licensing.intake.rules.workflow import STATUS_LABELS
from licensing.licenses import downloads
from licensing.licenses import events as license_events  # noqa: F401  (subscribes licensing to billing's signals)
from licensing.licenses import views as verify
from licensing.licenses.models import LICENSE_STATUS_LABELS
from licensing.pricing.rules import MEDIUM_LABELS, TERM_LABELS
from licensing.publisher import api
from licensing.publisher import views as public
from licensing.reports import views as revenue
from licensing.review import api as staff_api
from licensing.review import views as staff
from licensing.terms import views as terms
from licensing.terms.rules import wording

csrf = CSRFProtect()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, error handlers and CLI commands."""
    config = dict(config or {})
    overrides = {k.lower(): config.pop(k) for k in list(config) if k.lower() in Settings.__dataclass_fields__}
    settings = Settings.from_env(instance=config.pop("INSTANCE_PATH", INSTANCE), **overrides)
    settings.check(check_seller_account)

    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "licensing" / "core" / "static"), instance_path=str(INSTANCE))
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        MAX_CONTENT_LENGTH=1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update(config)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    observability.configure_logging(settings.json_logs)

    db.init_app(app, settings.database_url)
    csrf.init_app(app)
    auth.login_manager.init_app(app)
    init_templating(app, labels={"medium": MEDIUM_LABELS, "term": TERM_LABELS, "status": STATUS_LABELS,
                                 "license_status": LICENSE_STATUS_LABELS})
    # "licence" (en-GB) or "license" (en-US) on every page, e-mail and document: {{ words.Licence }}
    app.jinja_env.globals["words"] = wording(settings.seller_english)
    health.add_readiness_check(app, "stripe", stripe_readiness)
    app.extensions[EINVOICE_XML] = einvoice_xml  # documents embed billing's EN 16931 XML (core imports no feature)
    assets.init_app(app)
    limits.init_app(app)
    for blueprint in (public.bp, api.bp, auth.bp, staff.bp, staff_tools.bp, admin.bp, staff_api.bp, verify.bp,
                      downloads.bp, tax_admin.bp, rate_card_admin.bp, pay.bp, webhooks.bp, health.bp,
                      finance_views.bp, report_views.bp, revenue.bp, terms.bp, delivery_views.bp, delivery_api.bp):
        app.register_blueprint(blueprint)
    delivery.init_app(app)  # the pixel's counter (Redis or in process) and its folding
    delivery_views.init_app(app)  # the pixel, answered before Flask's routing
    csrf.exempt(api.bp)  # JSON with bearer tokens, no cookies
    csrf.exempt(staff_api.bp)
    csrf.exempt(delivery_api.bp)
    csrf.exempt(webhooks.bp)  # signed by Stripe instead
    cli.init_app(app)
    _register_error_handlers(app)
    security.init_app(app)
    observability.init_app(app)
    return app


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _too_large_message(app: Flask) -> str:
    message = f"The request is too large: send at most {app.config['MAX_CONTENT_LENGTH'] / 1024 ** 2:g} MiB"
    field = app.config.get("MAX_FORM_MEMORY_SIZE")
    if field and not _wants_json():
        message += f", and at most {field / 1000:g} kB in one field"
    return message + "."


def _roll_back() -> None:
    """Whatever the failed request began is undone before the error page is built."""
    session = g.get("db_session")
    if session is not None:
        db.end_session(session, rollback=True)


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 429:
            exc.description = "Too many requests from your address: please wait a minute and try again."
        allowed = [(k, v) for k, v in exc.get_headers() if k.lower() == "allow"]  # a 405 says what is allowed
        if _wants_json():
            return jsonify({"error": exc.description or exc.name}), exc.code, allowed
        return render_template("error.html", code=exc.code, name=exc.name,
                               description=exc.description), exc.code, allowed

    @app.errorhandler(413)
    @app.errorhandler(429)
    def limit_exceeded(exc: HTTPException):
        """Before the blueprints' own handlers (a code beats a class): the same clear sentence everywhere."""
        if exc.code == 413:
            exc.description = _too_large_message(app)
        return http_error(exc)

    @app.errorhandler(OperationalError)
    def database_unavailable(exc: OperationalError):
        """The database cannot be reached (restarting, failing over): a clear 503, never half a write."""
        _roll_back()
        app.logger.warning("database unavailable on %s %s: %s", request.method,
                           observability.mask_path(request.path), type(exc.orig).__name__)
        message = "The database is briefly unavailable and nothing was saved. Please try again in a minute."
        if _wants_json():
            return jsonify({"error": message}), 503, {"Retry-After": "30"}
        return render_template("error.html", code=503, name="Service unavailable", description=message), 503, \
            {"Retry-After": "30"}

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        _roll_back()
        app.logger.exception("unhandled error on %s %s", request.method, observability.mask_path(request.path))
        message = "Something went wrong on our side and nothing was saved. Please try again in a moment."
        if _wants_json():
            return jsonify({"error": message}), 500
        return render_template("error.html", code=500, name="Server error", description=message), 500
