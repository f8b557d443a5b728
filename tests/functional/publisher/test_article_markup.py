"""Article pages tell search engines they can be licensed: schema.org NewsArticle JSON-LD read by
extruct (tests/validators/schema_org.py, Google's licensable-image requirements), on pages the app
renders; a page broken on purpose fails the same checks. The markup is data: the page's CSP still
forbids inline scripts."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from licensing.catalog.models import Article
from licensing.core.db import new_session
from tests.validators import schema_org

OWN_PHOTO_ARTICLE = "https://www.middleeasteye.net/news/mosul-offensive-aid-agencies-brace-exodus"
AGENCY_PHOTO_ARTICLE = "https://www.middleeasteye.net/news/us-turkey-work-closely-deal-lasting-defeat-us-defence-secretary"


def _page(app, client, url: str) -> tuple[str, str]:  # noqa: ANN001
    with app.app_context(), new_session() as s:
        article_id = s.scalars(select(Article.id).where(Article.canonical_url == url)).one()
    address = f"http://desk.test/articles/{article_id}"
    response = client.get(f"/articles/{article_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True), address


@pytest.mark.parametrize("url", [OWN_PHOTO_ARTICLE, AGENCY_PHOTO_ARTICLE])
def test_the_article_page_passes_the_schema_org_checks(client, seeded, url):
    html, address = _page(seeded, client, url)
    assert schema_org.problems(html, address) == []


def test_what_a_search_engine_reads_of_an_own_photo(client, seeded):
    html, address = _page(seeded, client, OWN_PHOTO_ARTICLE)
    [article] = [n for n in schema_org.json_ld(html, address) if n.get("@type") == "NewsArticle"]
    assert article["license"] == "http://desk.test/terms"
    acquire = urlsplit(article["acquireLicensePage"])
    assert (acquire.netloc, acquire.path) == ("desk.test", "/republish")
    assert parse_qs(acquire.query) == {"article": [OWN_PHOTO_ARTICLE]}  # the form pre-filled with the article
    assert article["copyrightHolder"]["name"] == "Middle East Eye Ltd"
    assert article["creditText"] == "Tom Westcott, Middle East Eye Ltd"
    assert article["copyrightNotice"] == "© 2016 Middle East Eye Ltd"
    [image] = article["image"]
    assert image["contentUrl"] == "https://www.middleeasteye.net/sites/default/files/camp-khazer.jpg"
    assert (image["license"], image["acquireLicensePage"]) == (article["license"], article["acquireLicensePage"])


def test_a_third_party_photo_says_whose_it_is_and_that_it_cannot_be_licensed_here(client, seeded):
    html, address = _page(seeded, client, AGENCY_PHOTO_ARTICLE)
    [article] = [n for n in schema_org.json_ld(html, address) if n.get("@type") == "NewsArticle"]
    [image] = article["image"]
    assert image["copyrightHolder"]["name"] == "AFP" and image["creditText"] == "AFP"
    assert "license" not in image and "acquireLicensePage" not in image
    assert "not licensable from Middle East Eye Ltd" in image["conditionsOfAccess"]


def test_a_broken_page_fails_the_same_checks(client, seeded):
    html, address = _page(seeded, client, AGENCY_PHOTO_ARTICLE)
    broken = html.replace('"conditionsOfAccess"', '"license":"http://desk.test/terms","x"')
    assert "image 1 (held by AFP) offers a license here" in schema_org.problems(broken, address)
    without = html.replace('type="application/ld+json"', 'type="text/plain"')
    assert schema_org.problems(without, address) == ["the page has 0 NewsArticle items, not 1"]


def test_the_markup_needs_no_inline_script_execution(client, seeded):
    with seeded.app_context(), new_session() as s:
        article_id = s.scalars(select(Article.id).where(Article.canonical_url == OWN_PHOTO_ARTICLE)).one()
    response = client.get(f"/articles/{article_id}")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = response.get_data(as_text=True)
    assert html.count("<script") == html.count('<script type="application/ld+json">') + html.count("<script src=")
