"""Hardening of every door: CSRF on every browser form, security headers and cookie flags, rate
limits, request size and text limits with clear messages, the generated SECRET_KEY's permissions,
and structured logs that never carry a secret."""
from __future__ import annotations

import io
import json
import logging
import re
import stat
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from licensing.core import observability
from licensing.intake.rules.validation import LIMITS
from tests.conftest import EXAMPLE_URL
from tests.functional.conftest import api_body, form_values, parse, valid_form
from tests.staff_fixtures import PASSWORD, add_reason, add_user, bearer, insert_requests, login, request_data, submit

ONE_MIB = 1024 * 1024
TOO_MANY = "Too many requests from your address: please wait a minute and try again."


def _rows(app) -> dict[str, list]:  # noqa: ANN001
    """Every row of every table: to show that a refused POST changed nothing at all."""
    from licensing.core.db import Base, new_session

    with app.app_context(), new_session() as s:
        return {t.name: sorted((tuple(r) for r in s.execute(select(t)).all()), key=repr)
                for t in Base.metadata.sorted_tables}


def _csrf_token(client) -> str:  # noqa: ANN001
    """A valid token for this client's session, as a page with a form carries it."""
    values = form_values(parse(client.get("/login").data).find("form"))
    return values["csrf_token"][0]


# ------------------------------------------------------------------------------------------- CSRF

@dataclass
class Desk:
    """One of everything a browser form acts on, and the arguments of each form's URL."""
    admin_id: int
    args: dict[str, object]  # URL argument name -> value
    tokens: dict[str, str]  # endpoint -> the secret in its URL
    refs: dict[str, str]  # endpoint -> the request it acts on (a different one each)


def _build_desk(app, monkeypatch) -> Desk:  # noqa: ANN001
    from sqlalchemy import select

    import licensing.core.documents
    from invoices.billing.services import pay_url
    from licensing.core import tokens, users
    from licensing.core.db import new_session
    from licensing.core.models import OutboxMessage, User
    from tests.documents_helpers import approve, license_of

    monkeypatch.setattr(licensing.core.documents, "render_job", lambda *_a, **_k: None)
    admin_id = add_user(app, "boss@desk.test", "Bo Boss", ["staff", "finance", "admin"])
    made = submit(app)
    approve(app, made.reference, admin_id)
    invoice = license_of(app, made.reference).invoice_number
    waiting = insert_requests(app, [{"status": "submitted"}] * 7 + [{"status": "needs_info"}])
    with app.test_request_context("/"), new_session() as s:
        pay_token = urlsplit(pay_url(invoice)).path.rstrip("/").rsplit("/", 1)[1]
        token_row, _ = tokens.create_token(s, s.get(User, admin_id), "CMS")
        invited, password_token = users.invite_user(s, "new.staff@desk-news.example", "Nia New", ["staff"])
        # a second invitee for "send the invitation again", which ends the first one's link
        again, _ = users.invite_user(s, "other.staff@desk-news.example", "Ola Other", ["staff"])
        token_id, invited_id, again_id = token_row.id, invited.id, again.id
        message_id = s.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).first()
    refs = {"staff.approve": waiting[0].reference, "staff.reject": waiting[1].reference,
            "staff.request_info": waiting[2].reference, "staff.note": waiting[3].reference,
            "staff.assign": waiting[4].reference, "staff.bulk": waiting[5].reference}
    return Desk(
        admin_id=admin_id,
        args={"invoice_number": invoice, "number": invoice, "reason_id": add_reason(app, "Out of scope", "Sorry."),
              "token_id": token_id, "user_id": invited_id, "again_user_id": again_id, "message_id": message_id},
        tokens={"public.withdraw": waiting[6].token, "public.answer": waiting[7].token,
                "pay.test_card": pay_token, "pay.authenticate": pay_token, "auth.set_password": password_token,
                "delivery.accept": "no-such-true-up-quote"},
        refs=refs,
    )


def _browser_form_rules(app) -> list:  # noqa: ANN001
    return sorted((r for r in app.url_map.iter_rules() if "POST" in r.methods
                   and not r.rule.startswith("/api/") and r.rule != "/stripe/webhook"), key=lambda r: r.rule)


