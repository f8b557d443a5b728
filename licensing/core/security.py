"""Security headers, cookie flags and the proxy setting: a CSP with no inline script,
frame-ancestors none, nosniff, a referrer policy, HSTS and Secure cookies behind https."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, request, url_for
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from licensing.core.bounds import is_db_id
from licensing.core.text import strip_bidi_deep

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# Paths whose URL carries a secret (tracking, payment and password links) or private pages.
SECRET_PATHS = ("/track/", "/pay/", "/set-password")
PRIVATE_PATHS = ("/staff", "/admin", "/finance")


def csrf_checked_by_the_views(bp: Blueprint, module: str, views: tuple[str, ...]) -> None:
    """Views that check the CSRF token themselves (FlaskForm.validate) so that an expired token
    gives back the page with what was typed, instead of the global check's bare 400 page."""

    @bp.record_once
    def _exempt(state) -> None:
        csrf = state.app.extensions.get("csrf")
        if csrf is not None:
            for view in views:
                csrf.exempt(f"{module}.{view}")


def external_url(endpoint: str, **values) -> str:
    """An absolute link, always on PUBLIC_BASE_URL: never on the Host header a request named, so a
    forged Host can never put its own address into an e-mail or an API answer."""
    base = current_app.config["SETTINGS"].public_base_url.rstrip("/")
    return base + url_for(endpoint, **values, _external=False)


class BidiSafeJSON(DefaultJSONProvider):
    """Every JSON answer (API, JSON-LD) without bidi controls, also in text stored before they were
    stripped on input: a name cannot reverse itself in a consumer's display."""

    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:  # noqa: ANN001, ANN003
        return super().dumps(strip_bidi_deep(obj), **kwargs)


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    app.json = BidiSafeJSON(app)
    # Requests naming any other host get 400 (Flask checks TRUSTED_HOSTS when it reads the host).
    trusted = settings.trusted_host_list()
    if app.config.get("SERVER_NAME"):  # the name the app is configured to serve is trusted too
        trusted.append((urlsplit("//" + app.config["SERVER_NAME"]).hostname or "").lower())
    # Loopback names too: a health probe or proxy on the same host asks for them, and no outsider can
    # make a browser send them to this server. (Links never follow the Host anyway: external_url.)
    trusted += ["127.0.0.1", "localhost", "::1"]
    app.config["TRUSTED_HOSTS"] = list(dict.fromkeys(trusted))
    app.jinja_env.globals["external_url"] = external_url

    @app.errorhandler(SecurityError)
    def untrusted_host(exc: SecurityError):
        """Plain text: no page can be built for a host the app does not serve (no URL adapter)."""
        return "Bad request: this server does not answer for that host name.\n", 400, \
            {"Content-Type": "text/plain; charset=utf-8"}
    https = settings.public_base_url.startswith("https://")
    app.config.update(SESSION_COOKIE_SECURE=https, REMEMBER_COOKIE_SECURE=https, REMEMBER_COOKIE_HTTPONLY=True,
                      PREFERRED_URL_SCHEME="https" if https else "http")
    if settings.trust_proxy:  # behind a load balancer that sets X-Forwarded-*
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    @app.before_request
    def no_nul_in_path() -> None:
        """No resource has a NUL in its address, and PostgreSQL refuses text that holds one: a
        lookup by such a path segment would be a server error instead of a 404. (The API checks the
        shape of its path parameters itself, with messages of its own.)"""
        if "\x00" in request.path and not request.path.startswith("/api/"):
            abort(404)

    @app.before_request
    def host_is_trusted() -> None:
        """Read the host on every request, so an untrusted one is 400 before any view runs."""
        _ = request.host

    @app.before_request
    def ids_in_range() -> None:
        """An integer in the path beyond what a database id can hold names nothing: 404, before a
        query the database would refuse (PostgreSQL's integer is 32-bit, SQLite's 64-bit)."""
        for value in (request.view_args or {}).values():
            if isinstance(value, int) and not isinstance(value, bool) and not is_db_id(value):
                abort(404)

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # Never leak a secret link in a Referer header.
        secret = request.path.startswith(SECRET_PATHS)
        response.headers.setdefault("Referrer-Policy", "no-referrer" if secret else "same-origin")
        if secret or request.path.startswith(PRIVATE_PATHS):
            response.headers.setdefault("Cache-Control", "no-store")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
