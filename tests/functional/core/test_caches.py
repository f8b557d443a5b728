"""The two caches that keep pages fast: public pages answered from memory for visitors who are
not signed in, and the queue's counts per status kept until the requests table changes."""
from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from tests.functional.conftest import parse
from tests.staff_fixtures import add_user, execute, insert_requests, login, submit


def _article_id(app) -> int:  # noqa: ANN001
    from sqlalchemy import select

    from licensing.catalog.models import Article
    from licensing.core.db import new_session
    from tests.conftest import EXAMPLE_URL

    with app.app_context(), new_session() as s:
        return s.scalars(select(Article.id).where(Article.canonical_url == EXAMPLE_URL)).one()


def _retitle(app, article_id: int, title: str) -> None:  # noqa: ANN001
    execute(app, "UPDATE articles SET title = :t WHERE id = :i", t=title, i=article_id)


def _title(response) -> str:  # noqa: ANN001
    return parse(response.data).find("h1").text


# ------------------------------------------------------------------ public pages


def test_the_article_page_is_answered_from_memory_with_an_etag(seeded, client):
    article = _article_id(seeded)
    first = client.get(f"/articles/{article}")
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert first.headers["ETag"]
    before = _title(first)
    _retitle(seeded, article, "A changed title")
    again = client.get(f"/articles/{article}")
    assert _title(again) == before  # from memory: the database was not asked
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Type"] == "text/html; charset=utf-8"
    assert again.headers["Content-Security-Policy"]  # the app's headers still apply
    assert again.headers["X-Request-ID"]