def _path(app, rule, desk: Desk) -> str:  # noqa: ANN001
    values = {}
    for arg in rule.arguments:
        if arg == "token":
            values[arg] = desk.tokens[rule.endpoint]
        elif arg == "reference":
            values[arg] = desk.refs[rule.endpoint]
        elif rule.endpoint == "admin.invite_again":
            values[arg] = desk.args["again_user_id"]
        else:
            assert arg in desk.args, f"{rule.rule}: give the CSRF walk a value for <{arg}>"
            values[arg] = desk.args[arg]
    with app.test_request_context("/"):
        return app.url_map.bind("desk.test").build(rule.endpoint, values)


def _form_data(endpoint: str, desk: Desk) -> dict:
    """What the form would post: enough for the view to act if the token were there."""
    data = {"reason": "Not for us.", "message": "Which page will it run on?", "note": "Called them.",
            "extra_terms": "", "title": "New reason", "body": "We cannot license this.", "active": "y",
            "name": "CMS", "email": "invitee@desk-news.example", "roles": ["staff", "finance"], "password": PASSWORD,
            "confirm": PASSWORD, "assignee": str(desk.admin_id), "card": "success", "result": "approve"}
    if endpoint == "public.republish":
        data = {**valid_form(), "action": "submit", "confirmed_amount": "67500"}
    elif endpoint == "staff.bulk":
        data.update(references=[desk.refs["staff.bulk"]], action="reject")
    elif endpoint == "auth.login":
        data.update(email="boss@desk.test")
    elif endpoint == "tax_admin.tax_rates":
        data = {"country": "FR", "name": "TVA", "rate": "20", "valid_from": date.today().isoformat()}
    return data


# A valid token lets each of these change the database: proof that the refused posts had teeth.
CHANGED_WITH_TOKEN = {"public.republish", "public.withdraw", "public.answer", "staff.approve", "staff.reject",
                      "staff.request_info", "staff.note", "staff.assign", "staff.bulk", "staff_tools.reasons",
                      "staff_tools.update_reason", "staff_tools.api_tokens", "staff_tools.revoke_token",
                      "admin.user_list", "admin.user_edit", "admin.invite_again", "auth.set_password"}
# Views that check the token themselves and give the page back (with what was typed) instead.
EXPIRY_MESSAGE = re.compile(r"(page|form) had expired", re.I)


class TestCsrfOnEveryBrowserForm:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"WTF_CSRF_ENABLED": True}

    @pytest.fixture
    def desk(self, seeded, monkeypatch) -> Desk:
        return _build_desk(seeded, monkeypatch)

    def test_the_walk_covers_every_browser_form(self, seeded):
        endpoints = {r.endpoint for r in _browser_form_rules(seeded)}
        assert {"public.republish", "public.withdraw", "public.answer", "auth.login", "auth.logout",
                "auth.set_password", "staff.approve", "staff.bulk", "admin.user_list", "tax_admin.tax_rates",
                "pay.test_card", "finance.void", "finance_reports.run_reconciliation"} <= endpoints
        assert endpoints >= CHANGED_WITH_TOKEN

    def test_a_post_without_the_token_is_refused_with_400_and_changes_nothing(self, seeded, desk):
        client = seeded.test_client()
        login(client, desk.admin_id)
        refused = []
        for rule in _browser_form_rules(seeded):
            path = _path(seeded, rule, desk)
            before = _rows(seeded)
            response = client.post(path, data=_form_data(rule.endpoint, desk))
            text = response.get_data(as_text=True)
            if _rows(seeded) != before:
                refused.append(f"{rule.endpoint}: the database changed")
            if response.status_code != 400:
                refused.append(f"{rule.endpoint}: {response.status_code}, not 400")
            elif "The CSRF token is missing." not in text and not EXPIRY_MESSAGE.search(text):
                refused.append(f"{rule.endpoint}: 400 without saying why")
            if EXPIRY_MESSAGE.search(text) and rule.endpoint in ("public.republish", "public.answer"):
                form = parse(text).find("form", id="request-form") or parse(text).find("form", action=path)
                kept = form_values(form)
                typed = "Leeds Evening Post" if rule.endpoint == "public.republish" else "Which page will it run on?"
                if typed not in sum(kept.values(), []):
                    refused.append(f"{rule.endpoint}: what was typed is lost")
        assert not refused, "\n".join(refused)
        assert client.get("/staff/tokens").status_code == 200, "a logout without the token must not sign out"

    def test_the_same_posts_with_the_token_are_accepted(self, seeded, desk):
        problems = []
        for rule in _browser_form_rules(seeded):
            client = seeded.test_client()
            login(client, desk.admin_id)
            data = {**_form_data(rule.endpoint, desk), "csrf_token": _csrf_token(client)}
            if rule.endpoint.startswith("finance."):  # each finance form has a prefix of its own
                from invoices.finance.forms import ACTION_FORMS

                prefix = ACTION_FORMS[rule.endpoint.split(".")[1]][1]
                data = {f"{prefix}-{k}": v for k, v in data.items() if k != "csrf_token"} | {
                    f"{prefix}-csrf_token": data["csrf_token"]}
            before = _rows(seeded)
            response = client.post(_path(seeded, rule, desk), data=data)
            text = response.get_data(as_text=True)
            if "The CSRF token is missing." in text or EXPIRY_MESSAGE.search(text) or "CSRF" in text:
                problems.append(f"{rule.endpoint}: refused with a valid token ({response.status_code})")
            if rule.endpoint in CHANGED_WITH_TOKEN and _rows(seeded) == before:
                problems.append(f"{rule.endpoint}: nothing changed with the token ({response.status_code})")
        assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------- headers

