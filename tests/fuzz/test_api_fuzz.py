"""Hypothesis against the JSON API: whatever the body, query, path or token, never a 5xx, only the
statuses the OpenAPI document lists (and 413 for a body over the size limit), a JSON answer, and
every 4xx a JSON object with an "error" sentence (and, for 422, the fields to correct)."""
from __future__ import annotations

from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from licensing.intake.rules.validation import QUOTE_FIELDS
from tests.fuzz import strategies as fz

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


def merged_slashes(response, segment: str) -> bool:  # noqa: ANN001
    """A "%2F" in a path segment decodes to "/", and the router redirects the "//" it makes to the
    path with one slash (308): not an answer of the API's, so the properties do not apply."""
    if response.status_code != 308:
        return False
    assert "%2f" in segment.lower(), (segment, response.location)
    return True


def check_json_answer(response, allowed: set[int]) -> dict | list:  # noqa: ANN001
    """The property every API answer has; returns the parsed body."""
    status = response.status_code
    event(f"status {status}")  # shown by --hypothesis-show-statistics
    assert status < 500, f"server error {status}: {response.get_data(as_text=True)[:300]}"
    assert status in allowed, f"undocumented status {status}: {response.get_data(as_text=True)[:300]}"
    assert response.mimetype == "application/json", f"{status} answered with {response.mimetype}"
    body = response.get_json()
    if status >= 400:
        assert isinstance(body, dict), body
        assert isinstance(body.get("error"), str) and body["error"].strip(), body
        if status == 422 and "errors" in body:
            assert body["errors"] and all(isinstance(m, list) and m and all(isinstance(x, str) and x for x in m)
                                          for m in body["errors"].values()), body
    return body


@settings(max_examples=400, **SETTINGS)
@given(request=fz.raw_json_requests(QUOTE_FIELDS))
def test_quotes_never_fail_on_any_body(fuzz_client, request):
    quote_property(fuzz_client, request)


def quote_property(fuzz_client, request: tuple[bytes, str]) -> None:  # noqa: ANN001
    body, content_type = request
    response = fuzz_client.post("/api/v1/quotes", data=body, content_type=content_type)
    answer = check_json_answer(response, {200, 400, 413, 415, 422})
    if response.status_code == 200:
        assert isinstance(answer["amount"], int) and answer["amount"] >= 0
        assert answer["currency"] == "GBP" and answer["breakdown"]


@settings(max_examples=500, **SETTINGS)
@given(request=fz.raw_json_requests())
def test_requests_never_fail_on_any_body(fuzz_client, request):
    request_property(fuzz_client, request)


def request_property(fuzz_client, request: tuple[bytes, str]) -> None:  # noqa: ANN001
    body, content_type = request
    response = fuzz_client.post("/api/v1/requests", data=body, content_type=content_type)
    answer = check_json_answer(response, {201, 400, 413, 415, 422})
    if response.status_code == 201:
        assert answer["status"] == "submitted" and answer["reference"].startswith("REQ-")
        # The request is readable with its token: what was stored reads back without an error.
        tracked = fuzz_client.get(f"/api/v1/requests/{answer['reference']}",
                                  headers={"Authorization": f"Bearer {answer['tracking_token']}"})
        assert check_json_answer(tracked, {200})["reference"] == answer["reference"]


def _query_value() -> st.SearchStrategy[str]:
    """A percent-encoded query value: any text, or raw bytes that are not UTF-8 at all."""
    return st.one_of(
        fz.text(max_size=40).map(lambda t: quote(t, safe="")),
        st.binary(max_size=20).map(lambda b: quote_from_bytes(b, safe="")),
        st.sampled_from(["%ED%A0%80", "%FF", "%", "%zz", "%00", "a+b", "%C0%AF", "&q=", "q=1"]),
        st.integers(499, 502).map(lambda n: "é" * n).map(lambda t: quote(t, safe="")),
    )


@settings(max_examples=300, **SETTINGS)
@given(value=_query_value(), repeat=st.booleans())
def test_article_search_never_fails_on_any_query(fuzz_client, value, repeat):
    query = f"q={value}" + (f"&q={value}" if repeat else "")
    answer = check_json_answer(fuzz_client.get(f"/api/v1/articles?{query}"), {200, 422})
    if isinstance(answer, dict) and "articles" in answer:
        assert isinstance(answer["articles"], list) and len(answer["articles"]) <= 20


def _path_segment() -> st.SearchStrategy[str]:
    return st.one_of(fz.text(max_size=20).filter(bool).map(lambda t: quote(t, safe="")),
                     st.binary(min_size=1, max_size=12).map(lambda b: quote_from_bytes(b, safe="")),
                     st.sampled_from(["REQ-000000", "req-aaaaaa", "REQ-" + "A" * 12, "..", "%2e%2e", "%2F", "REQ%00"]))


def _authorization(world) -> st.SearchStrategy:  # noqa: ANN001
    tokens = list(world.tracking.values())
    values = st.one_of(
        st.sampled_from([f"Bearer {t}" for t in tokens] + [f"bearer   {t}  " for t in tokens]),
        st.sampled_from(["", "Bearer", "Bearer ", "Basic Zm9vOmJhcg==", f"Bearer {world.staff_token}",
                         "Bearer " + "A" * 10_000, "Bearer é", "Bearer \x7f"]),
        fz.text(max_size=30).map(lambda t: "Bearer " + t.encode("latin-1", "replace").decode("latin-1")),
    )
    return st.one_of(st.none(), values)


