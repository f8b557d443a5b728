"""The request services, the catalog and the mail module against real databases (SQLite and
PostgreSQL, through the `db_kind` fixture) and a real SMTP server."""
from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from licensing.catalog.models import Article, ArticleAsset
from licensing.catalog.queries import find_by_url, search_articles
from licensing.catalog.services import import_feed
from licensing.core.db import Base
from licensing.core.models import OutboxMessage
from licensing.intake.models import RepublishRequest, RequestEvent
from licensing.intake.services import find_by_token, submit_request
from licensing.pricing.models import RateCard
from licensing.pricing.rules import DEMO_RATE_CARD
from licensing.pricing.services import save_rate_card
from tests.conftest import EXAMPLE_URL
from tests.integration.conftest import given_request
from tests.stripe_fixtures import free_port

REFERENCE = re.compile(r"^REQ-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{6}$")


def _count(session, model) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- submitting


def test_submit_stores_the_quote_its_rate_card_version_and_an_event(seeded, session):
    submitted = submit_request(session, given_request())
    session.expunge_all()

    stored = session.scalars(select(RepublishRequest)).one()
    assert stored.status == "submitted"
    assert REFERENCE.match(stored.reference)
    assert (stored.quote_amount, stored.currency) == (67500, "GBP")
    assert stored.quote_breakdown == [
        {"label": "Base fee: Website", "amount": 15000, "kind": "base", "factor_bp": None, "reason": ""},
        {"label": "Audience 10,001 to 100,000 (x1.5)", "amount": 7500, "kind": "factor", "factor_bp": 15000,
         "reason": "audience 10,001 to 100,000"},
        {"label": "Territory: 2 to 5 countries (x1.5)", "amount": 11250, "kind": "factor", "factor_bp": 15000,
         "reason": "two countries"},
        {"label": "Term: 1 year (x2)", "amount": 33750, "kind": "factor", "factor_bp": 20000, "reason": "1 year"},
    ]
    assert [(step.text, step.subtotal) for step in stored.quote_steps] == [
        ("Base fee: Website", 15000), ("× 1.5 — audience 10,001 to 100,000", 22500), ("× 1.5 — two countries", 33750),
        ("× 2 — 1 year", 67500)]
    assert stored.rate_card.version == 1
    assert (stored.territory, stored.audience, stored.start_date) == (
        "FR,GB", 25000, date.today() + timedelta(days=7))
    assert submitted.quote.amount == stored.quote_amount
    events = session.scalars(select(RequestEvent)).all()
    assert [(e.request_id, e.actor_kind, e.action, e.before_status, e.after_status) for e in events] == [
        (stored.id, "publisher", "submit", None, "submitted")]
    assert events[0].message == "Request submitted with a quote of £675.00."
    assert events[0].at is not None and events[0].public is True


def test_only_the_sha256_of_the_tracking_token_is_stored(seeded, session):
    submitted = submit_request(session, given_request())
    token = submitted.token

    assert len(token) >= 43  # 32 random bytes, URL-safe base64: 256 bits
    stored_hash = session.execute(text("SELECT tracking_token_hash FROM requests")).scalar_one()
    assert stored_hash == hashlib.sha256(token.encode()).hexdigest()
    for table in Base.metadata.sorted_tables:
        if table.name == "outbox_messages":
            continue  # the e-mail carries the link to the publisher, by design
        for row in session.execute(select(table)).all():
            assert token not in repr(tuple(row)), f"the token is stored in {table.name}"
    session.expunge_all()
    assert find_by_token(session, token).reference == submitted.request.reference
    assert find_by_token(session, stored_hash) is None
    assert find_by_token(session, token + "x") is None
    assert find_by_token(session, "") is None


def test_references_are_short_unambiguous_and_unique(seeded, session):
    references = [submit_request(session, given_request()).request.reference for _ in range(12)]

    assert all(REFERENCE.match(r) for r in references), references
    assert len(set(references)) == len(references)
    assert _count(session, RepublishRequest) == 12


