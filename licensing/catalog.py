"""The article catalog: import from RSS 2.0 / Atom feeds (idempotent by canonical URL) and search.

Search uses a small term table (one row per distinct word of a title or URL) so that a prefix
look-up is an index range scan on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

import re
import unicodedata
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

from defusedxml import ElementTree
from sqlalchemy import and_, delete, exists, func, intersect, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from .models import Article, ArticleAsset, ArticleTerm

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "media": "http://search.yahoo.com/mrss/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "sd": "https://syndication-desk.org/ns/1.0",
}
MAX_FEED_BYTES = 50 * 1024 * 1024
STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the to was were with www http https com html".split()
)
TERM_MAX = 64


class FeedError(ValueError):
    pass


@dataclass
class AssetData:
    kind: str
    credit: str
    description: str = ""
    licensable: bool = False


@dataclass
class ArticleData:
    canonical_url: str
    title: str
    standfirst: str = ""
    published_at: datetime | None = None
    section: str = ""
    byline: str = ""
    word_count: int = 0
    language: str = "en"
    assets: list[AssetData] = field(default_factory=list)


def _fold(text: str) -> str:
    """Lowercase without accents, so "Erdogan" finds "Erdoğan" and "İstanbul" stays one word (its
    lowercase has a combining dot, which a word pattern does not match)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def terms_of(*texts: str) -> set[str]:
    words: set[str] = set()
    for text in texts:
        for word in re.findall(r"\w+", _fold(text)):
            if word not in STOPWORDS:
                words.add(word[:TERM_MAX])
    return words


def _url_words(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc} {parts.path}".replace("-", " ").replace("_", " ")