@settings(max_examples=300, **SETTINGS)
@given(data=st.data())
def test_reading_a_request_never_fails(world, fuzz_client, data):
    kind = data.draw(st.sampled_from(["real", "lower case", "any"]))
    reference = data.draw(_path_segment() if kind == "any" else st.sampled_from(world.references))
    reference = reference.lower() if kind == "lower case" else reference
    own = world.tracking.get(reference.upper())
    if own and data.draw(st.sampled_from([True, True, False])):
        authorization = f"Bearer {own}"
    else:
        authorization = data.draw(_authorization(world))
    headers = {} if authorization is None else {"Authorization": _header_safe(authorization)}
    response = fuzz_client.get(f"/api/v1/requests/{reference}", headers=headers)
    if merged_slashes(response, reference):
        return
    answer = check_json_answer(response, {200, 401, 404})
    if response.status_code == 200:  # only ever with the request's own token
        assert headers["Authorization"].split()[-1] == world.tracking[answer["reference"]]
        assert reference.upper() == answer["reference"]


def _header_safe(value: str) -> str:
    """Header values travel as latin-1: replace what cannot (the client refuses it before the app)."""
    return value.encode("latin-1", "replace").decode("latin-1").replace("\r", " ").replace("\n", " ")


def _staff_query_value() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(["open", "all", "submitted", "in_review", "needs_info", "approved", "rejected",
                                      "withdrawn", "expired", "OPEN", "", "-1", "0", "1", "2", "99999999999999999999",
                                      "1e3", "nan", "%00"]), _query_value())


@settings(max_examples=250, **SETTINGS)
@given(params=st.lists(st.tuples(st.sampled_from(["status", "page", "sort", "assigned", "q", "medium", "age",
                                                  "search", "territory"]), _staff_query_value()), max_size=4))
def test_the_staff_queue_never_fails_on_any_query(world, fuzz_client, params):
    query = "&".join(f"{name}={value}" for name, value in params)
    response = fuzz_client.get(f"/api/v1/staff/requests?{query}",
                               headers={"Authorization": f"Bearer {world.staff_token}"})
    answer = check_json_answer(response, {200, 422})
    if response.status_code == 200:
        assert answer["page"] >= 1 and answer["total"] >= 0 and isinstance(answer["requests"], list)


def _decision_bodies(action: str) -> st.SearchStrategy[tuple[bytes, str]]:
    text_or_junk = st.one_of(fz.text(surrogates=True), fz.json_values(4))
    amounts = st.one_of(st.integers(0, 10**6), fz.audiences(for_json=True))
    fee_override = st.one_of(st.fixed_dictionaries({"amount": amounts, "reason": st.just("Agreed by phone.")}),
                             st.fixed_dictionaries({}, optional={"amount": amounts, "reason": text_or_junk}),
                             fz.json_values(4))
    field = {"approve": "extra_terms", "reject": "reason", "request-info": "message"}[action]
    sensible = st.fixed_dictionaries({field: st.sampled_from(["Out of scope.", "Which page?", "Net 30 days."])},
                                     optional={"fee_override": fee_override} if action == "approve" else {})
    hostile = st.fixed_dictionaries({}, optional={
        "reason": text_or_junk, "message": text_or_junk, "extra_terms": text_or_junk, "fee_override": fee_override})
    return st.one_of(
        sensible.map(lambda body: (fz.encode_json(body), "application/json")),
        hostile.map(lambda body: (fz.encode_json(body), "application/json")),
        st.tuples(st.sampled_from([b"", b"null", b"[]", b"{", b'"x"', b"\xff", b'{"reason": "\\udfff"}']),
                  st.just("application/json")),
        fz.nested().map(lambda raw: (raw.encode(), "application/json")),
        sensible.map(lambda body: (fz.encode_json(body), "text/plain")),
    )


@settings(max_examples=500, **SETTINGS)
@given(data=st.data())
def test_staff_decisions_never_fail_on_any_body(world, fuzz_client, data):
    decision_property(world, fuzz_client, data)


def decision_property(world, fuzz_client, data) -> None:  # noqa: ANN001
    action = data.draw(st.sampled_from(["approve", "reject", "request-info"]))
    real = data.draw(st.sampled_from([True, True, False]))
    reference = data.draw(st.sampled_from(world.references) if real else _path_segment())
    body, content_type = data.draw(_decision_bodies(action))
    token = data.draw(st.sampled_from([world.staff_token] * 8 + ["sdk_wrong", ""]))
    path = f"/api/v1/staff/requests/{reference}/{action}"
    response = fuzz_client.post(path, data=body, content_type=content_type, headers={"Authorization": f"Bearer {token}"})
    if merged_slashes(response, reference):
        return
    answer = check_json_answer(response, {200, 400, 401, 403, 404, 409, 413, 422})
    if response.status_code == 200:
        assert answer["reference"] == reference.upper()


@pytest.mark.postgres
class TestOnPostgreSQL:
    """The same properties on PostgreSQL, which is stricter than SQLite: no NUL in text, lengths
    and 64-bit integers enforced, invalid values refused by the driver rather than stored."""

    @pytest.fixture
    def db_kind(self) -> str:
        return "postgresql"

    @settings(max_examples=150, **SETTINGS)
    @given(request=fz.raw_json_requests())
    def test_requests(self, fuzz_client, request):
        request_property(fuzz_client, request)

    @settings(max_examples=100, **SETTINGS)
    @given(request=fz.raw_json_requests(QUOTE_FIELDS))
    def test_quotes(self, fuzz_client, request):
        quote_property(fuzz_client, request)

    @settings(max_examples=150, **SETTINGS)
    @given(data=st.data())
    def test_staff_decisions(self, world, fuzz_client, data):
        decision_property(world, fuzz_client, data)