def test_a_reference_collision_is_retried_with_a_new_reference(seeded, session, monkeypatch):
    import licensing.intake.services

    first = submit_request(session, given_request()).request.reference
    fresh = "REQ-7K3F9Q" if first != "REQ-7K3F9Q" else "REQ-9Q3F7K"
    offered = iter([first, fresh])
    monkeypatch.setattr(licensing.intake.services, "new_reference", lambda: next(offered))

    second = submit_request(session, given_request(organisation="Second Org"))

    assert second.request.reference == fresh
    session.expunge_all()
    rows = session.execute(select(RepublishRequest.reference, RepublishRequest.organisation)
                           .order_by(RepublishRequest.id)).all()
    assert [tuple(r) for r in rows] == [(first, "Leeds Evening Post Ltd"), (fresh, "Second Org")]
    assert _count(session, RequestEvent) == 2
    assert _count(session, OutboxMessage) == 2


def test_a_new_rate_card_version_changes_new_quotes_but_not_stored_ones(seeded, session):
    before = submit_request(session, given_request())
    dearer = {**DEMO_RATE_CARD, "base_fees": {**DEMO_RATE_CARD["base_fees"], "website": 30000}}

    card = save_rate_card(session, dearer, note="website doubled")
    after = submit_request(session, given_request())

    assert card.version == 2
    assert (before.quote.amount, before.quote.rate_card_version) == (67500, 1)
    assert (after.quote.amount, after.quote.rate_card_version) == (135000, 2)
    session.expunge_all()
    rows = session.execute(select(RepublishRequest.quote_amount, RateCard.version)
                           .join(RateCard, RepublishRequest.rate_card_id == RateCard.id)
                           .order_by(RepublishRequest.id)).all()
    assert [tuple(r) for r in rows] == [(67500, 1), (135000, 2)]
    old = session.scalars(select(RepublishRequest).where(RepublishRequest.id == before.request.id)).one()
    assert old.quote_breakdown[0] == {"label": "Base fee: Website", "amount": 15000, "kind": "base", "factor_bp": None,
                                      "reason": ""}
    assert session.scalars(select(RateCard).where(RateCard.version == 1)).one().data["base_fees"]["website"] == 15000


# ---------------------------------------------------------------- catalog import

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:sd="https://syndication-desk.org/ns/1.0">
<channel><title>Test</title><link>https://news.example/</link><language>en</language>
  <item>
    <title>{title}</title>
    <link>https://news.example/world/harbour-story</link>
    <description>A harbour.</description>
    <pubDate>Mon, 07 Nov 2016 10:00:00 +0000</pubDate>
    <dc:creator>A Reporter</dc:creator>
    {assets}
  </item>
  <item>
    <title>Zeynep Çelik opens a bakery in Şişli</title>
    <link>https://news.example/culture/bakery/</link>
    <pubDate>Tue, 08 Nov 2016 10:00:00 +0000</pubDate>
  </item>
