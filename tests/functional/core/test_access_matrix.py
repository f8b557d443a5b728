"""Every registered route, walked as anonymous and as a user holding only one role, compared with an
explicit table. A new route fails this module until it is classified here, and a guarded route
whose view carries no `required_roles` fails too."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.staff_fixtures import add_reason, add_user, api_token, bearer, insert_requests, login, submit

PUBLIC = "public"
ANY_STAFF = frozenset({"staff", "finance", "admin"})
STAFF = frozenset({"staff"})
ADMIN = frozenset({"admin"})
TOKEN_STAFF = ("token", frozenset({"staff"}))  # Bearer token of a user with the staff role

EXPECTED: dict[str, object] = {
    "static": PUBLIC,
    # the publisher's pages
    "public.index": PUBLIC,
    "public.article": PUBLIC,
    "public.republish": PUBLIC,
    "public.confirmation": PUBLIC,
    "public.track": PUBLIC,
    "public.withdraw": PUBLIC,
    "public.answer": PUBLIC,
    "downloads.publisher_document": PUBLIC,  # the tracking token is the key
    "downloads.publisher_document_xml": PUBLIC,  # the tracking token is the key
    # the licensee paying (the payment link's token is the key) and Stripe's signed webhook
    "pay.pay_page": PUBLIC,
    "pay.test_card": PUBLIC,
    "pay.authenticate": PUBLIC,
    "pay.returned": PUBLIC,
    "stripe_webhook.webhook": PUBLIC,
    # probes of the load balancer and the orchestrator
    "health.healthz": PUBLIC,
    "health.readyz": PUBLIC,
    # anyone checking a license number
    "verify.verify_form": PUBLIC,
    "verify.verify_page": PUBLIC,
    "verify.license_jsonld": PUBLIC,
    "verify.vocabulary": PUBLIC,
    "terms.current": PUBLIC,
    "terms.version": PUBLIC,
    "verify.license_api": PUBLIC,
    # the publisher API
    "api.articles": PUBLIC,
    "api.quotes": PUBLIC,
    "api.create_request": PUBLIC,
    "api.get_request": PUBLIC,
    "api.openapi": PUBLIC,
    # signing in and out
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.set_password": PUBLIC,
    # staff pages
    "staff.home": ANY_STAFF,
    "staff.queue": STAFF,
    "staff.request_page": STAFF,
    "staff.approve": STAFF,
    "staff.reject": STAFF,
    "staff.request_info": STAFF,
    "staff.note": STAFF,
    "staff.assign": STAFF,
    "staff.bulk": STAFF,
    # the outbox holds private links (issue 13): admins only, and they see the links masked
    "staff.outbox": ADMIN,
    "staff.outbox_message": ADMIN,
    "staff.outbox_resend": ADMIN,
    "staff_tools.request_events_csv": STAFF,
    "staff_tools.events_csv": frozenset({"staff", "admin"}),
    "staff_tools.api_tokens": ANY_STAFF,
    "staff_tools.revoke_token": ANY_STAFF,
    "staff_tools.reasons": STAFF,
    "staff_tools.update_reason": STAFF,
    "downloads.staff_document": frozenset({"staff", "finance"}),
    "downloads.staff_document_xml": frozenset({"staff", "finance"}),
    # admin pages
    "admin.user_list": ADMIN,
    "terms.publish": ADMIN,
    "admin.user_edit": ADMIN,
    "admin.invite_again": ADMIN,
    "tax_admin.tax_rates": ADMIN,
    "rate_card_admin.rate_card": ADMIN,
    # the finance workspace: finance only (staff cannot refund, void or mark paid)
    "finance.home": frozenset({"finance"}),
    "finance.invoices": frozenset({"finance"}),
    "finance.invoices_csv_export": frozenset({"finance"}),
    "finance.invoice_page": frozenset({"finance"}),
    "finance.send_again": frozenset({"finance"}),
    "finance.mark_paid": frozenset({"finance"}),
    "finance.void": frozenset({"finance"}),
    "finance.refund": frozenset({"finance"}),
    "finance.uncollectible": frozenset({"finance"}),
    "finance.note": frozenset({"finance"}),
    "finance.clear_flag": frozenset({"finance"}),
    "finance.exports": frozenset({"finance"}),
    "finance.payments_csv_export": frozenset({"finance"}),
    "finance.credit_notes_csv_export": frozenset({"finance"}),
    "finance_reports.ageing": frozenset({"finance"}),
    "finance_reports.revenue": frozenset({"finance"}),
    "finance_reports.revenue_csv_export": frozenset({"finance"}),
    "finance_reports.reconciliation": frozenset({"finance"}),
    "finance_reports.run_reconciliation": frozenset({"finance"}),
    "finance_revenue.by_medium": frozenset({"finance"}),
    "finance_revenue.by_territory": frozenset({"finance"}),
    "finance_revenue.by_medium_csv": frozenset({"finance"}),
    "finance_revenue.by_territory_csv": frozenset({"finance"}),
    # the staff API
    "staff_api.list_requests": TOKEN_STAFF,
    "staff_api.approve": TOKEN_STAFF,
    "staff_api.reject": TOKEN_STAFF,
    "staff_api.request_info": TOKEN_STAFF,
    "delivery_api.put_article": TOKEN_STAFF,

    "delivery.package_page": PUBLIC,  # the tracking token is the key
    "delivery.rendition": PUBLIC,
    "delivery.usage_page": PUBLIC,
    "delivery.true_up_page": PUBLIC,  # the quote's own token is the key
    "delivery.accept": PUBLIC,
    "delivery.staff_usage": ANY_STAFF,
    "delivery.staff_true_up": STAFF,
    "delivery.staff_reminder": STAFF,
    "delivery.staff_accept_domain": STAFF,
}
ROLES = ("staff", "finance", "admin")


def unclassified(app: Flask) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()} - set(EXPECTED))


def unguarded(app: Flask) -> list[str]:
    """Guarded endpoints whose view does not carry the roles the table expects."""
    wrong = []
    for endpoint, expected in EXPECTED.items():
        view = app.view_functions.get(endpoint)
        roles = getattr(view, "required_roles", None)
        if expected == PUBLIC:
            if roles is not None:
                wrong.append(f"{endpoint}: public in the table but guarded for {roles}")
            continue
        want = expected[1] if isinstance(expected, tuple) else expected
        if roles is None or frozenset(roles) != want:
            wrong.append(f"{endpoint}: required_roles={roles!r}, expected {sorted(want)}")
        if isinstance(expected, tuple) and not getattr(view, "token_auth", False):
            wrong.append(f"{endpoint}: expected Bearer-token auth")
    return wrong


def test_every_route_is_classified_and_every_guarded_view_carries_its_roles(app):
    assert unclassified(app) == [], "routes missing from the access table (add them to EXPECTED)"
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(set(EXPECTED) - registered) == [], "the table lists routes that no longer exist"
    assert unguarded(app) == []


def test_the_matrix_check_catches_a_new_unguarded_route(app):
    app.add_url_rule("/staff/new-report", "staff.new_report", lambda: "report")
    assert unclassified(app) == ["staff.new_report"]
    app.view_functions["staff.queue"] = lambda: "unguarded"  # a guard dropped by mistake
    assert unguarded(app) == ["staff.queue: required_roles=None, expected ['staff']"]


@pytest.fixture
def world(seeded):
    """Real values for every URL parameter, and one user (with an API token) per single role."""
    from licensing.core.db import new_session
    from licensing.core.models import OutboxMessage, PasswordToken
    from licensing.intake.services import hash_token

    app = seeded
    users = {role: add_user(app, f"{role}@desk.test", f"Only {role.title()}", [role]) for role in ROLES}
    bystander = add_user(app, "bystander@desk.test", "Bea Bystander", ["staff"])
    tokens = {role: api_token(app, uid) for role, uid in users.items()}
    api_token(app, bystander)
    public_request = submit(app)  # the publisher's tracking link walks this one (approved: it has documents)
    staff_request = insert_requests(app, [{}])[0]  # the staff pages act on this one
    reason = add_reason(app, "Exclusive elsewhere", "Licensed exclusively to another publisher.")
    with app.test_request_context("/"), new_session() as s:
        from datetime import timedelta

        from sqlalchemy import func, select

        from licensing.catalog.models import Article
        from licensing.core.db import utcnow
        from licensing.core.models import ApiToken, User
        from licensing.licenses.services import license_for_request
        from licensing.review import services as review

        review.approve(s, public_request.reference, s.get(User, bystander))
        license_ = license_for_request(s, public_request.id)
        license_number, invoice_number = license_.number, license_.invoice_number
        s.add(PasswordToken(user_id=bystander, token_hash=hash_token("set-password-token"),
                            expires_at=utcnow() + timedelta(days=1)))
        s.commit()
        values = {
            "article_id": s.scalar(select(func.min(Article.id))),
            "message_id": s.scalar(select(func.min(OutboxMessage.id))),
            "token_id": s.scalar(select(ApiToken.id).where(ApiToken.user_id == bystander)),
            "reason_id": reason,
            "user_id": bystander,
            "filename": "css/app.css",
            "number": license_number,
            "invoice_number": invoice_number,
            "kind": "html",
        }
    return {"users": users, "tokens": tokens, "values": values, "public": public_request,
            "staff": staff_request}


def _url(app: Flask, rule, world) -> str:  # noqa: ANN001
    values = dict(world["values"])
    # <token> is the publisher's tracking token, except in the one-time set-password link
    values["token"] = "set-password-token" if rule.endpoint == "auth.set_password" else world["public"].token
    values["reference"] = world["public" if rule.endpoint.startswith("api.") else "staff"].reference
    if rule.endpoint.startswith("pay."):  # the invoice's payment link
        from invoices.billing.services import payment_token

        values["number"] = values["invoice_number"]
        values["token"] = payment_token(app.config["SECRET_KEY"], values["number"])
    if rule.endpoint == "terms.version":  # the standard terms' version number
        values["number"] = 1
    missing = set(rule.arguments) - set(values)
    assert not missing, f"{rule.endpoint}: no test value for URL parameter(s) {sorted(missing)}"
    with app.test_request_context():
        return app.url_for(rule.endpoint, **{a: values[a] for a in rule.arguments})


def _walk(app: Flask, world, as_role: str | None) -> list[str]:  # noqa: ANN001
    """Request every route with every method; return each outcome that differs from the table."""
    client = app.test_client()
    problems = []
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint.startswith("auth."), r.endpoint))
    for rule in rules:  # auth.logout last but one: it ends the session
        expected = EXPECTED.get(rule.endpoint)
        assert expected is not None, f"route {rule.endpoint} ({rule.rule}) is not in the access table"
        url = _url(app, rule, world)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            headers = {}
            if as_role is not None:
                login(client, world["users"][as_role])
                if isinstance(expected, tuple):
                    headers = bearer(world["tokens"][as_role])
            response = client.open(url, method=method, headers=headers)
            status, where = response.status_code, response.headers.get("Location", "")
            to_login = status in (301, 302, 303) and urlsplit(where).path == "/login"
            # a refusal; the sign-in form itself answers 401 to wrong credentials, sign-out sends to /login
            # (reading a request by API needs its tracking token, not a sign-in: 401 without it, for anyone)
            denied = status == 403 or (status == 401 and rule.endpoint not in ("auth.login", "api.get_request")) or (
                to_login and "next=" in where)
            label = f"{method} {url} as {as_role or 'anonymous'}: {status} {where}".strip()
            if status >= 500 and not (status == 503 and rule.endpoint.startswith("pay.")):
                problems.append(f"{label} (server error)")  # 503: "payment unavailable", no Stripe here
            elif expected == PUBLIC:
                if denied:
                    problems.append(f"{label} (should be public)")
            elif isinstance(expected, tuple):  # staff API: JSON, 401 without a token, 403 without the role
                want = 401 if as_role is None else (None if as_role in expected[1] else 403)
                if not response.is_json:
                    problems.append(f"{label} (not JSON)")
                elif want is None and status in (401, 403):
                    problems.append(f"{label} (should be allowed)")
                elif want is not None and status != want:
                    problems.append(f"{label} (expected {want})")
            elif as_role is None:
                if not to_login or "next=" not in where:
                    problems.append(f"{label} (expected a redirect to /login?next=...)")
            elif as_role in expected:
                if denied:
                    problems.append(f"{label} (should be allowed)")
            elif status != 403:
                problems.append(f"{label} (expected 403)")
    return problems


@pytest.mark.parametrize("as_role", [None, *ROLES], ids=["anonymous", *(f"{r}-only" for r in ROLES)])
def test_access_matrix(world, seeded, as_role):
    assert _walk(seeded, world, as_role) == []


def test_a_session_cookie_is_not_enough_for_the_staff_api(world, seeded):
    client = seeded.test_client()
    login(client, world["users"]["staff"])
    response = client.get("/api/v1/staff/requests")
    assert response.status_code == 401
    assert "Bearer" in response.get_json()["error"]