def test_a_browser_with_the_page_gets_304(seeded, client):
    article = _article_id(seeded)
    etag = client.get(f"/articles/{article}").headers["ETag"]
    response = client.get(f"/articles/{article}", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert client.get(f"/articles/{article}", headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_change_shows_once_the_entry_is_older_than_the_setting(seeded, client, monkeypatch):
    from licensing.core import timedcache

    article = _article_id(seeded)
    client.get(f"/articles/{article}")
    _retitle(seeded, article, "A changed title")
    clock = time.monotonic()
    monkeypatch.setattr(timedcache.time, "monotonic", lambda: clock + 61)
    assert _title(client.get(f"/articles/{article}")) == "A changed title"


def test_signed_in_staff_never_get_the_anonymous_page(seeded, client):
    article = _article_id(seeded)
    assert "Staff sign-in" in client.get(f"/articles/{article}").get_data(as_text=True)  # cached now
    login(client, add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"]))
    page = client.get(f"/articles/{article}")
    text = page.get_data(as_text=True)
    assert "Sign out (Sam Staff)" in text and "Staff sign-in" not in text
    assert "ETag" not in page.headers


def test_a_page_with_a_message_waiting_is_not_taken_from_memory_nor_kept(seeded, client):
    article = _article_id(seeded)
    client.get(f"/articles/{article}")
    with client.session_transaction() as sess:
        sess["_flashes"] = [("info", "A message for this visitor only")]
    assert "A message for this visitor only" in client.get(f"/articles/{article}").get_data(as_text=True)
    assert "A message for this visitor only" not in client.get(f"/articles/{article}").get_data(as_text=True)


def test_an_unknown_article_is_404_every_time(seeded, client):
    assert client.get("/articles/999999").status_code == 404
    assert client.get("/articles/999999").status_code == 404


def test_each_search_of_the_catalogue_is_its_own_entry(seeded, client):
    everything = client.get("/").get_data(as_text=True)
    found = client.get("/?q=zzzznothingmatches").get_data(as_text=True)
    assert found != everything
    assert client.get("/?q=zzzznothingmatches").get_data(as_text=True) == found


@pytest.mark.parametrize("app_config", [{"PAGE_CACHE_SECONDS": 0}])
def test_the_cache_can_be_turned_off(seeded, client, app_config):
    article = _article_id(seeded)
    first = client.get(f"/articles/{article}")
    assert "ETag" not in first.headers and "Cache-Control" not in first.headers
    _retitle(seeded, article, "A changed title")
    assert _title(client.get(f"/articles/{article}")) == "A changed title"


def test_the_cache_keeps_a_bounded_number_of_pages():
    from licensing.core.pagecache import PageCache

    cache = PageCache(ttl=60, size=3)
    for n in range(5):
        cache.put(f"/p{n}", b"x", "text/html")
    assert [cache.get(f"/p{n}") is not None for n in range(5)] == [False, False, True, True, True]


# ------------------------------------------------------------------ counts of the queue


def _counts(client, query: str = "") -> dict[str, int]:  # noqa: ANN001
    tabs = parse(client.get(f"/staff/requests{query}").data).find("nav", cls="tabs")
    counts = {}
    for link in tabs.find_all("a"):
        count = link.find("span", cls="count").text
        counts[link.text[: -len(count)].strip()] = int(count.replace(",", ""))
    return counts


def test_a_new_request_shows_in_the_counts_at_once(desk):
    insert_requests(desk.app, [{"status": "submitted"}] * 2)
    assert _counts(desk.client)["Submitted"] == 2
    submit(desk.app)
    assert _counts(desk.client)["Submitted"] == 3


def test_a_decision_shows_in_the_counts_at_once(desk):
    made = insert_requests(desk.app, [{"status": "submitted"}] * 2)
    assert _counts(desk.client)["Approved"] == 0
    response = desk.client.post(f"/staff/requests/{made[0].reference}/approve", data={"fee_override": ""})
    assert response.status_code == 302
    counts = _counts(desk.client)
    assert (counts["Submitted"], counts["Approved"]) == (1, 1)


def test_an_assignment_shows_in_the_mine_counts_at_once(desk):
    made = insert_requests(desk.app, [{"status": "submitted"}] * 2)
    assert _counts(desk.client, "?mine=1")["Open"] == 0
    assert desk.client.post(f"/staff/requests/{made[0].reference}/assign", data={"to": "me"}).status_code == 302
    assert _counts(desk.client, "?mine=1")["Open"] == 1
    assert _counts(desk.client)["Open"] == 2


def test_a_change_the_version_cannot_see_shows_after_the_lifetime(desk, monkeypatch):
    from licensing.core import timedcache

    made = insert_requests(desk.app, [{"status": "submitted"}] * 2)
    assert _counts(desk.client)["Rejected"] == 0
    # A write that moves none of the version's columns (as a transaction committing after a
    # newer one could look): the counts catch up once the entry is older than its lifetime.
    execute(desk.app, "UPDATE requests SET status = 'rejected' WHERE id = :i", i=made[0].id)
    assert _counts(desk.client)["Rejected"] == 0
    clock = time.monotonic()
    monkeypatch.setattr(timedcache.time, "monotonic", lambda: clock + 6)
    assert _counts(desk.client)["Rejected"] == 1


def test_cached_counts_equal_counted_ones_for_every_filter(desk):
    from licensing.core.db import new_session
    from licensing.review import queries as queue

    insert_requests(desk.app, [{"status": s, "medium": m, "territory": t}
                               for s in ("submitted", "approved", "rejected")
                               for m in ("website", "print") for t in ("worldwide", "FR,GB")])
    cache = queue.CountsCache()
    now = queue.datetime(2026, 11, 25, 12, 0)
    for args in ({}, {"medium": "print"}, {"territory": "FR"}, {"status": "all", "medium": "website"},
                 {"mine": "1"}, {"overdue": "1"}, {"q": "leeds"}):
        filters = queue.QueueFilters.from_args(args)
        with desk.app.app_context(), new_session() as s:
            expected = queue.status_counts(s, filters, desk.user_id, now, 2)
            assert queue.status_counts(s, filters, desk.user_id, now, 2, cache) == expected  # counted
            assert queue.status_counts(s, filters, desk.user_id, now, 2, cache) == expected  # kept
    assert len(cache._entries) == 7


def test_a_page_that_made_a_csrf_token_is_never_kept():
    """A CSRF token belongs to one visitor's session: a page holding one must not reach another."""
    from flask import Flask, render_template_string
    from flask_wtf.csrf import CSRFProtect

    from licensing.core.pagecache import cached_public_page

    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", SETTINGS=SimpleNamespace(page_cache_seconds=60))
    CSRFProtect(app)

    @app.get("/with-token")
    @cached_public_page
    def with_token():  # noqa: ANN202
        return render_template_string("<form><input name=csrf_token value='{{ csrf_token() }}'></form>")

    @app.get("/without")
    @cached_public_page
    def without():  # noqa: ANN202
        return "<p>the same for everyone</p>"

    first, second = app.test_client(), app.test_client()
    first.get("/with-token")  # the session now holds the raw token: the next page modifies nothing
    assert "ETag" not in first.get("/with-token").headers
    assert first.get("/with-token").get_data() != second.get("/with-token").get_data()
    assert "ETag" in first.get("/without").headers


def test_the_cache_keeps_a_bounded_number_of_bytes():
    from licensing.core.pagecache import PageCache

    cache = PageCache(ttl=60, size=100, max_bytes=250)
    for n in range(5):
        cache.put(f"/p{n}", b"x" * 100, "text/html")
    assert [cache.get(f"/p{n}") is not None for n in range(5)] == [False, False, False, True, True]
    cache.put("/p4", b"y" * 10, "text/html")  # replacing a page counts its new size only
    cache.put("/p5", b"z" * 100, "text/html")
    assert [cache.get(f"/p{n}") is not None for n in (3, 4, 5)] == [True, True, True]