</channel></rss>
"""
AFP = ('<media:content url="https://news.example/a.jpg" medium="image" sd:licensable="false">'
       '<media:credit>Photograph: AFP</media:credit></media:content>')
OWN = ('<media:content url="https://news.example/b.jpg" medium="image" sd:licensable="true">'
       '<media:credit>Photograph: Our Staff</media:credit></media:content>'
       '<media:content url="https://news.example/c.mp4" medium="video" sd:licensable="false">'
       '<media:credit>Video: Reuters</media:credit></media:content>')


def _feed(tmp_path, title: str, assets: str, name: str = "feed.xml") -> str:  # noqa: ANN001
    path = tmp_path / name
    path.write_text(RSS.format(title=title, assets=assets), encoding="utf-8")
    return str(path)


def test_import_feed_is_idempotent_by_canonical_url(session, tmp_path):
    source = _feed(tmp_path, "Ships return to the harbour", AFP)

    first = import_feed(session, source)
    second = import_feed(session, source)

    assert (first.created, first.updated) == (2, 0)
    assert (second.created, second.updated) == (0, 2)
    assert _count(session, Article) == 2
    assert _count(session, ArticleAsset) == 1
    harbour = find_by_url(session, "https://news.example/world/harbour-story")
    assert (harbour.title, harbour.byline, harbour.published_at.isoformat()) == (
        "Ships return to the harbour", "A Reporter", "2016-11-07T10:00:00")


def test_import_feed_applies_updates_and_replaces_assets(session, tmp_path):
    import_feed(session, _feed(tmp_path, "Ships return to the harbour", AFP))
    old_asset_ids = set(session.scalars(select(ArticleAsset.id)))

    result = import_feed(session, _feed(tmp_path, "Fishing fleet sails from the harbour", OWN, "v2.xml"))
    session.expunge_all()

    assert (result.created, result.updated) == (0, 2)
    assert _count(session, Article) == 2
    harbour = find_by_url(session, "https://news.example/world/harbour-story")
    assert harbour.title == "Fishing fleet sails from the harbour"
    assert [(a.kind, a.credit, a.licensable) for a in harbour.assets] == [
        ("photo", "Photograph: Our Staff", True), ("video", "Video: Reuters", False)]
    assert not old_asset_ids & set(session.scalars(select(ArticleAsset.id)))
    assert _count(session, ArticleAsset) == 2
    # The search terms follow the new title.
    assert search_articles(session, "ships") == []
    assert [a.title for a in search_articles(session, "fishing")] == ["Fishing fleet sails from the harbour"]


def test_an_atom_entry_with_the_same_url_updates_the_rss_article(session, tmp_path):
    import_feed(session, _feed(tmp_path, "Ships return to the harbour", AFP))
    atom = tmp_path / "feed.atom"
    atom.write_text("""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>T</title>
  <entry><title>Harbour reopens</title>
    <link rel="alternate" href="https://NEWS.example/world/harbour-story#top"/>
    <published>2016-11-09T08:00:00Z</published><author><name>B Writer</name></author>
  </entry></feed>""", encoding="utf-8")

    result = import_feed(session, str(atom))
    session.expunge_all()

    assert (result.created, result.updated) == (0, 1)
    assert _count(session, Article) == 2
    harbour = find_by_url(session, "https://news.example/world/harbour-story")
    assert (harbour.title, harbour.byline, harbour.assets) == ("Harbour reopens", "B Writer", [])


def test_importing_the_demo_feed_twice_adds_nothing(seeded, session):
    from licensing.demo.loader import DEMO_FEED

    articles, assets = _count(session, Article), _count(session, ArticleAsset)
    result = import_feed(session, str(DEMO_FEED))

    assert result.created == 0 and result.updated == articles == 10
    assert (_count(session, Article), _count(session, ArticleAsset)) == (articles, assets)


# ---------------------------------------------------------------- search


def _titles(session, query: str) -> list[str]:  # noqa: ANN001
    return [a.title for a in search_articles(session, query)]


MOSUL_OPINION = "Opinion: The battle for Mosul will not end the Islamic State"
MOSUL_NEWS = "Mosul offensive: Aid agencies brace for exodus of up to a million people"


@pytest.mark.parametrize("query,titles", [
    ("mosul", [MOSUL_OPINION, MOSUL_NEWS]),
    ("Mos", [MOSUL_OPINION, MOSUL_NEWS]),  # prefix
    ("MOSUL", [MOSUL_OPINION, MOSUL_NEWS]),  # case
    ("mosul battle", [MOSUL_OPINION]),  # every word must match
    ("batt mos", [MOSUL_OPINION]),  # every word as a prefix
    ("mosul yemen", []),
    ("desalination", ["Inside Gaza's only desalination plant as the water runs out"]),
    ("cop22", ["Morocco prepares to host COP22 climate talks in Marrakech"]),
    ("opinion", [MOSUL_OPINION]),  # a word of the URL (/opinion/...) as well as the title
    ("the of", []),  # stop words only: nothing, not everything
    ("zzqx", []),
])
def test_search_by_words(seeded, session, query, titles):
    assert _titles(session, query) == titles


def test_search_by_non_ascii_words(seeded, session, tmp_path):
    import_feed(session, _feed(tmp_path, "Ships return to the harbour", ""))

    for query in ("Çelik", "çelik", "ÇELIK", "Çel", "şişli", "Şiş", "bakery çelik"):
        assert _titles(session, query) == ["Zeynep Çelik opens a bakery in Şişli"], query
    assert _titles(session, "çelikler") == []


def test_empty_search_lists_the_newest_first(seeded, session):
    found = search_articles(session, "", limit=3)

    assert len(found) == 3
    dates = [a.published_at for a in search_articles(session, "", limit=20)]
    assert len(dates) == 10 and dates == sorted(dates, reverse=True)
    assert [a.id for a in found] == [a.id for a in search_articles(session, "", limit=20)][:3]


@pytest.mark.parametrize("query", [
    EXAMPLE_URL, EXAMPLE_URL + "/", EXAMPLE_URL + "#comments",
    EXAMPLE_URL.replace("https://www.middleeasteye.net", "https://WWW.MiddleEastEye.net"),
    EXAMPLE_URL.replace("https://", ""),
])
def test_search_by_url(seeded, session, query):
    assert _titles(session, query) == ["US, Turkey to work closely to deal IS 'lasting defeat': US defence secretary"]


def test_search_by_url_of_an_article_stored_with_a_trailing_slash(session, tmp_path):
    import_feed(session, _feed(tmp_path, "Ships return to the harbour", ""))

    for query in ("https://news.example/culture/bakery/", "https://news.example/culture/bakery"):
        assert _titles(session, query) == ["Zeynep Çelik opens a bakery in Şişli"], query
    assert _titles(session, "https://news.example/culture/bakery/other") == []


# ---------------------------------------------------------------- mail over SMTP




class TestMailOverSmtp:
    @pytest.fixture
    def app_config(self, smtp_server) -> dict:
        controller, _inbox = smtp_server
        return {"MAIL_URL": f"smtp://{controller.hostname}:{controller.port}"}

    def test_the_confirmation_is_delivered_and_marked_sent(self, seeded, session, smtp_server):
        _controller, inbox = smtp_server

        submitted = submit_request(session, given_request())

        assert len(inbox.envelopes) == 1
        envelope = inbox.envelopes[0]
        assert envelope.rcpt_tos == ["jo@leeds-post.example"]
        assert envelope.mail_from == "licensing@syndication-desk.org"
        content = envelope.content.decode()
        assert f"Subject: We received your republishing request {submitted.request.reference}" in content
        assert f"http://desk.test/track/{submitted.token}" in content
        session.expunge_all()
        message = session.scalars(select(OutboxMessage)).one()
        assert (message.status, message.error) == ("sent", "")
        assert message.sent_at is not None

        from licensing.core.mail import deliver

        deliver(message.id)  # a retried job: nothing is sent twice
        assert len(inbox.envelopes) == 1


class TestMailServerDown:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"MAIL_URL": f"smtp://127.0.0.1:{free_port()}"}

    def test_the_message_is_failed_and_the_request_still_stored(self, seeded, session, app, smtp_server):
        submitted = submit_request(session, given_request())
        session.expunge_all()

        message = session.scalars(select(OutboxMessage)).one()
        assert message.status == "failed"
        assert "ConnectionRefusedError" in message.error
        assert message.sent_at is None
        stored = session.scalars(select(RepublishRequest)).one()
        assert (stored.reference, stored.status) == (submitted.request.reference, "submitted")
        assert _count(session, RequestEvent) == 1

        # Once a server answers, delivering the failed message again sends it.
        controller, inbox = smtp_server
        app.config["SETTINGS"].mail_url = f"smtp://{controller.hostname}:{controller.port}"
        from licensing.core.mail import deliver

        deliver(message.id)
        session.rollback()  # end the read transaction: SQLite would keep showing its snapshot
        assert session.get(OutboxMessage, message.id, populate_existing=True).status == "sent"
        assert len(inbox.envelopes) == 1
