"""Catalog import: a feed (file or http(s) URL) read and upserted by canonical URL, idempotent."""
from __future__ import annotations

import hashlib
import re
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from licensing.catalog.models import Article, ArticleAsset, ArticleTerm
from licensing.catalog.queries import find_by_url, looks_like_url, search_articles  # noqa: F401  (catalog's public API)
from licensing.catalog.rules import MAX_FEED_BYTES, ArticleData, FeedError, _url_words, parse_feed, terms_of
from licensing.catalog.rules.markup import parse_fragment, plain_text
from licensing.catalog.rules.sanitise import CatalogAsset, sanitise_body
from licensing.catalog.signals import body_corrected
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
    corrected: int = 0


_ASSET_KEYS = re.compile(r'data-asset="[^"]*"')


def body_fingerprint(body_html: str) -> str:
    """SHA-256 of a sanitised body without its asset keys (asset rows, and their ids, are replaced on
    every import): the same text and media give the same fingerprint, a correction another."""
    return hashlib.sha256(_ASSET_KEYS.sub('data-asset=""', body_html).encode()).hexdigest()


def store_body(session: Session, article: Article, raw_html: str) -> bool:
    """Sanitise `raw_html` against the article's assets (flushed, so they have ids) and store it.
    A changed body of an article that had one is a correction: announced in this transaction.
    Returns whether it was one."""
    if not raw_html.strip():
        return False  # a feed without the full text keeps the body we have
    clean = sanitise_body(raw_html, [CatalogAsset(str(a.id), a.url) for a in article.assets if a.url],
                          base_url=article.canonical_url)
    fingerprint = body_fingerprint(clean.html)
    old_html, old_text, old_sha = article.body_html or "", article.body_text or "", article.body_sha256 or ""
    article.body_html, article.body_text = clean.html, plain_text(parse_fragment(clean.html))
    article.body_sha256 = fingerprint
    if old_sha and old_sha != fingerprint:
        session.flush()
        body_corrected.send(None, session=session, article=article, old_html=old_html, old_text=old_text)
        return True
    return False


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
        result.corrected += store_body(session, article, data.body_html)
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
