"""Catalog import: a feed (file or http(s) URL) read and upserted by canonical URL, idempotent."""
from __future__ import annotations

import re
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from licensing.catalog.models import Article, ArticleAsset, ArticleTerm
from licensing.catalog.queries import find_by_url, looks_like_url, search_articles  # noqa: F401  (catalog's public API)
from licensing.catalog.rules import MAX_FEED_BYTES, ArticleData, FeedError, _url_words, parse_feed, terms_of
from licensing.core.db import begin_write


def read_feed_source(source: str, timeout: float = 20.0) -> bytes:
    """Bytes of a feed from a file path or an http(s) URL."""
    if re.match(r"^https?://", source, re.I):
        with urllib.request.urlopen(source, timeout=timeout) as response:
            data = response.read(MAX_FEED_BYTES + 1)
    else:
        path = Path(source)
        if not path.is_file():
            raise FeedError(f"no feed file at {source}")
        data = path.read_bytes()[: MAX_FEED_BYTES + 1]
    if len(data) > MAX_FEED_BYTES:
        raise FeedError("feed is larger than 50 MiB")
    return data


# ---------------------------------------------------------------- storing


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0


def upsert_articles(session: Session, items: list[ArticleData]) -> ImportResult:
    """Create or update articles by canonical URL; the caller's transaction is committed here."""
    result = ImportResult()
    begin_write(session)
    urls = [i.canonical_url for i in items]
    existing = {
        a.canonical_url: a
        for a in session.scalars(
            select(Article).where(Article.canonical_url.in_(urls)).options(selectinload(Article.assets))
        )
    } if urls else {}
    for data in items:
        article = existing.get(data.canonical_url)
        if article is None:
            article = Article(canonical_url=data.canonical_url)
            session.add(article)
            existing[data.canonical_url] = article
            result.created += 1
        else:
            result.updated += 1
        for name in ("title", "standfirst", "published_at", "section", "byline", "word_count", "language"):
            setattr(article, name, getattr(data, name))
        article.assets = [ArticleAsset(kind=a.kind, credit=a.credit, description=a.description,
                                       licensable=a.licensable, url=a.url) for a in data.assets]
        session.flush()
        session.execute(delete(ArticleTerm).where(ArticleTerm.article_id == article.id))
        session.add_all(ArticleTerm(term=t, article_id=article.id)
                        for t in terms_of(article.title, _url_words(article.canonical_url)))
    session.commit()
    return result


def import_feed(session: Session, source: str) -> ImportResult:
    return upsert_articles(session, parse_feed(read_feed_source(source)))


# ---------------------------------------------------------------- finding (licensing/search.py)


def article_count(session: Session) -> int:
    return session.scalar(select(func.count(Article.id))) or 0
