"""The live quote's own path (one query of plain rows, rate card terms kept per app) against real
databases: it must price exactly as submitting does, see a new rate card at once, and leave no
autocommit behind on the pooled connection."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from licensing.catalog.models import Article, ArticleAsset
from licensing.core.db import get_session, new_session
from licensing.intake.models import RepublishRequest
from licensing.intake.services import pricing_facts, quote, submit_request
from licensing.pricing.models import RateCard
from licensing.pricing.rules import DEMO_RATE_CARD
from licensing.pricing.services import NoRateCard, save_rate_card
from tests.conftest import EXAMPLE_URL
from tests.integration.conftest import given_request


def _api_quote(client, **overrides) -> dict:  # noqa: ANN001
    body = {"article_url": EXAMPLE_URL, "medium": "website", "audience": 25000, "territory": ["GB", "FR"],
            "language": "en", "term": "1_year", "exclusive": False, "media_wanted": False, **overrides}
    response = client.post("/api/v1/quotes", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def article_with_assets(seeded) -> int:
    """The example article with two licensable assets and one that is not."""
    with seeded.app_context(), new_session() as s:
        article = s.scalars(select(Article).where(Article.canonical_url == EXAMPLE_URL)).one()
        article.assets.clear()
        s.flush()
        for n, licensable in enumerate((True, False, True)):
            s.add(ArticleAsset(article_id=article.id, kind="photo", credit=f"Agency {n}", licensable=licensable))
        s.commit()
        return article.id


USES = [
    {},
    {"media_wanted": True},
    {"language": "fr"},  # a translation
    {"exclusive": True, "territory": "worldwide", "term": "perpetual", "medium": "print", "audience": 2_000_000},
    {"media_wanted": True, "language": "de", "territory": ["GB"], "audience": 1},
]


@pytest.mark.parametrize("use", USES, ids=range(len(USES)))
def test_the_quote_is_what_submitting_stores(seeded, article_with_assets, use):
    with seeded.app_context():
        session = get_session()
        given = given_request(**use)
        quoted = quote(session, given)
        with new_session() as other:
            submitted = submit_request(other, given)
            stored = other.get(RepublishRequest, submitted.request.id)
            assert (stored.quote_amount, stored.currency, stored.quote_breakdown) == (
                quoted.amount, quoted.currency, quoted.to_dict()["breakdown"])
        assert quoted == submitted.quote
        facts = pricing_facts(session, EXAMPLE_URL)
        assert (facts.article_id, facts.licensable_assets) == (article_with_assets, 2)
    if use.get("media_wanted"):
        assert any("media" in line["label"].lower() for line in quoted.to_dict()["breakdown"])


def test_the_address_is_matched_as_the_article_search_matches_it(seeded):
    from licensing.catalog.queries import find_by_url

    bare = EXAMPLE_URL.removeprefix("https://")
    variants = [EXAMPLE_URL, EXAMPLE_URL + "/", bare, "http://" + bare, bare.replace("www.", "WWW.", 1),
                EXAMPLE_URL + "?utm_source=x", EXAMPLE_URL + "#top", " " + EXAMPLE_URL + " ",
                "https://www.middleeasteye.net/news/no-such-article", EXAMPLE_URL + "\x00", ""]
    with seeded.app_context():
        session = get_session()
        found = {url: find_by_url(session, url) for url in variants}
        assert found[EXAMPLE_URL] is not None and found[bare] is not None
        assert found[variants[8]] is None
        for url, article in found.items():
            facts = pricing_facts(session, url)
            assert (facts.article_id if facts else None) == (article.id if article else None), url


def test_a_new_rate_card_is_quoted_on_the_next_request(seeded, client):
    first = _api_quote(client)
    assert (first["amount"], first["rate_card_version"]) == (67500, 1)
    dearer = {**DEMO_RATE_CARD, "base_fees": {**DEMO_RATE_CARD["base_fees"], "website": 30000}}
    with seeded.app_context(), new_session() as s:
        save_rate_card(s, dearer, note="website doubled")
    second = _api_quote(client)
    assert (second["amount"], second["rate_card_version"]) == (135000, 2)


def test_without_a_rate_card_the_quote_says_so(app, seeded):
    with app.app_context(), new_session() as s:
        for card in s.scalars(select(RateCard)):
            s.delete(card)
        s.commit()
        with pytest.raises(NoRateCard):
            quote(s, given_request())


def test_a_quote_leaves_the_pooled_connection_transactional(seeded, client):
    """The quote reads in autocommit on PostgreSQL; the next user of that connection must not."""
    _api_quote(client)
    with seeded.app_context():
        session = get_session()
        before = session.scalar(select(func.count()).select_from(RateCard))
        save_rate_card(session, DEMO_RATE_CARD, note="kept")
        session.add(RateCard(version=99, currency="GBP", data=DEMO_RATE_CARD, note="rolled back"))
        session.flush()
        session.rollback()
        after = session.scalar(select(func.count()).select_from(RateCard))
    assert after == before + 1