def _pages(client, made) -> list[str]:  # noqa: ANN001
    return ["/", "/republish", f"/republish?article={EXAMPLE_URL}", "/articles/1", "/verify", "/verify/LIC-2026-00001",
            "/login", f"/track/{made.token}", f"/track/{made.token}/confirmation", "/no-such-page",
            "/api/v1/articles?q=turkey", "/api/v1/openapi.json", "/api/v1/nope", "/healthz", "/static/css/app.css",
            "/staff/", "/staff/requests", f"/staff/requests/{made.reference}", "/staff/tokens", "/staff/reasons",
            "/admin/users", "/admin/tax"]


@pytest.fixture
def made(seeded):
    return submit(seeded)


@pytest.fixture
def signed_in(seeded):
    client = seeded.test_client()
    login(client, add_user(seeded, "boss@desk.test", "Bo Boss", ["staff", "finance", "admin"]))
    return client


def _directives(csp: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}


def test_every_answer_has_a_strict_csp_and_nosniff(signed_in, made):
    for path in _pages(signed_in, made):
        response = signed_in.get(path)
        csp = _directives(response.headers["Content-Security-Policy"])
        assert "'unsafe-inline'" not in sum(csp.values(), []) and "'unsafe-eval'" not in sum(csp.values(), []), path
        assert csp["frame-ancestors"] == ["'none'"] and csp["script-src"] == ["'self'"], path
        assert csp["object-src"] == ["'none'"] and csp["default-src"] == ["'self'"], path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["X-Frame-Options"] == "DENY", path
    error = signed_in.post("/api/v1/quotes", data="{", content_type="application/json")
    assert error.headers["X-Content-Type-Options"] == "nosniff"


def test_the_pages_need_no_inline_script_or_style(signed_in, made):
    """What the CSP would block: inline <script> and <style>, on* handlers, style attributes, javascript: links."""
    found = []
    for path in _pages(signed_in, made):
        response = signed_in.get(path)
        if response.mimetype != "text/html":
            continue
        for node in parse(response.data).iter():
            # a JSON-LD data block is never run (and the CSP would not let a script run anyway)
            if node.tag == "script" and not node.attrs.get("src") and node.attrs.get("type") != "application/ld+json":
                found.append(f"{path}: inline <script>")
            if node.tag == "style":
                found.append(f"{path}: <style> element")
            for name, value in node.attrs.items():
                if name.startswith("on") or name == "style":
                    found.append(f"{path}: <{node.tag} {name}=...>")
                if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                    found.append(f"{path}: javascript: URL")
    assert not found, "\n".join(sorted(set(found)))


def test_referrer_policy_hides_secret_links(seeded, made):
    client = seeded.test_client()
    for path in (f"/track/{made.token}", f"/track/{made.token}/confirmation", "/pay/INV-2026-00001/abc",
                 "/set-password/abc"):
        response = client.get(path)
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert response.headers["Cache-Control"] == "no-store", path
    for path in ("/", "/republish", "/api/v1/articles", "/login"):
        assert client.get(path).headers["Referrer-Policy"] == "same-origin", path


def test_hsts_only_over_https(seeded):
    client = seeded.test_client()
    for path in ("/", "/api/v1/articles", "/no-such-page"):
        assert "Strict-Transport-Security" not in client.get(path).headers, path
        secure = client.get(path, base_url="https://desk.test")
        assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", path


