"""schema.org markup of an article page (pure): tells search engines the article and its own photos
can be licensed, under which terms and where, and that third-party material cannot be licensed here.

Google shows a "Licensable" badge on an image whose ImageObject has `contentUrl` and a `license`
and/or `acquireLicensePage`; `creditText`, `copyrightNotice` and `creator` or `copyrightHolder`
complete it. An agency photo gets no license link at all: it says whose it is (`copyrightHolder`,
`creditText`, `copyrightNotice`) and, in `conditionsOfAccess`, that this publisher cannot license it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

IMAGE_KINDS = frozenset({"photo", "image", "graphic", "illustration", "chart", "map", "cartoon"})


@dataclass(frozen=True)
class Organization:
    name: str
    url: str = ""
    logo_url: str = ""


@dataclass(frozen=True)
class Media:
    """A photo, video or graphic of the article, as the catalog knows it."""

    kind: str  # "photo", "video", "graphic", ...
    credit: str  # who to credit, e.g. "AFP" or "Middle East Eye"
    owner: str  # the copyright holder's name
    licensable: bool  # the publisher's own, licensable with the article
    content_url: str = ""  # the file's absolute address (Google requires it for a licensable image)
    caption: str = ""


@dataclass(frozen=True)
class ArticlePage:
    url: str  # canonical
    headline: str
    description: str
    published: date | datetime | None
    byline: str
    language: str  # BCP 47
    publisher: Organization
    terms_url: str  # the current standard terms (absolute)
    acquire_url: str  # the request form pre-filled with this article (absolute)
    credit_text: str  # e.g. "Middle East Eye"
    media: tuple[Media, ...] = ()


def _year(when: date | datetime | None) -> int | None:
    return when.year if when is not None else None


def _iso(when: date | datetime) -> str:
    """The catalog keeps naive datetimes in UTC; say so, or a reader takes them as local time."""
    if isinstance(when, datetime) and when.tzinfo is None:
        return when.isoformat() + "+00:00"
    return when.isoformat()


def copyright_notice(owner: str, year: int | None) -> str:
    return f"© {year} {owner}" if year else f"© {owner}"


def _media_node(item: Media, page: ArticlePage) -> dict[str, Any]:
    kind = "ImageObject" if item.kind in IMAGE_KINDS else ("VideoObject" if item.kind == "video" else "MediaObject")
    node: dict[str, Any] = {"@type": kind}
    if item.content_url:
        node["contentUrl"] = item.content_url
    if item.caption:
        node["caption" if kind != "MediaObject" else "description"] = item.caption
    node["creditText"] = item.credit
    node["copyrightHolder"] = {"@type": "Organization", "name": item.owner}
    node["copyrightNotice"] = copyright_notice(item.owner, _year(page.published))
    if item.licensable:
        node["license"] = page.terms_url
        node["acquireLicensePage"] = page.acquire_url
    else:
        node["conditionsOfAccess"] = (f"Third-party material ({item.owner}): not licensable from "
                                      f"{page.publisher.name}. Ask {item.owner} for permission.")
    return node


def article_markup(page: ArticlePage) -> dict[str, Any]:
    """The NewsArticle JSON-LD of an article page."""
    publisher: dict[str, Any] = {"@type": "NewsMediaOrganization", "name": page.publisher.name}
    if page.publisher.url:
        publisher["url"] = page.publisher.url
    if page.publisher.logo_url:
        publisher["logo"] = {"@type": "ImageObject", "url": page.publisher.logo_url}
    markup: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "url": page.url,
        "mainEntityOfPage": page.url,
        "headline": page.headline[:110],  # Google truncates longer headlines
        "inLanguage": page.language,
        "publisher": publisher,
        "license": page.terms_url,
        "acquireLicensePage": page.acquire_url,
        "creditText": page.credit_text,
        "copyrightHolder": {"@type": "Organization", "name": page.publisher.name},
        "copyrightNotice": copyright_notice(page.publisher.name, _year(page.published)),
    }
    if page.description:
        markup["description"] = page.description
    if page.byline:
        markup["author"] = [{"@type": "Person", "name": page.byline}]
    if page.published is not None:
        markup["datePublished"] = _iso(page.published)
        markup["copyrightYear"] = page.published.year
    nodes = [_media_node(item, page) for item in page.media]
    images = [n for n in nodes if n["@type"] == "ImageObject"]
    others = [n for n in nodes if n["@type"] != "ImageObject"]
    if images:
        markup["image"] = images
    if others:
        markup["associatedMedia"] = others
    return markup


def script_tag(markup: dict[str, Any]) -> str:
    """`<script type="application/ld+json">` for a page: "<", ">" and "&" escaped, so a headline
    holding "</script>" cannot end the element (safe to output unescaped in a template)."""
    text = json.dumps(markup, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'
