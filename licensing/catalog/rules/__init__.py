"""Reading the article catalog's feeds (pure): RSS 2.0 / Atom to plain article data, URL
normalisation and the search terms of a title or URL."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import escape, unescape
from urllib.parse import parse_qsl, urlencode, urlsplit

from defusedxml import ElementTree

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "media": "http://search.yahoo.com/mrss/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "sd": "https://syndication-desk.org/ns/1.0",
}
MAX_FEED_BYTES = 50 * 1024 * 1024
STOPWORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it", "its", "of",
     "on", "or", "that", "the", "to", "was", "were", "with", "www", "http", "https", "com", "html"]
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
    url: str = ""  # media:content@url: the file itself (schema.org contentUrl); ties the body's <img> to it


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
    body_html: str = ""  # as the feed sent it (content:encoded, Atom content); sanitised on import


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


# Query parameters that say where a link was shared, never which article it is: a pasted link
# carrying them must still find the article (and they are not kept in a request's address).
TRACKING_PARAMS = frozenset(["fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga"])


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


def normalise_url(url: str) -> str:
    """The address an article is known by: scheme and host in lower case, no #fragment and no
    tracking parameters (utm_*, fbclid, gclid...); other parameters keep their order."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed "[" of an IPv6 address: not a URL we can normalise
        return url
    if parts.scheme and parts.netloc:
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            kept = [(k, v) for k, v in pairs if not _is_tracking(k)]
            if len(kept) != len(pairs):
                query = urlencode(kept)
        return parts._replace(fragment="", query=query, scheme=parts.scheme.lower(),
                              netloc=parts.netloc.lower()).geturl()
    if url.lower().startswith("www."):  # a pasted address without its scheme: same clean-up
        cleaned = normalise_url("https://" + url)
        return cleaned.removeprefix("https://") if cleaned.startswith("https://") else url
    return url


# ---------------------------------------------------------------- parsing


def _text(el, path: str) -> str:
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
            parsed = datetime.fromisoformat(value.upper())  # Atom's RFC 3339 allows "t" and "z" in lower case
        except ValueError:
            return None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # e.g. 9999-12-31T23:00-05:00 is past datetime.max in UTC
            return None
    return parsed


def _assets(item) -> list[AssetData]:
    assets = []
    for media in item.findall("media:content", NS):
        credit = _text(media, "media:credit")
        if not credit:
            continue
        licensable = media.get(f"{{{NS['sd']}}}licensable", "false").strip().lower() == "true"
        kind = media.get("medium") or "image"
        kind = {"image": "photo"}.get(kind, kind)
        url = (media.get("url") or "").strip()[:2000]
        url = url if url.startswith(("https://", "http://")) else ""
        assets.append(AssetData(kind, credit, _text(media, "media:description"), licensable, url))
    return assets


KIND_LABELS = {"photo": "Photo", "video": "Video", "audio": "Audio", "graphic": "Graphic", "document": "Document"}
# Credits that already say what the asset is ("Photograph: AFP"): the label is the credit alone,
# so it is never "Photo: Photograph: AFP"
_KIND_WORDS = ("photo", "photograph", "picture", "image", "video", "audio", "graphic", "illustration",
               "map", "chart", "document", "footage")


def credit_name(credit: str) -> str:
    """Whom a credit names: "Photograph: AFP" -> "AFP"; "Reuters" -> "Reuters"."""
    credit = " ".join(credit.split())
    head, sep, rest = credit.partition(":")
    if sep and rest.strip() and (head.strip().lower() in _KIND_WORDS or head.strip().lower().rstrip("s") in _KIND_WORDS):
        return rest.strip()
    return credit


def asset_label(kind: str, credit: str) -> str:
    """How an asset is named everywhere (pages, licenses, RightsML): its kind and credit, once."""
    credit = " ".join(credit.split())
    head = credit.split(":", 1)[0].strip().lower() if ":" in credit else ""
    if head and (head in _KIND_WORDS or head.rstrip("s") in _KIND_WORDS):
        return credit
    return f"{KIND_LABELS.get(kind, kind.capitalize())}: {credit}"


def _word_count(item, body: str) -> int:
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


def _atom_link(entry) -> str:
    """The entry's alternate link (a link without rel is one), else its first link. (An Element with
    no children is falsy, so `find(...) or find(...)` would always skip to the first link.)"""
    links = entry.findall("atom:link", NS)
    chosen = next((el for el in links if el.get("rel", "alternate") == "alternate"), links[0] if links else None)
    return (chosen.get("href") or "").strip() if chosen is not None else ""


def _atom_content(entry) -> str:
    """An Atom entry's body as HTML: type="html" carries it escaped, type="xhtml" as one XHTML <div>
    (serialised back to markup without its namespace), type="text" (the default) as plain text."""
    content = entry.find("atom:content", NS)
    if content is None:
        return ""
    kind = (content.get("type") or "text").strip().lower()
    if kind == "xhtml":
        div = content.find("{http://www.w3.org/1999/xhtml}div")
        if div is None:
            return ""
        for element in div.iter():  # the XHTML namespace off every tag, so it serialises as plain HTML
            if isinstance(element.tag, str):
                element.tag = element.tag.rsplit("}", 1)[-1]
        inner = (div.text or "") + "".join(ElementTree.tostring(child, encoding="unicode") for child in div)
        return inner.strip()
    text = (content.text or "").strip()
    if kind == "html":
        return text
    return "".join(f"<p>{escape(block.strip())}</p>" for block in re.split(r"\n\s*\n", text) if block.strip())


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
            full_body = _text(item, "content:encoded")
            body = full_body or _text(item, "description")
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
                body_html=full_body,
            ))
    elif root.tag == f"{{{NS['atom']}}}feed":
        feed_lang = (root.get("{http://www.w3.org/XML/1998/namespace}lang") or "en")[:2].lower()
        for entry in root.iterfind("atom:entry", NS):
            link = _web_url(_atom_link(entry))
            title = _strip_html(_text(entry, "atom:title"))
            if not link or not title:
                continue
            category = entry.find("atom:category", NS)
            full_body = _atom_content(entry)
            body = full_body or _text(entry, "atom:summary")
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
                body_html=full_body,
            ))
    else:
        raise FeedError(f"not an RSS 2.0 or Atom feed (root element {root.tag!r})")
    return articles