def _session_cookie(response) -> str:  # noqa: ANN001
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    return cookies[0]


class TestCookiesBehindHttps:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"PUBLIC_BASE_URL": "https://desk.example", "WTF_CSRF_ENABLED": True}

    def test_the_session_cookie_is_secure_httponly_and_lax(self, seeded):
        cookie = _session_cookie(seeded.test_client().get("/login", base_url="https://desk.test"))
        flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
        assert "secure" in flags and "httponly" in flags and flags["samesite"].lower() == "samesite=lax"
        assert seeded.config["REMEMBER_COOKIE_SECURE"] and seeded.config["PREFERRED_URL_SCHEME"] == "https"


class TestCookiesOverHttp:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"PUBLIC_BASE_URL": "http://127.0.0.1:5000", "WTF_CSRF_ENABLED": True}

    def test_the_session_cookie_is_httponly_and_lax_but_not_secure(self, seeded):
        cookie = _session_cookie(seeded.test_client().get("/login")).lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


# ------------------------------------------------------------------------------------ rate limits

class TestRateLimits:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"RATELIMIT_ENABLED": True}

    @staticmethod
    def _html_429(response) -> None:  # noqa: ANN001
        assert response.status_code == 429 and response.mimetype == "text/html"
        assert TOO_MANY in response.get_data(as_text=True)
        assert int(response.headers["Retry-After"]) > 0

    @staticmethod
    def _json_429(response) -> None:  # noqa: ANN001
        assert response.status_code == 429 and response.mimetype == "application/json"
        assert response.get_json() == {"error": TOO_MANY}
        assert int(response.headers["Retry-After"]) > 0

    def test_the_request_form(self, seeded, client):
        statuses = [client.post("/republish", data=valid_form(organisation="")).status_code for _ in range(20)]
        assert statuses == [422] * 20
        self._html_429(client.post("/republish", data=valid_form()))
        assert client.get("/republish").status_code == 200  # reading the form is not limited

    def test_the_request_api(self, seeded, client):
        for _ in range(20):
            assert client.post("/api/v1/requests", json=api_body(email="")).status_code == 422
        self._json_429(client.post("/api/v1/requests", json=api_body()))

    def test_the_quote_api(self, seeded, client):
        for _ in range(120):
            assert client.post("/api/v1/quotes", json=api_body()).status_code == 200
        self._json_429(client.post("/api/v1/quotes", json=api_body()))

    def test_verification_page_and_api(self, seeded, client):
        for i in range(60):
            assert client.get(f"/verify/LIC-2026-{i:05d}").status_code == 404
            assert client.get(f"/api/v1/licenses/LIC-2026-{i:05d}").status_code == 404
        self._html_429(client.get("/verify/LIC-2026-00099"))
        self._json_429(client.get("/api/v1/licenses/LIC-2026-00099"))

    def test_sign_in(self, seeded, client):
        for i in range(10):  # a different address each time: the per-address throttle never starts
            response = client.post("/login", data={"email": f"guess{i}@desk.test", "password": "wrong"})
            assert response.status_code == 401
        self._html_429(client.post("/login", data={"email": "other@desk.test", "password": "wrong"}))
        assert client.get("/login").status_code == 200


# --------------------------------------------------------------------------- request size and text

