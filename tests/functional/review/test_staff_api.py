"""The staff API: the queue and decisions over JSON with a personal API token."""
from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from tests.staff_fixtures import (
    PUBLISHER_EMAIL,
    add_user,
    api_token,
    bearer,
    events_of,
    insert_requests,
    mails,
    state,
    submit,
    tracking_link,
)


@pytest.fixture
def api(seeded):
    uid = add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"])
    token = api_token(seeded, uid)
    client = seeded.test_client()

    def call(method: str, path: str, token: str | None = token, **kwargs):  # noqa: ANN202
        headers = bearer(token) if token is not None else {}
        response = client.open(path, method=method, headers=headers, **kwargs)
        assert response.is_json, f"{method} {path}: {response.status_code} {response.mimetype}"
        return response

    return SimpleNamespace(app=seeded, user_id=uid, token=token, call=call)


def test_list_requests_by_status_paginated(api):
    made = insert_requests(api.app, [{"submitted_at": datetime(2026, 1, 5) + timedelta(minutes=i)}
                                     for i in range(52)]
                           + [{"status": "approved", "approved_fee": 100, "quote_amount": 100},
                              {"status": "needs_info"}])
    first = api.call("GET", "/api/v1/staff/requests?status=submitted")
    assert first.status_code == 200
    body = first.get_json()
    assert (body["page"], body["pages"], body["total"]) == (1, 2, 52)
    assert [r["reference"] for r in body["requests"]] == [m.reference for m in made[:50]]
    second = api.call("GET", "/api/v1/staff/requests?status=submitted&page=2").get_json()
    assert [r["reference"] for r in second["requests"]] == [m.reference for m in made[50:52]]

    approved = api.call("GET", "/api/v1/staff/requests?status=approved").get_json()
    assert approved["total"] == 1
    row = approved["requests"][0]
    assert row == {
        "reference": made[52].reference, "status": "approved", "submitted_at": "2026-01-05T09:00:00Z",
        "organisation": "Leeds Evening Post Ltd", "email": PUBLISHER_EMAIL,
        "article": {"id": row["article"]["id"], "title": row["article"]["title"]},
        "medium": "website", "audience": 25000, "territory": ["FR", "GB"], "term": "1_year",
        "quote": {"amount": 100, "currency": "GBP"}, "approved_fee": 100, "assigned_to": None,
    }
    assert row["article"]["title"].startswith("US, Turkey to work closely")
    assert api.call("GET", "/api/v1/staff/requests").get_json()["total"] == 53  # open by default
    assert api.call("GET", "/api/v1/staff/requests?status=all").get_json()["total"] == 54


def test_list_refuses_an_unknown_status(api):
    response = api.call("GET", "/api/v1/staff/requests?status=pending")
    assert response.status_code == 422
    assert "status" in response.get_json()["errors"]


def test_approve_returns_the_new_state(api):
    made = submit(api.app)
    response = api.call("POST", f"/api/v1/staff/requests/{made.reference.lower()}/approve")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["reference"], body["status"], body["approved_fee"]) == (made.reference, "approved", 67500)
    row = state(api.app, made.reference)
    assert (row.status, row.decided_by_id) == ("approved", api.user_id)
    sent = mails(api.app, tag_contains=":request_approved")
    assert len(sent) == 1 and tracking_link(sent[0].body_text)


def test_approve_with_a_fee_override_and_extra_terms(api):
    made = submit(api.app)
    response = api.call("POST", f"/api/v1/staff/requests/{made.reference}/approve", json={
        "fee_override": {"amount": 35050, "reason": "Charity discount"}, "extra_terms": "Credit MEE."})
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["approved_fee"]) == ("approved", 35050)
    row = state(api.app, made.reference)
    assert (row.approved_fee, row.fee_override_reason, row.extra_terms) == (35050, "Charity discount", "Credit MEE.")
    assert events_of(api.app, made.reference)[-1].data == {"fee": {"quoted": 67500, "approved": 35050},
                                                          "override_reason": "Charity discount",
                                                          "extra_terms": "Credit MEE."}


