"""An article body as we store and hand it out: allow-listed HTML (nh3), and each picture, video or
embed in it tied to its catalog asset, so a license can keep or remove it.

The body comes from a feed or a CMS push and ends up inside someone else's page, so nothing that can
run survives: no script, style, event handler, form, SVG/MathML, plugin (object/embed), and no URL but
http(s) (mailto for links). An iframe keeps its https page but is sandboxed.

Each media unit (a <figure> holding one medium, or a lone <img>/<iframe>/<video>/<audio>) carries
`data-asset="<catalog key>"` in the stored HTML, or `data-asset=""` when no catalog asset matches:
material we know nothing about is never licensed. Sanitising stored HTML again gives the same HTML.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import nh3

from licensing.catalog.rules.markup import Element, Node, iter_elements, parse_fragment, serialise

MEDIA_TAGS = ("img", "iframe", "video", "audio")
ASSET_ATTRIBUTE = "data-asset"

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "sub", "sup",
    "small", "mark", "blockquote", "q", "cite", "abbr", "time", "code", "pre", "span", "ul", "ol",
    "li", "dl", "dt", "dd", "a", "figure", "figcaption", "img", "iframe", "video", "audio", "source",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
})
# Removed with everything inside them (nh3 keeps the text of any other unknown tag).
REMOVED_WITH_CONTENT = frozenset({
    "script", "style", "svg", "math", "template", "noscript", "object", "embed", "applet", "frame",
    "frameset", "form", "button", "select", "textarea", "title", "xmp", "noembed", "noframes",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "width", "height", ASSET_ATTRIBUTE},
    "iframe": {"src", "width", "height", "title", "allowfullscreen", ASSET_ATTRIBUTE},
    "video": {"src", "width", "height", "controls", ASSET_ATTRIBUTE},
    "audio": {"src", "controls", ASSET_ATTRIBUTE},
    "source": {"src", "type"},
    "figure": {ASSET_ATTRIBUTE},
    "abbr": {"title"},
    "time": {"datetime"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# An embed runs its own scripts in its own origin; it may never navigate the host page or open forms.
IFRAME_SANDBOX = "allow-scripts allow-same-origin allow-popups allow-presentation"
_NUMERIC = frozenset({"width", "height", "colspan", "rowspan", "start"})


@dataclass(frozen=True)
class CatalogAsset:
    """What the sanitiser needs of an ArticleAsset: its key (the asset's id, as text) and source URL."""

    key: str
    url: str


@dataclass(frozen=True)
class AssetLink:
    """One media unit of the body: the medium's tag and src, and the catalog key it matched (or None)."""

    position: int
    tag: str
    src: str
    asset_key: str | None


@dataclass(frozen=True)
class SanitisedBody:
    html: str
    links: tuple[AssetLink, ...]


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    if name in _NUMERIC:
        return value.strip() if value.strip().isdecimal() and len(value.strip()) <= 5 else None
    if name == "src" and value.strip().lower().startswith("mailto:"):
        return None
    return value


def clean_html(body_html: str, base_url: str = "") -> str:
    """nh3 with our allow-list; relative URLs resolve against the article's URL (dropped without one)."""
    cleaner = nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        url_schemes=set(URL_SCHEMES),
        url_relative=("rewrite_with_base", base_url) if _is_web_url(base_url) else "deny",
        set_tag_attribute_values={"iframe": {"sandbox": IFRAME_SANDBOX}},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaner.clean(body_html)


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def url_identity(url: str) -> str:
    """The part of a URL that names a file: host (lowercase, no default port) + path + query; the scheme
    and fragment do not count ("http:" and "https:" copies of an image are the same image)."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return ""
    if not host:
        return ""
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    return f"//{netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


def _without_query(identity: str) -> str:
    return identity.split("?", 1)[0]


def match_asset(src: str, hint: str, assets: Sequence[CatalogAsset]) -> str | None:
    """The key of the catalog asset a medium shows: by its data-asset hint (a key or an asset URL),
    else by its src (exactly, then ignoring a query string such as a resize parameter)."""
    if hint:
        by_key = next((asset.key for asset in assets if asset.key == hint), None)
        if by_key is not None:
            return by_key
        by_hint_url = _match_url(hint, assets)
        if by_hint_url is not None:
            return by_hint_url
    # A stale hint (asset rows are replaced on re-import, and their ids with them) falls back to the src.
    return _match_url(src, assets)


def _match_url(url: str, assets: Sequence[CatalogAsset]) -> str | None:
    wanted = url_identity(url)
    if not wanted:
        return None
    known = [(url_identity(asset.url), asset.key) for asset in assets]
    for compare in (lambda identity: identity, _without_query):
        for identity, key in known:
            if identity and compare(identity) == compare(wanted):
                return key
    return None


def _media_src(element: Element) -> str:
    src = element.get("src")
    if not src and element.tag in ("video", "audio"):
        source = next((e for e in iter_elements(element.children) if e.tag == "source" and e.get("src")), None)
        src = source.get("src") if source else ""
    return src


def _remove_empty_media(nodes: list[Node]) -> list[Node]:
    """A medium whose src was unsafe (and so dropped) shows nothing: remove it."""
    kept: list[Node] = []
    for node in nodes:
        if isinstance(node, Element):
            if node.tag in MEDIA_TAGS and not _media_src(node):
                continue
            node.children = _remove_empty_media(node.children)
        kept.append(node)
    return kept


def _units(nodes: list[Node]) -> list[tuple[Element, Element]]:
    """(unit, medium) pairs in document order: a figure with exactly one medium is that medium's unit."""
    pairs: list[tuple[Element, Element]] = []
    for node in nodes:
        if not isinstance(node, Element):
            continue
        if node.tag in MEDIA_TAGS:
            pairs.append((node, node))
        elif node.tag == "figure":
            media = [e for e in iter_elements(node.children) if e.tag in MEDIA_TAGS]
            if len(media) == 1:
                pairs.append((node, media[0]))
            else:
                pairs.extend(_units(node.children))
        else:
            pairs.extend(_units(node.children))
    return pairs


def sanitise_body(body_html: str, assets: Sequence[CatalogAsset], base_url: str = "") -> SanitisedBody:
    tree = _remove_empty_media(parse_fragment(clean_html(body_html, base_url)))
    units = _units(tree)
    hints = [medium.get(ASSET_ATTRIBUTE) or unit.get(ASSET_ATTRIBUTE) for unit, medium in units]
    for element in iter_elements(tree):  # only units carry the mark (not a caption-only figure)
        element.drop(ASSET_ATTRIBUTE)
    links: list[AssetLink] = []
    for position, ((unit, medium), hint) in enumerate(zip(units, hints, strict=True)):
        src = _media_src(medium)
        key = match_asset(src, hint, assets)
        unit.set(ASSET_ATTRIBUTE, key or "")
        links.append(AssetLink(position, medium.tag, src, key))
    return SanitisedBody(serialise(tree), tuple(links))
