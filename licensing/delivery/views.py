"""Delivery's pages: the tracking pixel, the licensee's package and usage pages (from the tracking
link), the true-up quote a licensee accepts, and staff's usage page with its flag actions."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from licensing.core.auth import role_required
from licensing.core.charts import bar_chart
from licensing.core.db import get_session
from licensing.core.money import format_money
from licensing.delivery.folding import counter_of
from licensing.delivery.queries import usage_of
from licensing.delivery.rules.pixel import is_bot, referrer_domain, verify_pixel_token
from licensing.delivery.services import (
    FLAG_LABELS,
    GONE_REASONS,
    ActionRefused,
    accept_domain,
    accept_true_up,
    find_true_up,
    gif_bytes,
    package_of,
    package_urls,
    send_reminder,
    send_true_up,
)
from licensing.intake.services import find_by_token
from licensing.licenses.models import License
from licensing.licenses.services import find_license, license_for_request

bp = Blueprint("delivery", __name__)
NUMBER_MAX = 20
RENDITIONS = {"html": "text/html; charset=utf-8", "txt": "text/plain; charset=utf-8",
              "json": "application/json"}


# ---------------------------------------------------------------- the pixel

PIXEL_HEADERS = [("Content-Type", "image/gif"), ("Content-Length", "43"),
                 ("Cache-Control", "no-store, max-age=0"),  # every view asks again
                 ("Cross-Origin-Resource-Policy", "cross-origin"),  # loaded from the licensee's pages
                 ("X-Content-Type-Options", "nosniff")]
NOT_FOUND = b"Not found"


class PixelMiddleware:
    """`GET /p/<license number>/<token>.gif`, answered before Flask: the pixel needs no session,
    routing, template or database, and skipping them makes a hit cost about what a bare WSGI app's
    request costs. It reads only the path, the User-Agent and the Referer's host; the reader's IP
    address, cookies and the referring page's path are never read, and no log line is written per
    hit. A token signed for another license (or no license) is refused with 404 and counts nothing."""

    def __init__(self, wsgi_app, app) -> None:  # noqa: ANN001
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ, start_response):  # noqa: ANN001, ANN204
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/p/") or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        parts = path[3:].split("/")
        number = parts[0].upper() if len(parts) == 2 else ""
        token = parts[1][:-4] if len(parts) == 2 and parts[1].endswith(".gif") else ""
        if not (0 < len(number) <= NUMBER_MAX) or not verify_pixel_token(self.app.extensions["pixel_key"],
                                                                         number, token):
            start_response("404 NOT FOUND", [("Content-Type", "text/plain"), ("Content-Length", "9"),
                                             ("Cache-Control", "no-store")])
            return [NOT_FOUND]
        day = self.app.config.get("TODAY_FUNC", date.today)()  # licensing.core.clock.today, without a context
        counter_of(self.app).count(number, day, referrer_domain(environ.get("HTTP_REFERER")),
                                   is_bot(environ.get("HTTP_USER_AGENT")))
        start_response("200 OK", list(PIXEL_HEADERS))
        return [gif_bytes()]


def init_app(app) -> None:  # noqa: ANN001
    app.wsgi_app = PixelMiddleware(app.wsgi_app, app)  # type: ignore[method-assign]


# ---------------------------------------------------------------- the licensee's pages


def _licensed(token: str):
    req = find_by_token(get_session(), token)
    if req is None:
        abort(404)
    lic = license_for_request(get_session(), req.id)
    if lic is None:
        abort(404)
    return req, lic


def _chart(usage) -> str:
    days = [d for d, _v, _b in usage.by_day][-60:]
    series = [("Views", [v for _d, v, _b in usage.by_day][-60:]),
              ("Bots (not counted as views)", [b for _d, _v, b in usage.by_day][-60:])]
    return bar_chart("views-per-day", "Views per day", "Views of the republished article per day, and bot fetches "
                     "apart", [d.strftime("%d %b") for d in days], series, lambda n: f"{n:,}")


@bp.get("/track/<token>/package")
def package_page(token: str):
    req, lic = _licensed(token)
    if lic.status != "active":
        return render_template("delivery/gone.html", lic=lic, reason=GONE_REASONS[lic.status], token=token), 410
    package = package_of(lic, req, req.article)
    return render_template("delivery/package.html", req=req, lic=lic, package=package, token=token,
                           urls=package_urls(req))


@bp.get("/track/<token>/package.<kind>")
def rendition(token: str, kind: str):
    if kind not in RENDITIONS:
        abort(404)
    req, lic = _licensed(token)
    if lic.status != "active":
        abort(410, GONE_REASONS[lic.status])
    package = package_of(lic, req, req.article)
    if kind == "json":
        response = current_app.response_class(current_app.json.dumps(package.ninjs), mimetype=RENDITIONS[kind])
    else:
        body = package.text if kind == "txt" else package.head_html + "\n" + package.html
        response = Response(body, content_type=RENDITIONS[kind])
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/track/<token>/usage")
def usage_page(token: str):
    req, lic = _licensed(token)
    usage = usage_of(get_session(), lic)
    return render_template("delivery/usage.html", req=req, lic=lic, usage=usage, chart=_chart(usage),
                           token=token, staff=False, labels=FLAG_LABELS)


@bp.get("/true-up/<token>")
def true_up_page(token: str):
    quote = find_true_up(get_session(), token)
    if quote is None:
        abort(404)
    lic = get_session().get(License, quote.license_id)
    return render_template("delivery/true_up.html", quote=quote, lic=lic, token=token)


@bp.post("/true-up/<token>")
def accept(token: str):
    try:
        pay = accept_true_up(get_session(), token)
    except ActionRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("delivery.true_up_page", token=token))
    return redirect(pay)


# ---------------------------------------------------------------- staff


@bp.get("/staff/licenses/<number>/usage")
@role_required("staff", "finance", "admin")
def staff_usage(number: str):
    lic = find_license(get_session(), number)
    if lic is None:
        abort(404)
    usage = usage_of(get_session(), lic)
    return render_template("delivery/usage.html", req=lic.request, lic=lic, usage=usage, chart=_chart(usage),
                           token=None, staff=True, labels=FLAG_LABELS)


@bp.post("/staff/licenses/<number>/usage/true-up")
@role_required("staff")
def staff_true_up(number: str):
    try:
        quote = send_true_up(get_session(), number, current_user.id)
    except ActionRefused as exc:
        flash(f"Not sent: {exc}", "error")
    else:
        flash(f"True-up quote sent to the licensee ({format_money(quote.amount, quote.currency)}).", "success")
    return redirect(url_for("delivery.staff_usage", number=number))


@bp.post("/staff/licenses/<number>/usage/accept-domain")
@role_required("staff")
def staff_accept_domain(number: str):
    domain = request.form.get("domain", "").strip().lower()
    try:
        accept_domain(get_session(), number, domain, current_user.id)
    except ActionRefused as exc:
        flash(f"Not accepted: {exc}", "error")
    else:
        flash(f"{domain} is accepted for this licence: its views no longer raise a flag.", "success")
    return redirect(url_for("delivery.staff_usage", number=number))


@bp.post("/staff/licenses/<number>/usage/reminder")
@role_required("staff")
def staff_reminder(number: str):
    try:
        send_reminder(get_session(), number, request.form.get("flag", ""), current_user.id)
    except ActionRefused as exc:
        flash(f"Not sent: {exc}", "error")
    else:
        flash("Reminder of the terms sent to the licensee.", "success")
    return redirect(url_for("delivery.staff_usage", number=number))
