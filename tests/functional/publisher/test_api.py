"""JSON API v1: articles, quotes, requests; errors are JSON with the right status, never HTML."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from licensing.core.models import OutboxMessage
from licensing.intake.models import RepublishRequest, RequestEvent
from tests.conftest import EXAMPLE_URL
from tests.functional.conftest import api_body

EXAMPLE_TITLE = "US, Turkey to work closely to deal IS 'lasting defeat': US defence secretary"
REFERENCE = re.compile(r"^REQ-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{6}$")
QUOTE = {
    "amount": 67500,
    "currency": "GBP",
    "breakdown": [
        {"label": "Base fee: Website", "amount": 15000, "kind": "base", "factor_bp": None, "reason": ""},
        {"label": "Audience 10,001 to 100,000 (x1.5)", "amount": 7500, "kind": "factor", "factor_bp": 15000,
         "reason": "audience 10,001 to 100,000"},
        {"label": "Territory: 2 to 5 countries (x1.5)", "amount": 11250, "kind": "factor", "factor_bp": 15000,
         "reason": "two countries"},
        {"label": "Term: 1 year (x2)", "amount": 33750, "kind": "factor", "factor_bp": 20000, "reason": "1 year"},
    ],
    "steps": [
        {"text": "Base fee: Website", "kind": "base", "factor_bp": None, "change": 15000, "subtotal": 15000},
        {"text": "× 1.5 — audience 10,001 to 100,000", "kind": "factor", "factor_bp": 15000, "change": 7500,
         "subtotal": 22500},
        {"text": "× 1.5 — two countries", "kind": "factor", "factor_bp": 15000, "change": 11250, "subtotal": 33750},
        {"text": "× 2 — 1 year", "kind": "factor", "factor_bp": 20000, "change": 33750, "subtotal": 67500},
    ],
    "rate_card_version": 1,
}


def _count(app, model) -> int:  # noqa: ANN001
    from licensing.core.db import new_session

    with app.app_context(), new_session() as s:
        return s.scalar(select(func.count()).select_from(model))


def _is_json(response) -> bool:  # noqa: ANN001
    return response.mimetype == "application/json" and b"<html" not in response.data.lower()


# ---------------------------------------------------------------- articles


def test_articles_by_words(seeded, client):
    response = client.get("/api/v1/articles", query_string={"q": "Lasting Defeat"})

    assert response.status_code == 200
    assert response.get_json() == {"articles": [{
        "id": response.get_json()["articles"][0]["id"],
        "title": EXAMPLE_TITLE,
        "url": EXAMPLE_URL,
        "published": "2016-10-21",
        "assets": [{"kind": "photo", "credit": "Photograph: AFP", "licensable": False}],
    }]}
    assert isinstance(response.get_json()["articles"][0]["id"], int)


def test_articles_by_words_lists_several_newest_first_with_their_assets(seeded, client):
    articles = client.get("/api/v1/articles", query_string={"q": "mosul"}).get_json()["articles"]

    assert [a["title"] for a in articles] == [
        "Opinion: The battle for Mosul will not end the Islamic State",
        "Mosul offensive: Aid agencies brace for exodus of up to a million people",
    ]
    assert [a["published"] for a in articles] == sorted((a["published"] for a in articles), reverse=True)
    assert articles[1]["assets"] == [
        {"kind": "photo", "credit": "Photograph: Tom Westcott/Middle East Eye", "licensable": True}]
    assert all(set(a) == {"id", "title", "url", "published", "assets"} for a in articles)


@pytest.mark.parametrize("url", [EXAMPLE_URL, EXAMPLE_URL + "/", EXAMPLE_URL.replace("https://www.", "www.")])
def test_articles_by_url(seeded, client, url):
    articles = client.get("/api/v1/articles", query_string={"q": url}).get_json()["articles"]

    assert [a["url"] for a in articles] == [EXAMPLE_URL]


def test_articles_with_no_match_is_an_empty_list(seeded, client):
    response = client.get("/api/v1/articles", query_string={"q": "https://elsewhere.example/story"})

    assert response.status_code == 200
    assert response.get_json() == {"articles": []}


def test_articles_query_too_long_is_422(seeded, client):
    response = client.get("/api/v1/articles", query_string={"q": "a" * 501})

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"q": ["At most 500 characters."]}


# ---------------------------------------------------------------- quotes


def test_quote(seeded, client):
    response = client.post("/api/v1/quotes", json=api_body())

    assert response.status_code == 200
    assert response.get_json() == QUOTE


def test_quote_needs_only_the_pricing_fields(seeded, client):
    body = {"article_url": EXAMPLE_URL, "medium": "print", "audience": 1, "territory": "worldwide",
            "language": "fr", "term": "perpetual", "exclusive": True}
    response = client.post("/api/v1/quotes", json=body)

    assert response.status_code == 200
    quote = response.get_json()
    # 200.00 print, x1 audience, x3 worldwide, x3.5 perpetual, x1.25 translation, x3 exclusive
    assert quote["amount"] == 787500
    assert [line["label"] for line in quote["breakdown"]] == [
        "Base fee: Print", "Audience 0 to 10,000 (x1)", "Territory: Worldwide (x3)",
        "Term: Perpetual archive (x3.5)", "Translation (x1.25)", "Exclusivity (x3)"]
    assert sum(line["amount"] for line in quote["breakdown"]) == quote["amount"]
    # The steps leave out the audience's × 1 and end on the amount.
    assert [(step["text"], step["subtotal"]) for step in quote["steps"]] == [
        ("Base fee: Print", 20000), ("× 3 — worldwide", 60000), ("× 3.5 — perpetual archive", 210000),
        ("× 1.25 — translation", 262500), ("× 3 — exclusivity", 787500)]
    assert _count(seeded, RepublishRequest) == 0


# ---------------------------------------------------------------- requests


def test_create_request(seeded, client):
    response = client.post("/api/v1/requests", json=api_body())

    assert response.status_code == 201
    data = response.get_json()
    assert set(data) == {"reference", "status", "quote", "tracking_url", "tracking_token"}
    assert REFERENCE.match(data["reference"])
    assert data["status"] == "submitted"
    assert data["quote"] == QUOTE
    assert len(data["tracking_token"]) >= 22  # at least 128 bits in URL-safe base64
    assert data["tracking_url"] == f"http://desk.test/track/{data['tracking_token']}"

    from licensing.core.db import new_session

    with seeded.app_context(), new_session() as s:
        stored = s.scalars(select(RepublishRequest)).one()
        assert (stored.reference, stored.quote_amount, stored.territory) == (data["reference"], 67500, "FR,GB")
        assert stored.terms_accepted is True  # submitting through the API accepts the terms
        assert stored.notes == "Through our CMS."
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    # The tracking link works on the web too.
    assert data["reference"] in client.get(data["tracking_url"]).data.decode()


def test_get_request_with_its_token(seeded, client):
    created = client.post("/api/v1/requests", json=api_body()).get_json()

    response = client.get(f"/api/v1/requests/{created['reference']}",
                          headers={"Authorization": f"Bearer {created['tracking_token']}"})

    assert response.status_code == 200
    data = response.get_json()
    assert data["reference"] == created["reference"]
    assert data["status"] == "submitted"
    assert data["article_url"] == EXAMPLE_URL
    assert data["quote"] == QUOTE
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", data["submitted_at"])
    assert [(e["action"], e["status"], e["message"]) for e in data["timeline"]] == [
        ("submit", "submitted", "Request submitted with a quote of £675.00.")]


def test_get_request_shows_later_steps_but_not_private_staff_notes(seeded, client):
    created = client.post("/api/v1/requests", json=api_body()).get_json()
    from licensing.core.db import new_session
    from licensing.intake.rules import workflow
    from licensing.intake.services import _apply

    with seeded.app_context(), new_session() as s:
        req = s.scalars(select(RepublishRequest)).one()
        _apply(s, req, "start_review", workflow.STAFF, "Internal: check the AFP photo.", public=False)
        _apply(s, req, "request_info", workflow.STAFF, "Which page will carry it?")
        s.commit()

    data = client.get(f"/api/v1/requests/{created['reference']}",
                      headers={"Authorization": f"Bearer {created['tracking_token']}"}).get_json()

    assert data["status"] == "needs_info"
    assert [(e["action"], e["status"]) for e in data["timeline"]] == [
        ("submit", "submitted"), ("request_info", "needs_info")]
    assert "Internal" not in str(data)


def test_get_request_with_wrong_missing_or_other_token_is_401(seeded, client):
    first = client.post("/api/v1/requests", json=api_body()).get_json()
    second = client.post("/api/v1/requests", json=api_body(organisation="Other Org")).get_json()
    url = f"/api/v1/requests/{first['reference']}"

    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer wrong-token"},
                    {"Authorization": f"Bearer {second['tracking_token']}"},
                    {"Authorization": first["tracking_token"]},  # no scheme
                    {"Authorization": f"Basic {first['tracking_token']}"}):
        response = client.get(url, headers=headers)
        assert response.status_code == 401, headers  # as for a reference that does not exist
        assert _is_json(response)
        assert set(response.get_json()) == {"error"}
        assert "Other Org" not in response.data.decode() and second["reference"] not in response.data.decode()
    missing = client.get("/api/v1/requests/REQ-ZZZZZZ", headers={"Authorization": f"Bearer {first['tracking_token']}"})
    assert missing.status_code == 401 and missing.get_json() == {"error": "No request with this reference for this token."}
    assert client.get("/api/v1/requests/REQ-%C3%89%C3%89").status_code == 404  # not a reference at all
    # The right token still works, and the reference is not case-sensitive.
    ok = client.get(f"/api/v1/requests/{first['reference'].lower()}",
                    headers={"Authorization": f"bearer {first['tracking_token']}"})
    assert ok.status_code == 200
    assert ok.get_json()["reference"] == first["reference"]


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("path", ["/api/v1/quotes", "/api/v1/requests"])
def test_malformed_json_is_400_json(seeded, client, path):
    response = client.post(path, data=b'{"article_url": "https://x', content_type="application/json")

    assert response.status_code == 400
    assert _is_json(response)
    assert response.get_json() == {"error": "The body is not valid JSON."}


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"42"])
def test_json_that_is_not_an_object_is_400(seeded, client, body):
    response = client.post("/api/v1/requests", data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.get_json() == {"error": "The body must be a JSON object."}


@pytest.mark.parametrize("path", ["/api/v1/quotes", "/api/v1/requests"])
@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", None])
def test_non_json_content_type_is_415(seeded, client, path, content_type):
    kwargs = {"content_type": content_type} if content_type else {}
    response = client.post(path, data=b'{"medium": "website"}', **kwargs)

    assert response.status_code == 415
    assert _is_json(response)
    assert "application/json" in response.get_json()["error"]
    assert _count(seeded, RepublishRequest) == 0


def test_invalid_request_is_422_with_errors_by_field(seeded, client):
    body = api_body(email="not an email", audience=-5, territory=["GB", "XX"], medium="billboard",
                    term="forever", start_date="2001-01-01", country="gb", language="english")
    del body["organisation"]

    response = client.post("/api/v1/requests", json=body)

    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"email", "audience", "territory", "medium", "term", "start_date", "country",
                           "language", "organisation"}
    assert all(isinstance(m, list) and m and all(isinstance(x, str) for x in m) for m in errors.values())
    assert errors["audience"] == ["Must be at least 1."]
    assert errors["territory"] == ["'XX' is not an ISO 3166 country code."]
    assert errors["medium"] == ["Choose one of: website, print, newsletter, broadcast, social, syndication_feed."]
    assert errors["term"] == ["Choose one of: one_off, 30_days, 1_year, perpetual."]
    assert errors["start_date"] == ["The start date cannot be in the past."]
    assert errors["organisation"] == ["This field is required."]
    assert _count(seeded, RepublishRequest) == 0
    assert _count(seeded, OutboxMessage) == 0


@pytest.mark.parametrize("field,value", [
    ("audience", "many"), ("audience", True), ("audience", 1.5), ("exclusive", "perhaps"),
    ("territory", []), ("territory", "Mars"), ("article_url", "https://www.middleeasteye.net/news/unknown"),
    ("notes", "x" * 5001), ("organisation", 12), ("start_date", "21/10/2030"),
])
def test_each_bad_value_is_named_in_422(seeded, client, field, value):
    response = client.post("/api/v1/requests", json=api_body(**{field: value}))

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]


def test_invalid_quote_is_422(seeded, client):
    response = client.post("/api/v1/quotes", json={"article_url": EXAMPLE_URL, "medium": "website"})

    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"audience", "territory", "language", "term"}


def test_unknown_api_route_and_wrong_method_are_json(seeded, client):
    for response, status in (
        (client.get("/api/v1/nothing-here"), 404),
        (client.get("/api/v2/articles"), 404),
        (client.get("/api/v1/quotes"), 405),
        (client.delete("/api/v1/requests/REQ-ABCDEF"), 405),
        (client.put("/api/v1/articles"), 405),
    ):
        assert response.status_code == status, response.request.path
        assert _is_json(response), response.data[:200]
        assert isinstance(response.get_json()["error"], str) and response.get_json()["error"]


def test_a_body_too_large_is_413_json(seeded, client):
    response = client.post("/api/v1/requests", data=b"{" + b" " * (1024 * 1024 + 10) + b"}",
                           content_type="application/json")

    assert response.status_code == 413
    assert _is_json(response)


def test_an_exception_inside_an_api_view_is_a_json_500(seeded, client, monkeypatch):

    import licensing.publisher.api

    def boom(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("database on fire")

    monkeypatch.setattr(licensing.publisher.api, "search_articles", boom)
    monkeypatch.setattr(licensing.publisher.api, "submit_request", boom)

    for response in (client.get("/api/v1/articles", query_string={"q": "mosul"}),
                     client.post("/api/v1/requests", json=api_body())):
        assert response.status_code == 500
        assert _is_json(response)
        assert response.get_json() == {
            "error": "Something went wrong on our side and nothing was saved. Please try again in a moment."}
        assert "database on fire" not in response.data.decode()
    assert _count(seeded, RepublishRequest) == 0
    assert _count(seeded, RequestEvent) == 0


class TestOnEveryDatabase:
    """Input that only PostgreSQL chokes on: these run on SQLite and PostgreSQL."""

    @pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
    def db_kind(self, request) -> str:  # noqa: ANN001
        return request.param

    @pytest.mark.parametrize("query", ["https://www.middleeasteye.net/news/\x00", "mos\x00ul", "\x00"])
    def test_a_nul_in_the_search_is_not_a_500(self, seeded, client, query):
        response = client.get("/api/v1/articles", query_string={"q": query})

        assert response.status_code == 200
        assert isinstance(response.get_json()["articles"], list)

    def test_a_nul_in_a_body_is_a_422(self, seeded, client):
        response = client.post("/api/v1/requests", json=api_body(organisation="Org\x00", notes="a\x00b"))

        assert response.status_code == 422
        assert set(response.get_json()["errors"]) == {"organisation", "notes"}

    @pytest.mark.parametrize("reference", ["REQ-ÇÇÇÇÇÇ", "REQ-" + "A" * 40, "%00"])
    def test_an_odd_reference_with_a_real_token_is_404_json(self, seeded, client, reference):
        created = client.post("/api/v1/requests", json=api_body()).get_json()

        response = client.get(f"/api/v1/requests/{reference}",
                              headers={"Authorization": f"Bearer {created['tracking_token']}"})

        assert response.status_code == 404
        assert response.get_json() == {"error": "No request with this reference for this token."}


def test_a_request_that_declines_the_terms_is_refused(seeded, client):
    response = client.post("/api/v1/requests", json=api_body(terms_accepted=False))

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["terms_accepted"]
    assert _count(seeded, RepublishRequest) == 0
