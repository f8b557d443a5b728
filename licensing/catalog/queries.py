"""Finding articles: by URL (the unique index) or by words of the title or URL, each a prefix,
through the `article_terms` index; the plan is chosen from how rare each word is."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import and_, exists, func, intersect, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from licensing.catalog.models import Article, ArticleTerm
from licensing.catalog.rules import normalise_url, terms_of


def looks_like_url(query: str) -> bool:
    return bool(re.match(r"^(https?://|www\.)", query.strip(), re.I))


def lookup_url(url: str) -> str | None:
    """The form of an address that articles are looked up by (None: it cannot be stored)."""
    if "\x00" in url:  # no stored URL holds NUL, and PostgreSQL text cannot
        return None
    url = normalise_url(url)
    if url.lower().startswith("www."):
        url = "https://" + url
    return url


def url_candidates(url: str) -> list[str]:
    """The stored addresses that `lookup_url(...)` matches: with and without a trailing slash."""
    return sorted({url, url.rstrip("/"), url.rstrip("/") + "/"})


def find_by_url(session: Session, url: str) -> Article | None:
    """The article at this address, with its assets. A request asks for the same article several
    times (validation, pricing, the page), so a hit is remembered for the life of the session."""
    url = lookup_url(url)
    if url is None:
        return None
    seen = session.info.setdefault("articles_by_url", {})
    found = seen.get(url)
    if found is not None and found in session:
        return found
    found = session.scalars(
        select(Article).where(Article.canonical_url.in_(url_candidates(url))).options(joinedload(Article.assets))
        .order_by(Article.id).limit(1)
    ).unique().first()
    if found is not None:
        seen[url] = found
    return found


# Ways to a page of matches, newest first, each cheap where the others are not (the choice rests on
# a capped count of each word's index entries; bench/search_bench.py measures them at 100,000):
# - several words, none common (fewer than RARE_MATCHES entries each): their index ranges are
#   intersected and only the articles left are dated;
# - one rare word among common ones drives: its articles are checked for the other words and dated
#   by primary-key look-ups (a correlated subquery: no planner can turn it into a full scan);
# - only common words: the newest articles are walked down the published_at index and checked,
#   which fills a page after a few dozen rows; when the WALK_WINDOW newest hold too few (common
#   words that seldom meet), the words' index ranges are intersected instead.
RARE_MATCHES = 3000
WALK_WINDOW = 2000
EPOCH = datetime(1, 1, 1)


def _starts(word: str):
    """A term of the index that starts with `word` (a range, so that the index serves it)."""
    return and_(ArticleTerm.term >= word, ArticleTerm.term < word + "\uffff")


def _has_word(article_id, word: str):
    probe = aliased(ArticleTerm)
    return exists().where(probe.article_id == article_id, probe.term >= word, probe.term < word + "\uffff")


def _capped_counts(session: Session, words: list[str], cap: int) -> list[int]:
    """Index entries per word, counting no further than `cap` (one cheap round trip)."""
    counts = [select(func.count()).select_from(
        select(ArticleTerm.article_id).where(_starts(w)).limit(cap).subquery()).scalar_subquery() for w in words]
    return list(session.execute(select(*counts)).one())


def _load_in_order(session: Session, ids: list[int]) -> list[Article]:
    if not ids:
        return []
    found = {a.id: a for a in session.scalars(
        select(Article).where(Article.id.in_(ids)).options(joinedload(Article.assets))).unique()}
    return [found[i] for i in ids if i in found]


def _search_rare(session: Session, rarest: str, others: list[str], limit: int) -> list[Article]:
    """The rare word's articles that have the other words, newest first."""
    published = (select(Article.published_at).where(Article.id == ArticleTerm.article_id)
                 .correlate(ArticleTerm).scalar_subquery().label("published"))
    stmt = (select(ArticleTerm.article_id, published).distinct()
            .where(_starts(rarest), *(_has_word(ArticleTerm.article_id, w) for w in others))
            .order_by(published.desc().nulls_last(), ArticleTerm.article_id.desc()).limit(limit))
    return _load_in_order(session, [row.article_id for row in session.execute(stmt)])


def _search_intersection(session: Session, words: list[str], limit: int) -> list[Article]:
    """Articles in every word's index range, then dated one by one: cheap when few are left."""
    both = intersect(*(select(ArticleTerm.article_id).where(_starts(w)) for w in words)).subquery()
    published = (select(Article.published_at).where(Article.id == both.c.article_id)
                 .correlate(both).scalar_subquery().label("published"))
    stmt = (select(both.c.article_id, published)
            .order_by(published.desc().nulls_last(), both.c.article_id.desc()).limit(limit))
    return _load_in_order(session, [row.article_id for row in session.execute(stmt)])


def _search_newest(session: Session, words: list[str], limit: int) -> list[Article] | None:
    """Matches among the WALK_WINDOW newest dated articles, walked newest first down the index; the
    database stops as soon as it has `limit`. None when that window held too few."""
    window = aliased(Article)
    oldest = (select(window.published_at).where(window.published_at.is_not(None))
              .order_by(window.published_at.desc()).offset(WALK_WINDOW - 1).limit(1).scalar_subquery())
    stmt = (select(Article.id)
            .where(Article.published_at >= func.coalesce(oldest, EPOCH), *(_has_word(Article.id, w) for w in words))
            .order_by(Article.published_at.desc(), Article.id.desc()).limit(limit))
    ids = list(session.scalars(stmt))
    return _load_in_order(session, ids) if len(ids) == limit else None


def search_articles(session: Session, query: str, limit: int = 20) -> list[Article]:
    """Articles whose title or URL has every word of `query` (words match as prefixes), newest first;
    or the article at that URL; or the newest articles for an empty query."""
    query = (query or "").replace("\x00", "").strip()[:500]
    if looks_like_url(query):
        found = find_by_url(session, query)
        return [found] if found else []
    words = sorted(terms_of(query))[:8]
    if query and not words:
        return []
    if not words:
        return _search_newest(session, [], limit) or _newest(session, limit)
    counts = _capped_counts(session, words, RARE_MATCHES)
    rarest = words[counts.index(min(counts))]
    others = [w for w in words if w != rarest]
    if others and max(counts) < RARE_MATCHES:  # a few thousand index entries: intersect them
        return _search_intersection(session, words, limit)
    if min(counts) < RARE_MATCHES:
        return _search_rare(session, rarest, others, limit)
    found = _search_newest(session, words, limit)  # a full page of the newest is the page overall
    if found is not None:
        return found
    if not others:
        return _search_rare(session, rarest, others, limit)
    return _search_intersection(session, words, limit)


def _newest(session: Session, limit: int) -> list[Article]:
    """The newest articles of a small catalog (or one with few dated articles)."""
    return list(session.scalars(select(Article).order_by(Article.published_at.desc().nulls_last(), Article.id.desc())
                                .limit(limit).options(selectinload(Article.assets))))
