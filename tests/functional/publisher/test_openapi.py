"""The OpenAPI document is valid, and says exactly what the API does: every documented operation
and status is produced by the real app and its body validates against the documented schema."""
from __future__ import annotations

import copy
import dataclasses
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_spec

from licensing.intake.rules import workflow
from licensing.intake.rules.validation import LIMITS, QuoteInput, RequestInput
from licensing.pricing.rules import MEDIA, TERMS
from tests.functional.conftest import api_body


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


FORMATS = FormatChecker()  # date, date-time, email... and "uri", which jsonschema checks only with extras


@FORMATS.checks("uri")
def _is_uri(value) -> bool:  # noqa: ANN001
    return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)


def _validator(document: dict, schema: dict) -> Draft202012Validator:
    """A validator for `schema` whose #/components/... references resolve in the document."""
    rooted = {**copy.deepcopy(schema), "components": document["components"]}
    return Draft202012Validator(rooted, format_checker=FORMATS)


def _assert_valid(document: dict, schema: dict, instance) -> None:  # noqa: ANN001
    errors = sorted(_validator(document, schema).iter_errors(instance), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def _documented(document: dict) -> set[tuple[str, str, str]]:
    return {(path, method, status)
            for path, item in document["paths"].items()
            for method, operation in item.items()
            for status in operation["responses"]}


def test_the_document_is_valid_openapi(document):
    validate_spec(document)
    assert document["openapi"].startswith("3.")


def test_enums_are_the_pricing_constants(document):
    schemas = document["components"]["schemas"]
    for name in ("QuoteRequest", "RepublishRequest"):
        assert schemas[name]["properties"]["medium"]["enum"] == list(MEDIA)
        assert schemas[name]["properties"]["term"]["enum"] == list(TERMS)
    assert schemas["TrackedRequest"]["properties"]["status"]["enum"] == list(workflow.STATUSES)


def test_request_bodies_name_exactly_the_fields_the_api_reads(document):
    schemas = document["components"]["schemas"]
    assert set(schemas["QuoteRequest"]["properties"]) == {f.name for f in dataclasses.fields(QuoteInput)}
    assert set(schemas["RepublishRequest"]["properties"]) == {f.name for f in dataclasses.fields(RequestInput)}
    for name, limit in LIMITS.items():
        assert schemas["RepublishRequest"]["properties"][name]["maxLength"] == limit


def test_the_bodies_the_tests_send_are_valid_by_the_document(document):
    _assert_valid(document, {"$ref": "#/components/schemas/RepublishRequest"}, api_body())
    _assert_valid(document, {"$ref": "#/components/schemas/QuoteRequest"}, api_body())
    _assert_valid(document, {"$ref": "#/components/schemas/RepublishRequest"}, api_body(territory="worldwide"))


def test_a_body_the_document_refuses_is_refused_by_the_api(document, seeded, client):
    too_long = api_body(organisation="x" * (LIMITS["organisation"] + 1))
    assert list(_validator(document, {"$ref": "#/components/schemas/RepublishRequest"}).iter_errors(too_long))

    response = client.post("/api/v1/requests", json=too_long)

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["organisation"]


# ---------------------------------------------------------------- real responses


def _created(client) -> dict:  # noqa: ANN001
    response = client.post("/api/v1/requests", json=api_body())
    assert response.status_code == 201
    return response.get_json()


def _tracked(client):  # noqa: ANN001, ANN202
    created = _created(client)
    return client.get(f"/api/v1/requests/{created['reference']}",
                      headers={"Authorization": f"Bearer {created['tracking_token']}"})


def _tracked_missing(client):  # noqa: ANN001, ANN202
    created = _created(client)
    return client.get(f"/api/v1/requests/{created['reference']}", headers={"Authorization": "Bearer nope"})


def _staff_headers(client, roles=("staff",)) -> dict:  # noqa: ANN001
    from tests.staff_fixtures import add_user, api_token, bearer

    user = add_user(client.application, f"{'-'.join(roles)}-{len(roles)}@desk.example", "Sam Staff", list(roles))
    return bearer(api_token(client.application, user))


def _decide(action: str, body: dict | None = None, state: str = "fresh", roles=("staff",)):  # noqa: ANN001, ANN202
    def call(client):  # noqa: ANN001, ANN202
        headers = _staff_headers(client, roles)
        reference = _created(client)["reference"] if state != "missing" else "REQ-ZZZZZZ"
        if state == "decided":
            client.post(f"/api/v1/staff/requests/{reference}/reject", json={"reason": "No."}, headers=headers)
        return client.post(f"/api/v1/staff/requests/{reference}/{action}", json=body, headers=headers)
    return call


def _malformed_decision(action: str):  # noqa: ANN202
    def call(client):  # noqa: ANN001, ANN202
        reference = _created(client)["reference"]
        return client.post(f"/api/v1/staff/requests/{reference}/{action}", data=b"[1", headers={
            **_staff_headers(client), "Content-Type": "application/json"})
    return call


def _license(client, known: bool = True):  # noqa: ANN001, ANN202
    if not known:
        return client.get("/api/v1/licenses/LIC-2000-99999")
    reference = _created(client)["reference"]
    client.post(f"/api/v1/staff/requests/{reference}/approve", json={}, headers=_staff_headers(client))
    from licensing.core.db import new_session
    from licensing.licenses.models import License

    with client.application.app_context(), new_session() as s:
        number = s.query(License.number).scalar()
    return client.get(f"/api/v1/licenses/{number}")


def _over_the_limit(client, call):  # noqa: ANN001, ANN202
    """The answer once the operation's rate limit is spent."""
    from licensing.core.limits import limiter

    assert client.application.config["RATELIMIT_ENABLED"], "the app_config fixture turns limits on for 429 cases"
    limiter.reset()
    for _ in range(200):
        response = call()
        if response.status_code == 429:
            return response
    raise AssertionError("no 429 after 200 calls")


@pytest.fixture
def app_config(request) -> dict:  # noqa: ANN001
    """Rate limits on for the cases that must meet them (the tests run with limits off)."""
    case = getattr(getattr(request.node, "callspec", None), "params", {}).get("case")
    return {"RATELIMIT_ENABLED": True} if case and case[2] == "429" else {}


STAFF_CASES = {
    ("/api/v1/staff/requests", "get", "200"): lambda c: (_created(c), c.get(
        "/api/v1/staff/requests", query_string={"status": "open"}, headers=_staff_headers(c)))[1],
    ("/api/v1/staff/requests", "get", "401"): lambda c: c.get("/api/v1/staff/requests"),
    ("/api/v1/staff/requests", "get", "403"): lambda c: c.get(
        "/api/v1/staff/requests", headers=_staff_headers(c, ("finance",))),
    ("/api/v1/staff/requests", "get", "422"): lambda c: c.get(
        "/api/v1/staff/requests", query_string={"status": "lost"}, headers=_staff_headers(c)),
    ("/api/v1/licenses/{number}", "get", "200"): _license,
    ("/api/v1/licenses/{number}", "get", "404"): lambda c: _license(c, known=False),
}
for _action, _good, _bad in (
    ("approve", {"fee_override": {"amount": 30000, "reason": "Long-standing partner"}}, {"fee_override": {"amount": -1}}),
    ("reject", {"reason": "Not for syndication."}, {"reason": ""}),
    ("request-info", {"message": "Which edition?"}, {"message": 5}),
):
    _path = f"/api/v1/staff/requests/{{reference}}/{_action}"
    STAFF_CASES.update({
        (_path, "post", "200"): _decide(_action, _good),
        (_path, "post", "400"): _malformed_decision(_action),
        (_path, "post", "401"): lambda c, a=_action: c.post(f"/api/v1/staff/requests/REQ-ZZZZZZ/{a}", json={}),
        (_path, "post", "403"): _decide(_action, _good, roles=("finance",)),
        (_path, "post", "404"): _decide(_action, _good, state="missing"),
        (_path, "post", "409"): _decide(_action, _good, state="decided"),
        (_path, "post", "422"): _decide(_action, _bad),
    })

MALFORMED = {"data": b"{not json", "content_type": "application/json"}
NOT_JSON = {"data": b"medium=website", "content_type": "application/x-www-form-urlencoded"}

# (path, method, status) -> a call of the real app that answers with it
CASES = {
    ("/api/v1/articles", "get", "200"): lambda c: c.get("/api/v1/articles", query_string={"q": "mosul"}),
    ("/api/v1/articles", "get", "422"): lambda c: c.get("/api/v1/articles", query_string={"q": "m" * 501}),
    ("/api/v1/quotes", "post", "200"): lambda c: c.post("/api/v1/quotes", json=api_body()),
    ("/api/v1/quotes", "post", "400"): lambda c: c.post("/api/v1/quotes", **MALFORMED),
    ("/api/v1/quotes", "post", "415"): lambda c: c.post("/api/v1/quotes", **NOT_JSON),
    ("/api/v1/quotes", "post", "422"): lambda c: c.post("/api/v1/quotes", json=api_body(medium="billboard")),
    ("/api/v1/requests", "post", "201"): lambda c: c.post("/api/v1/requests", json=api_body()),
    ("/api/v1/requests", "post", "400"): lambda c: c.post("/api/v1/requests", **MALFORMED),
    ("/api/v1/requests", "post", "415"): lambda c: c.post("/api/v1/requests", **NOT_JSON),
    ("/api/v1/requests", "post", "422"): lambda c: c.post("/api/v1/requests", json=api_body(email="nope")),
    ("/api/v1/requests/{reference}", "get", "200"): _tracked,
    ("/api/v1/requests/{reference}", "get", "401"): _tracked_missing,
    ("/api/v1/requests/{reference}", "get", "404"): lambda c: c.get("/api/v1/requests/REQ-%C3%89%C3%89"),
    ("/api/v1/quotes", "post", "429"): lambda c: _over_the_limit(c, lambda: c.post("/api/v1/quotes", json=api_body())),
    ("/api/v1/requests", "post", "429"): lambda c: _over_the_limit(
        c, lambda: c.post("/api/v1/requests", json=api_body(email="nope"))),
    ("/api/v1/licenses/{number}", "get", "429"): lambda c: _over_the_limit(
        c, lambda: c.get("/api/v1/licenses/LIC-2000-99999")),
    **STAFF_CASES,
}


def test_every_documented_response_is_exercised(document):
    assert _documented(document) == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES), ids=lambda c: f"{c[1]} {c[0]} {c[2]}")
