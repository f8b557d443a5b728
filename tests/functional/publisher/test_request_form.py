"""The public request form: article link, search, no-JS preview, submit, errors, honeypot, CSRF."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from licensing.core.models import OutboxMessage
from licensing.intake.models import RepublishRequest, RequestEvent
from tests.conftest import EXAMPLE_URL
from tests.functional.conftest import VALID_FORM_AMOUNT, form_values, parse, valid_form

EXAMPLE_TITLE = "US, Turkey to work closely to deal IS 'lasting defeat': US defence secretary"
TOKEN_PATH = re.compile(r"^/track/([A-Za-z0-9_-]{43,})/confirmation$")


def _count(app, model) -> int:  # noqa: ANN001
    from licensing.core.db import new_session

    with app.app_context(), new_session() as s:
        return s.scalar(select(func.count()).select_from(model))


def _request_form(response):  # noqa: ANN001, ANN202
    return parse(response.data).by_id("request-form")


def _submit(client, **overrides):  # noqa: ANN001, ANN202
    """Preview, then submit with the amount the preview showed (what a person does without JS)."""
    preview = client.post("/republish", data={**valid_form(**overrides), "action": "preview"})
    assert preview.status_code == 200, preview.data[:2000]
    values = form_values(_request_form(preview))
    return client.post("/republish", data={**values, "action": "submit"})


# ---------------------------------------------------------------- reaching the form


def test_article_link_prefills_the_article_and_names_its_exclusions(seeded, client):
    response = client.get("/republish", query_string={"article": EXAMPLE_URL})

    assert response.status_code == 200
    doc = parse(response.data)
    values = form_values(doc.by_id("request-form"))
    assert values["article_url"] == [EXAMPLE_URL]
    assert values["start_date"] == [date.today().isoformat()]
    assert values["language"] == ["en"], "the language must default to the article's, not the first in the list"
    chosen = doc.by_id("chosen-article")
    assert EXAMPLE_TITLE in chosen.text
    assert [li.text for li in chosen.find_all("li")] == ["Photograph: AFP – not licensable (third party)"]


def test_article_without_third_party_material_shows_no_exclusions(seeded, client):
    url = "https://www.middleeasteye.net/features/tunisia-startups-beyond-revolution"
    doc = parse(client.get("/republish", query_string={"article": url}).data)

    chosen = doc.by_id("chosen-article")
    assert "Tunisia's startups look beyond the revolution" in chosen.text
    assert chosen.find(cls="warning") is None
    assert chosen.find_all("li") == []


def test_unknown_article_link_keeps_the_address_and_offers_search(seeded, client):
    url = "https://www.middleeasteye.net/news/not-in-the-catalog"
    response = client.get("/republish", query_string={"article": url})

    assert response.status_code == 200
    doc = parse(response.data)
    assert doc.find(id="chosen-article") is None
    assert form_values(doc.by_id("request-form"))["article_url"] == [url]
    assert "Find the article" in doc.by_id("find-h").text


def test_search_box_on_the_form_finds_articles(seeded, client):
    doc = parse(client.get("/republish", query_string={"q": "mosul"}).data)

    results = doc.find("ul", cls="results")
    links = {a.text: a.attrs["href"] for a in results.find_all("a")}
    assert set(links) == {"Mosul offensive: Aid agencies brace for exodus of up to a million people",
                          "Opinion: The battle for Mosul will not end the Islamic State"}
    assert all(href.startswith("/republish?article=https") for href in links.values())
    # Following a result pre-fills that article.
    picked = parse(client.get(links["Opinion: The battle for Mosul will not end the Islamic State"]).data)
    assert form_values(picked.by_id("request-form"))["article_url"] == [
        "https://www.middleeasteye.net/opinion/battle-mosul-will-not-end-islamic-state"]


def test_search_box_with_no_match_says_so(seeded, client):
    doc = parse(client.get("/republish", query_string={"q": "zzqx"}).data)

    assert [li.text for li in doc.find("ul", cls="results").find_all("li")] == ["No article matches “zzqx”."]


def test_search_box_finds_an_article_by_its_address(seeded, client):
    doc = parse(client.get("/republish", query_string={"q": EXAMPLE_URL + "/"}).data)

    assert [a.text for a in doc.find("ul", cls="results").find_all("a")] == [EXAMPLE_TITLE]


# ---------------------------------------------------------------- preview (no JavaScript)


def test_preview_shows_the_quote_breakdown_and_keeps_every_field(seeded, client):
    posted = valid_form(exclusive="y", media_wanted="y")
    response = client.post("/republish", data={**posted, "action": "preview"})

    assert response.status_code == 200
    doc = parse(response.data)
    rows = [(tr.find("th").text, tr.find("td").text) for tr in doc.by_id("quote").find("tbody").find_all("tr")]
    # Multipliers as multipliers, in the order the pricing applies them, each with the price so far.
    assert rows == [
        ("Base fee: Website", "£150.00"),
        ("× 1.5 — audience 10,001 to 100,000", "£225.00"),
        ("× 1.5 — two countries", "£337.50"),
        ("× 2 — 1 year", "£675.00"),
        ("× 3 — exclusivity", "£2,025.00"),
    ]  # the example article's only photo is AFP's, so "media wanted" adds nothing
    assert doc.by_id("quote").find("td", cls="total").text == "£2,025.00"
    values = form_values(doc.by_id("request-form"))
    assert values.pop("confirmed_amount") == ["202500"]
    assert values.pop("website") == [""]
    assert values.pop("region") == ["eu"]  # untouched select, sent by the browser as it is
    expected = {k: v if isinstance(v, list) else [v] for k, v in posted.items()}
    assert {k: sorted(v) for k, v in values.items()} == {k: sorted(v) for k, v in expected.items()}
    assert _count(seeded, RepublishRequest) == 0


def test_preview_leaves_out_the_steps_that_change_nothing(seeded, client):
    posted = valid_form(audience="5000", territory_countries=["GB"], term="one_off")
    doc = parse(client.post("/republish", data={**posted, "action": "preview"}).data)

    quote = doc.by_id("quote")
    assert [th.text for th in quote.find("thead").find_all("th")] == ["Step", "Price so far"]
    rows = [(tr.find("th").text, tr.find("td").text) for tr in quote.find("tbody").find_all("tr")]
    assert rows == [("Base fee: Website", "£150.00")]  # audience, one country and one-off are each × 1
    assert quote.find("td", cls="total").text == "£150.00"


def test_submit_without_confirmed_amount_shows_the_preview_instead(seeded, client):
    response = client.post("/republish", data={**valid_form(), "action": "submit"})

    assert response.status_code == 200
    doc = parse(response.data)
    assert "Please check the price below, then submit your request." in doc.find(cls="flash-info").text
    assert doc.by_id("quote").find("td", cls="total").text == "£675.00"
    assert form_values(doc.by_id("request-form"))["confirmed_amount"] == [str(VALID_FORM_AMOUNT)]
    assert _count(seeded, RepublishRequest) == 0


def test_submit_with_a_stale_confirmed_amount_shows_the_new_price(seeded, client):
    # The person previewed 25,000 readers (675.00), then changed the audience to 250,000.
    data = valid_form(audience="250000", confirmed_amount=str(VALID_FORM_AMOUNT))
    response = client.post("/republish", data={**data, "action": "submit"})

    assert response.status_code == 200
    doc = parse(response.data)
    assert doc.by_id("quote").find("td", cls="total").text == "£1,125.00"
    assert form_values(doc.by_id("request-form"))["confirmed_amount"] == ["112500"]
    assert _count(seeded, RepublishRequest) == 0


# ---------------------------------------------------------------- submit


def test_submit_with_the_confirmed_amount_creates_the_request(seeded, client):
    response = _submit(client)

    assert response.status_code == 302
    match = TOKEN_PATH.match(response.headers["Location"].replace("http://desk.test", ""))
    assert match, response.headers["Location"]
    token = match.group(1)
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    doc = parse(page.data)
    heading = doc.find("h1").text
    reference = re.search(r"REQ-[0-9A-Z]{6}", heading).group(0)
    link = doc.by_id("tracking-link")
    assert link.attrs["href"] == link.text == f"http://desk.test/track/{token}"
    assert "jo@leeds-post.example" in doc.text
    assert doc.find("td", cls="total").text == "£675.00"
    assert client.get(f"/track/{token}").status_code == 200

    from licensing.core.db import new_session

    with seeded.app_context(), new_session() as s:
        stored = s.scalars(select(RepublishRequest)).one()
        assert stored.reference == reference
        assert (stored.status, stored.organisation, stored.email, stored.audience) == (
            "submitted", "Leeds Evening Post Ltd", "jo@leeds-post.example", 25000)
        assert (stored.territory, stored.term, stored.quote_amount) == ("FR,GB", "1_year", VALID_FORM_AMOUNT)
        assert stored.notes == "We would run it on our world page."
        assert stored.terms_accepted is True
        assert [e.action for e in s.scalars(select(RequestEvent))] == ["submit"]


def test_confirmation_email_lands_in_the_outbox_with_the_tracking_link(seeded, client):
    response = _submit(client)
    token = TOKEN_PATH.match(response.headers["Location"].replace("http://desk.test", "")).group(1)

    from licensing.core.db import new_session

    with seeded.app_context(), new_session() as s:
        reference = s.scalars(select(RepublishRequest.reference)).one()
        message = s.scalars(select(OutboxMessage)).one()
    assert message.to_address == "jo@leeds-post.example"
    assert message.subject == f"We received your republishing request {reference}"
    assert message.status == "kept"
    assert f"http://desk.test/track/{token}" in message.body_text
    assert "Quoted price: £675.00 (before tax)" in message.body_text
    assert "Not licensable (third party): Photograph: AFP." in message.body_text


def test_honeypot_drops_the_request_silently(seeded, client):
    response = client.post("/republish", data={
        **valid_form(website="https://cheap-pills.example"), "confirmed_amount": str(VALID_FORM_AMOUNT),
        "action": "submit"})

    assert response.status_code == 200
    assert "Your request has been received." in parse(response.data).text
    assert _count(seeded, RepublishRequest) == 0
    assert _count(seeded, OutboxMessage) == 0


# ---------------------------------------------------------------- validation errors


def test_validation_errors_are_summarised_and_shown_beside_each_field_keeping_what_was_typed(seeded, client):
    past = (date.today() - timedelta(days=3)).isoformat()
    posted = valid_form(
        organisation="", email="jo-at-leeds", audience="lots", start_date=past, publication_url="leeds-post",
        notes="Line one <script>alert(1)</script>\nLine two", exclusive="y", terms_accepted=None,
        territory_countries=["GB", "FR", "DE"],
    )
    response = client.post("/republish", data={**posted, "action": "submit"})

    assert response.status_code == 422
    html = response.data.decode()
    doc = parse(html)
    summary = doc.by_id("error-summary")
    assert html.index('id="error-summary"') < html.index('id="request-form"')
    failing = {"organisation", "email", "audience", "start_date", "publication_url", "terms_accepted"}
    assert summary.find("h2").text == f"Please correct {len(failing)} fields"
    assert {a.attrs["href"] for a in summary.find_all("a")} == {f"#{name}" for name in failing}
    beside = {p.attrs["id"]: p.text for p in doc.by_id("request-form").find_all("p", cls="error")}
    assert beside == {
        "organisation-error": "This field is required.",
        "email-error": beside["email-error"],
        "audience-error": "Enter a whole number, such as 25000.",
        "start_date-error": "The start date cannot be in the past.",
        "publication_url-error": "Enter a full web address starting with https://",
        "terms_accepted-error": "You must accept the standard terms to submit a request.",
    }
    assert beside["email-error"].startswith("Enter a valid e-mail address")
    assert doc.by_id("email").attrs["aria-invalid"] == "true"
    assert "email-error" in doc.by_id("email").attrs["aria-describedby"]
    assert doc.by_id("contact_name").attrs["aria-invalid"] == "false"

    values = form_values(doc.by_id("request-form"))
    assert values["email"] == ["jo-at-leeds"]
    assert values["audience"] == ["lots"]
    assert values["start_date"] == [past]
    assert values["publication_url"] == ["leeds-post"]
    assert values["contact_name"] == ["Jo Bloggs"]
    assert values["vat_id"] == ["GB980780684"]
    assert values["country"] == ["GB"]
    assert values["term"] == ["1_year"]
    assert values["language"] == ["en"]
    assert sorted(values["territory_countries"]) == ["DE", "FR", "GB"]
    assert values["exclusive"] == ["y"]
    assert "terms_accepted" not in values
    assert values["notes"][0].replace("\r\n", "\n") == "Line one <script>alert(1)</script>\nLine two"
    assert "<script>alert(1)" not in html  # kept, and escaped
    assert values["confirmed_amount"] == [""]
    assert _count(seeded, RepublishRequest) == 0


def test_territory_and_article_errors_point_at_their_fields(seeded, client):
    posted = valid_form(article_url="https://www.middleeasteye.net/news/nowhere", territory_countries=None)
    response = client.post("/republish", data={**posted, "action": "preview"})

    assert response.status_code == 422
    doc = parse(response.data)
    hrefs = {a.attrs["href"] for a in doc.by_id("error-summary").find_all("a")}
    assert hrefs == {"#article_url", "#territory_kind"}
    for href in hrefs:
        doc.by_id(href[1:])  # the summary's links lead somewhere
    assert doc.by_id("article_url-error").text == "No article in our catalog has this address. Search for it above."
    assert doc.by_id("territory_kind-error").text == 'Choose "worldwide", a region, or at least one country.'
    assert form_values(doc.by_id("request-form"))["article_url"] == ["https://www.middleeasteye.net/news/nowhere"]


def test_a_region_is_kept_after_an_error(seeded, client):
    posted = valid_form(territory_kind="region", region="gulf", territory_countries=None, email="")
    response = client.post("/republish", data={**posted, "action": "preview"})

    assert response.status_code == 422
    values = form_values(_request_form(response))
    assert values["territory_kind"] == ["region"]
    assert values["region"] == ["gulf"]
    assert parse(response.data).by_id("email-error").text == "This field is required."


# ---------------------------------------------------------------- CSRF


class TestWithCsrf:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"WTF_CSRF_ENABLED": True}

    def test_post_without_token_is_refused_and_the_typed_data_comes_back(self, seeded, client):
        posted = valid_form(notes="Please call before noon.")
        response = client.post("/republish", data={**posted, "action": "submit"})

        assert response.status_code == 400
        doc = parse(response.data)
        assert "Your form had expired" in doc.find(cls="flash-error").text
        values = form_values(doc.by_id("request-form"))
        for name in ("organisation", "email", "audience", "publication", "notes", "country", "start_date"):
            assert values[name] == [posted[name]], name
        assert sorted(values["territory_countries"]) == ["FR", "GB"]
        assert values["csrf_token"][0], "a fresh token to send the form again"
        assert _count(seeded, RepublishRequest) == 0

        # Sending the re-rendered form again (with its fresh token) goes on to the preview.
        again = client.post("/republish", data={**values, "action": "submit"})
        assert again.status_code == 200
        assert parse(again.data).by_id("quote").find("td", cls="total").text == "£675.00"

    def test_post_with_a_wrong_token_is_refused(self, seeded, client):
        client.get("/republish")
        response = client.post("/republish", data={**valid_form(), "csrf_token": "forged", "action": "submit"})

        assert response.status_code == 400
        assert _count(seeded, RepublishRequest) == 0

    def test_the_whole_journey_works_with_csrf(self, seeded, client):
        form = form_values(_request_form(client.get("/republish", query_string={"article": EXAMPLE_URL})))
        assert form["csrf_token"][0]
        data = {**valid_form(), "csrf_token": form["csrf_token"][0]}
        preview = client.post("/republish", data={**data, "action": "preview"})
        assert preview.status_code == 200
        done = client.post("/republish", data={**form_values(_request_form(preview)), "action": "submit"})
        assert done.status_code == 302
        assert _count(seeded, RepublishRequest) == 1


class TestOnEveryDatabase:
    """Input that only PostgreSQL chokes on (NUL characters): these run on SQLite and PostgreSQL."""

    @pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
    def db_kind(self, request) -> str:  # noqa: ANN001
        return request.param

    def test_a_nul_in_the_article_link_is_ignored(self, seeded, client):
        response = client.get("/republish", query_string={"article": EXAMPLE_URL + "\x00"})

        assert response.status_code == 200
        doc = parse(response.data)
        assert EXAMPLE_TITLE in doc.by_id("chosen-article").text
        assert form_values(doc.by_id("request-form"))["article_url"] == [EXAMPLE_URL]

    @pytest.mark.parametrize("path", ["/republish", "/"])
    @pytest.mark.parametrize("query", ["https://www.middleeasteye.net/x\x00", "mosul\x00"])
    def test_a_nul_in_a_search_is_not_a_500(self, seeded, client, path, query):
        response = client.get(path, query_string={"q": query})

        assert response.status_code == 200
        if query.startswith("mosul"):
            assert "Opinion: The battle for Mosul will not end the Islamic State" in response.data.decode()

    def test_a_nul_in_a_posted_article_address_is_a_field_error(self, seeded, client):
        response = client.post("/republish", data={**valid_form(article_url=EXAMPLE_URL + "\x00"), "action": "preview"})

        assert response.status_code == 422
        assert parse(response.data).by_id("article_url-error").text.startswith("Contains characters that are not allowed")
        assert _count(seeded, RepublishRequest) == 0


SHARED_LINK = EXAMPLE_URL + "?utm_source=twitter&utm_medium=social&fbclid=IwAR0abc&gclid=Cj0K#comments"


def test_a_shared_link_with_tracking_parameters_finds_the_article(seeded, client):
    """Bug 1: a URL pasted from a social post (utm_*, fbclid, gclid, #fragment) found nothing."""
    doc = parse(client.get("/republish", query_string={"q": SHARED_LINK}).data)

    links = [a.attrs["href"] for a in doc.find("ul", cls="results").find_all("a")]
    assert len(links) == 1 and links[0].endswith(EXAMPLE_URL.split("/")[-1])


def test_a_shared_link_pre_fills_the_form_with_the_clean_address(seeded, client):
    doc = parse(client.get("/republish", query_string={"article": SHARED_LINK}).data)

    assert form_values(doc.by_id("request-form"))["article_url"] == [EXAMPLE_URL]
    assert doc.find(id="chosen-article") is not None
