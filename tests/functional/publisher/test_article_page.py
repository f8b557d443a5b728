"""The public article page: one clear way to republish, with the lowest price the current rate card
gives, and what can and cannot be licensed said once."""
from __future__ import annotations

import copy
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from licensing.catalog.models import Article
from tests.conftest import EXAMPLE_URL
from tests.functional.conftest import parse

GAZA = "https://www.middleeasteye.net/features/gaza-desalination-plant-water"
TUNISIA = "https://www.middleeasteye.net/features/tunisia-startups-beyond-revolution"


def _article_page(app, client, url: str):  # noqa: ANN001, ANN202
    from licensing.core.db import new_session

    with app.app_context(), new_session() as s:
        article_id = s.scalars(select(Article.id).where(Article.canonical_url == url)).one()
    response = client.get(f"/articles/{article_id}")
    assert response.status_code == 200
    return parse(response.data)


def _new_rate_card(app, **changes) -> None:  # noqa: ANN001, ANN003
    from licensing.core.db import new_session
    from licensing.pricing.rules import DEMO_RATE_CARD
    from licensing.pricing.services import save_rate_card

    data = copy.deepcopy(DEMO_RATE_CARD)
    data.update(changes)
    with app.app_context(), new_session() as s:
        save_rate_card(s, data, note="test")


def test_a_button_to_republish_from_the_lowest_price(seeded, client):
    doc = _article_page(seeded, client, EXAMPLE_URL)

    link = doc.by_id("republish-link")
    assert link.tag == "a" and "button" in link.attrs["class"].split()
    assert link.text == "Republish this article, from £75.00"  # social media, one reader, one country, one-off
    target = urlsplit(link.attrs["href"])
    assert (target.path, parse_qs(target.query)) == ("/republish", {"article": [EXAMPLE_URL]})
    assert "fill out this form" not in doc.text
    note = doc.by_id("price-note")
    assert note.text.startswith("£75.00 is our lowest price, before tax; the form shows yours as you fill it in. "
                                "Republishing is under our standard terms")
    assert note.find("a").attrs["href"] == "/terms"


def test_the_price_is_the_lowest_of_the_current_rate_card(seeded, client):
    # A newer card makes a newsletter kept for good the cheapest use: 40.00 x 0.9 = 36.00.
    _new_rate_card(seeded, minimum_fee=1000,
                   base_fees={"website": 15000, "print": 20000, "newsletter": 4000, "broadcast": 30000,
                              "social": 7500, "syndication_feed": 40000},
                   term_factors={"one_off": 10000, "30_days": 12500, "1_year": 20000, "perpetual": 9000})

    doc = _article_page(seeded, client, EXAMPLE_URL)

    assert doc.by_id("republish-link").text == "Republish this article, from £36.00"


def test_without_a_rate_card_the_button_names_no_price(app, client):
    from licensing.catalog.services import import_feed
    from licensing.core.db import new_session
    from licensing.demo.loader import DEMO_FEED

    with app.app_context(), new_session() as s:
        import_feed(s, str(DEMO_FEED))

    doc = _article_page(app, client, EXAMPLE_URL)

    assert doc.by_id("republish-link").text == "Republish this article"
    assert doc.by_id("price-note").text.startswith(
        "The form shows your price as you fill it in. Republishing is under our standard terms")


def test_what_can_and_cannot_be_licensed_is_said_once(seeded, client):
    doc = _article_page(seeded, client, GAZA)

    section = doc.by_id("licensing")
    assert section.find("h2").text == "What you can republish"
    assert [li.text for li in doc.by_id("licensable").find_all("li")] == [
        "The article text (about 1,620 words)", "Photograph: Mohammed Omer/Middle East Eye"]
    assert [li.text for li in doc.by_id("not-licensable").find_all("li")] == ["Video: Reuters (third party)"]
    text = doc.text
    for label in ("Photograph: Mohammed Omer/Middle East Eye", "Video: Reuters"):
        assert text.count(label) == 1, label
    assert "Photo: Photograph" not in text and "Video: Video" not in text


def test_an_article_with_nothing_third_party_has_no_list_of_exclusions(seeded, client):
    doc = _article_page(seeded, client, TUNISIA)

    assert [li.text for li in doc.by_id("licensable").find_all("li")] == [
        "The article text (about 1,320 words)", "Photograph: Amira Ben Salah/Middle East Eye"]
    assert doc.find(id="not-licensable") is None