def test_real_response_matches_the_documented_schema(document, seeded, client, case):
    path, method, status = case
    response = CASES[case](client)

    assert response.status_code == int(status), response.data[:500]
    documented = document["paths"][path][method]["responses"][status]["content"]
    assert response.mimetype in documented
    _assert_valid(document, documented[response.mimetype]["schema"], response.get_json())


def test_the_schemas_are_strict_enough_to_fail(document):
    """The check above would notice a wrong shape: a quote without amount, a bad reference."""
    quote = {"$ref": "#/components/schemas/Quote"}
    assert list(_validator(document, quote).iter_errors({"currency": "GBP", "breakdown": [], "rate_card_version": 1}))
    created = {"$ref": "#/components/schemas/Created"}
    bad = {"reference": "R-1", "status": "submitted", "tracking_url": "http://x/t", "tracking_token": "t",
           "quote": {"amount": 1, "currency": "GBP", "breakdown": [], "steps": [], "rate_card_version": 1}}
    assert list(_validator(document, created).iter_errors(bad))
    relative = {**bad, "reference": "REQ-7K3F9Q", "tracking_url": "/track/t"}
    assert [e.validator for e in _validator(document, created).iter_errors(relative)] == ["format"]
    tracked = {"$ref": "#/components/schemas/TrackedRequest"}
    assert any(e.validator == "format" for e in _validator(document, tracked).iter_errors(
        {**relative, "article_url": "u", "submitted_at": "yesterday", "timeline": [], "status": "submitted"}))