@pytest.mark.parametrize("body, field", [
    ({"fee_override": {"amount": 35050}}, "fee_override"),
    ({"fee_override": {"amount": 35050, "reason": "  "}}, "fee_override"),
    ({"fee_override": {"amount": "350.50", "reason": "x"}}, "fee_override"),
    ({"fee_override": {"amount": 350.5, "reason": "x"}}, "fee_override"),
    ({"fee_override": {"amount": -1, "reason": "x"}}, "fee_override"),
    ({"fee_override": {"amount": True, "reason": "x"}}, "fee_override"),
    ({"fee_override": 35050}, "fee_override"),
    ({"extra_terms": ["not", "text"]}, "extra_terms"),
    ({"extra_terms": "x" * 5001}, "extra_terms"),
])
def test_approve_refuses_invalid_bodies_with_422(api, body, field):
    made = submit(api.app)
    response = api.call("POST", f"/api/v1/staff/requests/{made.reference}/approve", json=body)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]
    assert state(api.app, made.reference).status == "submitted"
    assert mails(api.app, tag_contains=":request_approved") == []


def test_a_body_that_is_not_a_json_object_is_refused(api):
    made = submit(api.app)
    for data in ("[1, 2]", "not json"):
        response = api.call("POST", f"/api/v1/staff/requests/{made.reference}/reject", data=data,
                            content_type="application/json")
        assert response.status_code == 400
        assert response.get_json() == {"error": "The body must be a JSON object."}
    assert state(api.app, made.reference).status == "submitted"


def test_reject_with_a_reason(api):
    made = submit(api.app)
    response = api.call("POST", f"/api/v1/staff/requests/{made.reference}/reject", json={"reason": "Exclusive elsewhere."})
    assert response.status_code == 200
    assert response.get_json()["status"] == "rejected"
    assert state(api.app, made.reference).decision_reason == "Exclusive elsewhere."
    sent = mails(api.app, tag_contains=":request_rejected")
    assert len(sent) == 1 and "Exclusive elsewhere." in sent[0].body_text


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": None}, {"reason": 5}])
def test_reject_without_a_reason_is_422(api, body):
    made = submit(api.app)
    response = api.call("POST", f"/api/v1/staff/requests/{made.reference}/reject", json=body)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["reason"]
    assert state(api.app, made.reference).status == "submitted"