def normalise_url(url: str) -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed "[" of an IPv6 address: not a URL we can normalise
        return url
    if parts.scheme and parts.netloc:
        return parts._replace(fragment="", scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()
    return url


# ---------------------------------------------------------------- parsing


def _text(el, path: str) -> str:  # noqa: ANN001
    found = el.find(path, NS)
    return (found.text or "").strip() if found is not None and found.text else ""


def _strip_html(value: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", value))).strip()


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:  # e.g. 9999-12-31T23:00-05:00 is past datetime.max in UTC
            return None
    return parsed


def _assets(item) -> list[AssetData]:  # noqa: ANN001
    assets = []
    for media in item.findall("media:content", NS):
        credit = _text(media, "media:credit")
        if not credit:
            continue
        licensable = media.get(f"{{{NS['sd']}}}licensable", "false").strip().lower() == "true"
        kind = media.get("medium") or "image"
        kind = {"image": "photo"}.get(kind, kind)
        assets.append(AssetData(kind, credit, _text(media, "media:description"), licensable))
    return assets


def _word_count(item, body: str) -> int:  # noqa: ANN001
    declared = _text(item, "sd:wordCount")
    if declared.isdecimal():  # isdigit() accepts "²", which int() refuses
        return int(declared)
    return len(_strip_html(body).split())


def _web_url(link: str) -> str:
    """The normalised link if it is an absolute http(s) URL, else "" (the item is then skipped):
    a relative link, a non-permalink guid such as "tag:..." or an unparsable URL names no article."""
    url = normalise_url(link)
    try:
        parts = urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    return url if ok else ""


def _atom_link(entry) -> str:  # noqa: ANN001
    """The entry's alternate link (a link without rel is one), else its first link. (An Element with
    no children is falsy, so `find(...) or find(...)` would always skip to the first link.)"""
    links = entry.findall("atom:link", NS)
    chosen = next((el for el in links if el.get("rel", "alternate") == "alternate"), links[0] if links else None)
    return (chosen.get("href") or "").strip() if chosen is not None else ""


def parse_feed(data: bytes) -> list[ArticleData]:
    try:
        root = ElementTree.fromstring(data)
    except Exception as exc:  # defusedxml raises several kinds
        raise FeedError(f"not a readable XML feed: {exc}") from exc
    articles: list[ArticleData] = []
    if root.tag == "rss":
        for item in root.iterfind("channel/item"):
            link = _web_url(_text(item, "link") or _text(item, "guid"))
            title = _strip_html(_text(item, "title"))
            if not link or not title:
                continue
            body = _text(item, "content:encoded") or _text(item, "description")
            articles.append(ArticleData(
                canonical_url=link,
                title=title,
                standfirst=_strip_html(_text(item, "description")),
                published_at=_date(_text(item, "pubDate")),
                section=_text(item, "category"),
                byline=_text(item, "dc:creator") or _text(item, "author"),
                word_count=_word_count(item, body),
                language=(_text(item, "dc:language") or (root.findtext("channel/language") or "").strip()
                          or "en")[:2].lower(),
                assets=_assets(item),
            ))
    elif root.tag == f"{{{NS['atom']}}}feed":
        feed_lang = (root.get("{http://www.w3.org/XML/1998/namespace}lang") or "en")[:2].lower()
        for entry in root.iterfind("atom:entry", NS):
            link = _web_url(_atom_link(entry))
            title = _strip_html(_text(entry, "atom:title"))
            if not link or not title:
                continue
            category = entry.find("atom:category", NS)
            body = _text(entry, "atom:content") or _text(entry, "atom:summary")
            articles.append(ArticleData(
                canonical_url=link,
                title=title,
                standfirst=_strip_html(_text(entry, "atom:summary")),
                published_at=_date(_text(entry, "atom:published") or _text(entry, "atom:updated")),
                section=category.get("term", "") if category is not None else "",
                byline=_text(entry, "atom:author/atom:name"),
                word_count=_word_count(entry, body),
                language=feed_lang,
                assets=_assets(entry),
            ))
    else:
        raise FeedError(f"not an RSS 2.0 or Atom feed (root element {root.tag!r})")
    return articles


def read_feed_source(source: str, timeout: float = 20.0) -> bytes:
    """Bytes of a feed from a file path or an http(s) URL."""
    if re.match(r"^https?://", source, re.I):
        with urllib.request.urlopen(source, timeout=timeout) as response:  # noqa: S310 (scheme checked)
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
                                       licensable=a.licensable) for a in data.assets]
        session.flush()
        session.execute(delete(ArticleTerm).where(ArticleTerm.article_id == article.id))
        session.add_all(ArticleTerm(term=t, article_id=article.id)
                        for t in terms_of(article.title, _url_words(article.canonical_url)))
    session.commit()
    return result


def import_feed(session: Session, source: str) -> ImportResult:
    return upsert_articles(session, parse_feed(read_feed_source(source)))


# ---------------------------------------------------------------- finding


def looks_like_url(query: str) -> bool:
    return bool(re.match(r"^(https?://|www\.)", query.strip(), re.I))


def find_by_url(session: Session, url: str) -> Article | None:
    """The article at this address, with its assets. A request asks for the same article several
    times (validation, pricing, the page), so a hit is remembered for the life of the session."""
    if "\x00" in url:  # no stored URL holds NUL, and PostgreSQL text cannot
        return None
    url = normalise_url(url)
    if url.lower().startswith("www."):
        url = "https://" + url
    seen = session.info.setdefault("articles_by_url", {})
    found = seen.get(url)
    if found is not None and found in session:
        return found
    candidates = {url, url.rstrip("/"), url.rstrip("/") + "/"}
    found = session.scalars(
        select(Article).where(Article.canonical_url.in_(candidates)).options(joinedload(Article.assets))
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


def _starts(word: str):  # noqa: ANN202
    """A term of the index that starts with `word` (a range, so that the index serves it)."""
    return and_(ArticleTerm.term >= word, ArticleTerm.term < word + "\uffff")


def _has_word(article_id, word: str):  # noqa: ANN001, ANN202
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


def article_count(session: Session) -> int:
    return session.scalar(select(func.count(Article.id))) or 0