@pytest.mark.parametrize("path", ["/api/v1/quotes", "/api/v1/requests", "/api/v1/staff/requests/REQ-AAAAAA/reject"])
def test_a_body_over_one_mib_is_413_json_under_the_api(seeded, client, path):
    from tests.staff_fixtures import api_token

    token = api_token(seeded, add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"]))
    body = json.dumps({"notes": "x" * (ONE_MIB + 1)})
    response = client.post(path, data=body, content_type="application/json", headers=bearer(token))
    assert response.status_code == 413 and response.mimetype == "application/json"
    assert "1 MiB" in response.get_json()["error"]


@pytest.mark.parametrize("path", ["/republish", "/login"])
def test_a_form_over_one_mib_is_413_with_a_page_that_says_so(seeded, client, path):
    response = client.post(path, data={**valid_form(), "notes": "x" * (ONE_MIB + 1)})
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "1 MiB" in response.get_data(as_text=True)


def _too_long(name: str) -> tuple[str, str]:
    """A value one character over the field's limit, and the message that says so."""
    limit = LIMITS[name]
    if name == "email":
        return "a" * (limit - 9) + "@x.example", f"Must be at most {limit} characters."
    return "x" * (limit + 1), f"Must be at most {limit:,} characters (it has {limit + 1:,})."


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_every_request_field_has_a_limit_with_a_clear_message(seeded, client, name):
    value, message = _too_long(name)
    api = client.post("/api/v1/requests", json=request_data(**{name: value}))
    assert api.status_code == 422
    assert api.get_json()["errors"][name] == [message]

    form = client.post("/republish", data=valid_form(**{name: value}))
    assert form.status_code == 422
    doc = parse(form.data)
    assert doc.by_id(f"{name}-error").text == message
    assert form_values(doc.find("form", id="request-form"))[name] == [value]  # kept to be shortened


@pytest.mark.parametrize("name", ["organisation", "contact_name", "publication", "notes", "billing_address"])
def test_a_field_at_its_limit_is_taken(seeded, client, name):
    response = client.post("/api/v1/requests", json=request_data(**{name: "x" * LIMITS[name]}))
    assert response.status_code == 201, response.get_json()


def test_the_publishers_answer_and_withdrawal_have_limits_with_clear_messages(seeded, client):
    from tests.staff_fixtures import execute

    asked = submit(seeded)
    execute(seeded, "UPDATE requests SET status = 'needs_info' WHERE reference = :r", r=asked.reference)
    answer = client.post(f"/track/{asked.token}/answer", data={"message": "x" * 5001})
    assert answer.status_code == 422
    assert parse(answer.data).by_id("message-error").text == "Write your answer (at most 5,000 characters)."

    other = submit(seeded)
    withdraw = client.post(f"/track/{other.token}/withdraw", data={"reason": "x" * 1001})
    assert withdraw.status_code == 422
    assert "at most 1,000 characters" in parse(withdraw.data).find(cls="flash-error").text
    assert client.post(f"/track/{other.token}/withdraw", data={"reason": "x" * 1000}).status_code == 302


@pytest.mark.parametrize(("action", "field", "what"), [("reject", "reason", "A reason"),
                                                        ("request-info", "message", "A message to the publisher"),
                                                        ("approve", "extra_terms", "Extra terms")])
def test_staff_decisions_have_limits_with_clear_messages(seeded, client, action, field, what):
    from tests.staff_fixtures import api_token

    uid = add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"])
    made = submit(seeded)
    api = client.post(f"/api/v1/staff/requests/{made.reference}/{action}", json={field: "x" * 5001},
                      headers=bearer(api_token(seeded, uid)))
    assert api.status_code == 422
    assert api.get_json()["error"] == f"{what} must be at most 5,000 characters."

    login(client, uid)
    page = client.post(f"/staff/requests/{made.reference}/{action}", data={field: "x" * 5001})
    assert page.status_code == 422
    assert f"{what} must be at most 5,000 characters." in page.get_data(as_text=True)


def test_the_search_query_has_a_limit_with_a_clear_message(seeded, client):
    response = client.get("/api/v1/articles", query_string={"q": "x" * 501})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"q": ["At most 500 characters."]}


class TestNulInTheAddress:
    """A NUL in a path segment is a 404 everywhere, never a lookup PostgreSQL refuses with a 500."""

    @pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
    def db_kind(self, request) -> str:  # noqa: ANN001
        return request.param

    def test_every_kind_of_path(self, seeded, signed_in):
        for method, path in [("GET", "/staff/requests/REQ%00"), ("POST", "/staff/requests/%00/note"),
                             ("GET", "/staff/documents/%00.pdf"), ("GET", "/finance/invoices/INV%00"),
                             ("GET", "/api/v1/requests/%00"),
                             ("GET", "/track/%00"), ("GET", "/verify/%00"), ("GET", "/set-password/%00")]:
            response = signed_in.open(path, method=method, data={"note": "x"})
            assert response.status_code == 404, (method, path, response.status_code)
            if path.startswith("/api/"):
                assert response.get_json()["error"]


# ---------------------------------------------------------------------------------------- secrets