def test_request_info_then_409_for_what_the_state_no_longer_allows(api):
    made = submit(api.app)
    response = api.call("POST", f"/api/v1/staff/requests/{made.reference}/request-info",
                        json={"message": "Which page?"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "needs_info"
    assert len(mails(api.app, tag_contains=":request_needs_info")) == 1

    # needs info: approving and asking again are refused, rejecting is allowed
    refused = api.call("POST", f"/api/v1/staff/requests/{made.reference}/approve")
    assert refused.status_code == 409
    assert refused.get_json() == {"error": "cannot approve a request that is needs information",
                                  "status": "needs_info"}
    assert api.call("POST", f"/api/v1/staff/requests/{made.reference}/request-info",
                    json={"message": "Again?"}).status_code == 409
    assert api.call("POST", f"/api/v1/staff/requests/{made.reference}/reject", json={"reason": "No answer."}
                    ).status_code == 200

    again = api.call("POST", f"/api/v1/staff/requests/{made.reference}/approve")
    assert again.status_code == 409
    body = again.get_json()
    assert body["status"] == "rejected"
    assert body["error"].startswith("Already rejected by Sam Staff at ")
    assert [e.action for e in events_of(api.app, made.reference)] == ["submit", "request_info", "reject"]


def test_request_info_needs_a_message(api):
    made = submit(api.app)
    response = api.call("POST", f"/api/v1/staff/requests/{made.reference}/request-info", json={"message": " "})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"message": ["A message to the publisher is required."]}


def test_unknown_reference_is_404(api):
    for action, body in (("approve", {}), ("reject", {"reason": "x"}), ("request-info", {"message": "x"})):
        response = api.call("POST", f"/api/v1/staff/requests/REQ-NOPE22/{action}", json=body)
        assert response.status_code == 404
        assert response.get_json() == {"error": "No request with this reference."}


def test_unknown_routes_and_methods_answer_json(api):
    assert api.call("GET", "/api/v1/staff/requests/REQ-NOPE22/approve").status_code == 405
    assert api.call("GET", "/api/v1/staff/nothing-here").status_code == 404


@pytest.mark.parametrize("header", [None, "", "Bearer ", "Bearer sdk_not-a-real-token", "Basic c2FtOnB3",
                                    "Bearer " + "sdk_" + "x" * 200])
def test_401_without_a_valid_token(api, header):
    made = submit(api.app)
    headers = {"Authorization": header} if header is not None else {}
    client = api.app.test_client()
    for method, path in (("GET", "/api/v1/staff/requests"),
                         ("POST", f"/api/v1/staff/requests/{made.reference}/approve")):
        response = client.open(path, method=method, headers=headers)
        assert response.status_code == 401
        assert response.get_json() == {
            "error": "Send a valid personal API token as 'Authorization: Bearer <token>'."}
    assert state(api.app, made.reference).status == "submitted"


def test_a_revoked_token_or_a_deactivated_user_is_401(api):
    from licensing.core import tokens
    from licensing.core.db import new_session
    from licensing.core.models import ApiToken, User

    assert api.call("GET", "/api/v1/staff/requests").status_code == 200
    with api.app.app_context(), new_session() as s:
        row = s.query(ApiToken).one()
        assert tokens.revoke(s, s.get(User, api.user_id), row.id)
    assert api.call("GET", "/api/v1/staff/requests").status_code == 401

    other = add_user(api.app, "kim@desk.test", "Kim Staff", ["staff"])
    token = api_token(api.app, other)
    assert api.call("GET", "/api/v1/staff/requests", token=token).status_code == 200
    with api.app.app_context(), new_session() as s:
        s.get(User, other).active = False
        s.commit()
    assert api.call("GET", "/api/v1/staff/requests", token=token).status_code == 401


@pytest.mark.parametrize("roles", [["finance"], ["admin"], ["finance", "admin"]])
def test_403_for_a_user_without_the_staff_role(api, roles):
    made = submit(api.app)
    uid = add_user(api.app, "other@desk.test", "Other", roles)
    token = api_token(api.app, uid)
    listing = api.call("GET", "/api/v1/staff/requests", token=token)
    assert listing.status_code == 403
    assert listing.get_json() == {"error": "This token's user does not have the staff role."}
    assert api.call("POST", f"/api/v1/staff/requests/{made.reference}/approve", token=token).status_code == 403
    assert state(api.app, made.reference).status == "submitted"


def test_a_token_made_with_the_cli_works(api):
    runner = api.app.test_cli_runner()
    result = runner.invoke(args=["users", "token", "SAM@desk.test", "--name", "Newsroom bot"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("sdk_")
    made = submit(api.app)
    response = api.call("POST", f"/api/v1/staff/requests/{made.reference}/approve", token=token)
    assert response.status_code == 200
    assert state(api.app, made.reference).decided_by_id == api.user_id

    from licensing.core.db import new_session
    from licensing.core.models import ApiToken

    with api.app.app_context(), new_session() as s:
        names = sorted(t.name for t in s.query(ApiToken))
    assert names == ["Newsroom bot", "test token"]
    missing = runner.invoke(args=["users", "token", "nobody@desk.test"])
    assert missing.exit_code != 0 and "no user with the e-mail nobody@desk.test" in missing.output
