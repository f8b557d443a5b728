"""What a search engine reads from an article page: its schema.org JSON-LD, extracted by extruct
(the library crawlers such as Scrapy use), checked against Google's "Licensable" requirements.

- the page has a NewsArticle with `license`, `acquireLicensePage`, `creditText`, `copyrightHolder`
  and `copyrightNotice`, the two addresses absolute;
- each ImageObject has `contentUrl`, `creditText`, `copyrightNotice` and `copyrightHolder`;
- an image of the publisher's has `license` and `acquireLicensePage` (the page's own), and an image
  held by someone else has neither and says it cannot be licensed here (`conditionsOfAccess`).

`problems(html, url)` returns every failure as a sentence; [] when the page passes.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import extruct

ARTICLE_FIELDS = ("license", "acquireLicensePage", "creditText", "copyrightHolder", "copyrightNotice")
IMAGE_FIELDS = ("contentUrl", "creditText", "copyrightNotice", "copyrightHolder")


def json_ld(html: str, url: str) -> list[dict]:
    return extruct.extract(html, base_url=url, syntaxes=["json-ld"], uniform=True)["json-ld"]


def _absolute(value: object) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme in ("http", "https") and parts.netloc)


def _holder(node: dict) -> str:
    holder = node.get("copyrightHolder")
    return holder.get("name", "") if isinstance(holder, dict) else str(holder or "")


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value] if value else []


def problems(html: str, url: str) -> list[str]:
    articles = [n for n in json_ld(html, url) if n.get("@type") == "NewsArticle"]
    if len(articles) != 1:
        return [f"the page has {len(articles)} NewsArticle items, not 1"]
    article = articles[0]
    found = [f"NewsArticle has no {name}" for name in ARTICLE_FIELDS if not article.get(name)]
    found += [f"NewsArticle {name} is not an absolute URL: {article.get(name)!r}"
              for name in ("license", "acquireLicensePage") if article.get(name) and not _absolute(article[name])]
    publisher = _holder(article)
    for n, image in enumerate(_as_list(article.get("image")), start=1):
        if not isinstance(image, dict) or image.get("@type") != "ImageObject":
            found.append(f"image {n} is not an ImageObject")
            continue
        found += [f"image {n} has no {name}" for name in IMAGE_FIELDS if not image.get(name)]
        if image.get("contentUrl") and not _absolute(image["contentUrl"]):
            found.append(f"image {n} contentUrl is not an absolute URL")
        if _holder(image) == publisher:
            found += [f"image {n} (the publisher's) has no {name}" for name in ("license", "acquireLicensePage")
                      if image.get(name) != article.get(name)]
        else:
            found += [f"image {n} (held by {_holder(image)}) offers a {name} here"
                      for name in ("license", "acquireLicensePage") if image.get(name)]
            if "not licensable" not in str(image.get("conditionsOfAccess", "")):
                found.append(f"image {n} (held by {_holder(image)}) does not say it cannot be licensed here")
    return found