def test_a_generated_secret_key_is_kept_with_0600(tmp_path, monkeypatch):
    from licensing.core.settings import _secret_key

    monkeypatch.delenv("SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    key = _secret_key(instance)
    path = instance / "secret_key"
    assert len(key) == 64 and path.read_text() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _secret_key(instance) == key  # kept: the sessions survive a restart
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert _secret_key(instance) == "from-the-environment"


def test_the_settings_never_print_secrets(tmp_path, monkeypatch):
    from licensing.core.settings import Settings

    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_supersecret")
    monkeypatch.setenv("SECRET_KEY", "the-session-key")
    shown = repr(Settings.from_env(instance=tmp_path))
    assert "supersecret" not in shown and "the-session-key" not in shown


# ------------------------------------------------------------------------------------------- logs

def test_log_format_json_gives_one_json_object_per_access_line(database_url, monkeypatch, tmp_path):
    from app import create_app
    from licensing.core.settings import Settings

    monkeypatch.setenv("LOG_FORMAT", "json")
    monkeypatch.setenv("SECRET_KEY", "x")
    assert Settings.from_env(instance=tmp_path).json_logs
    root = logging.getLogger()
    saved = root.handlers[:], getattr(root, "_syndication_configured", False)
    stream = io.StringIO()
    try:
        root.handlers[:] = []
        root._syndication_configured = False  # type: ignore[attr-defined]
        app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x", "SERVER_NAME": "desk.test"})
        assert isinstance(root.handlers[0].formatter, observability.JsonFormatter)
        root.handlers[0].setStream(stream)
        app.test_client().get("/healthz", headers={"X-Request-ID": "req-12345678"})
        app.extensions["database"].dispose()
    finally:
        root.handlers[:], root._syndication_configured = saved  # type: ignore[attr-defined]
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "syndication.access"]
    assert access and access[-1] | {"time": None, "duration_ms": None} == {
        "time": None, "level": "INFO", "logger": "syndication.access", "message": "GET /healthz 200",
        "request_id": "req-12345678", "user": None, "action": "health.healthz", "method": "GET",
        "path": "/healthz", "status": 200, "duration_ms": None}


def test_the_logs_never_carry_tokens_passwords_or_card_data(seeded, client, caplog, monkeypatch):
    from licensing.core import users
    from licensing.core.db import new_session
    from tests.staff_fixtures import api_token

    caplog.set_level(logging.DEBUG)
    uid = add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"])
    token = api_token(seeded, uid)
    made = submit(seeded)
    with seeded.app_context(), new_session() as s:
        _user, password_token = users.invite_user(s, "new@desk-news.example", "Nia New", ["staff"])
    pay_token = "c0ffee" * 8
    card = "4000002500003155"

    assert client.post("/login", data={"email": "sam@desk.test", "password": PASSWORD}).status_code == 302
    client.get("/staff/")
    client.post("/login", data={"email": "sam@desk.test", "password": PASSWORD + "-wrong"})
    client.get("/api/v1/staff/requests", headers=bearer(token))
    client.get(f"/api/v1/requests/{made.reference}", headers=bearer(made.token))
    client.get(f"/track/{made.token}")
    client.get(f"/track/{made.token}/documents/LIC-2026-00001.pdf")
    client.get(f"/set-password/{password_token}")
    client.get(f"/pay/INV-2026-00001/{pay_token}?card={card}")
    client.post(f"/pay/INV-2026-00001/{pay_token}/test-card", data={"card": card, "number": card, "cvc": "123"})
    import licensing.publisher.views

    def boom(*_a, **_k):  # noqa: ANN202
        raise RuntimeError("the tracking page broke")

    monkeypatch.setattr(licensing.publisher.views, "_track_page", boom)
    assert client.get(f"/track/{made.token}").status_code == 500  # logged with its traceback

    formatter = observability.JsonFormatter()
    written = "\n".join([formatter.format(r) for r in caplog.records] + [r.getMessage() for r in caplog.records])
    for secret in (PASSWORD, token, made.token, password_token, pay_token, card, "Bearer"):
        assert secret not in written, f"{secret[:12]}... is in the logs"
    access = [json.loads(formatter.format(r)) for r in caplog.records if r.name == "syndication.access"]
    paths = {line["path"] for line in access}
    assert {"/track/***", "/track/***/documents/LIC-2026-00001.pdf", "/set-password/***",
            "/pay/INV-2026-00001/***", "/pay/INV-2026-00001/***/test-card"} <= paths
    signed_in = [line for line in access if line["path"] == "/staff/"]
    assert signed_in and signed_in[0]["user"] == str(uid) and signed_in[0]["action"] == "staff.home"
    assert all(re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) for line in access)
