"""The republication package a licensee takes away once paid: the licensed article as clean HTML, as
plain text and as ninjs, with only the assets the license includes, the credit line and the link to
the original where the terms place them, the license number, and the tracking pixel.

Input is the body as stored (sanitised, each media unit marked with `data-asset`, see sanitise.py) and
plain values of the license; the output is text, so it can be cached, mailed or served as it is.
An unmarked or unknown asset is treated as not licensed: removing too much is an editor's nuisance,
keeping too much is an infringement.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from licensing.catalog.rules.markup import Element, Node, iter_elements, parse_fragment, plain_text, serialise
from licensing.catalog.rules.sanitise import ASSET_ATTRIBUTE, MEDIA_TAGS

from .ninjs import NinjsAsset, NinjsInput, ninjs_document

CREDIT_POSITIONS = ("top_and_bottom", "top", "bottom")
NOT_LICENSED_LABELS = {"img": "[image not licensed]", "video": "[video not licensed]",
                       "audio": "[audio not licensed]", "iframe": "[embed not licensed]"}
# Only the origin (scheme and host) goes with the pixel request, whatever the host page's default:
# the domain is all we count, and a page path can name a reader (a search, a login link).
PIXEL_REFERRER_POLICY = "strict-origin-when-cross-origin"


@dataclass(frozen=True)
class PackageInput:
    license_number: str
    title: str
    standfirst: str
    byline: str
    language: str
    body_html: str
    included_asset_keys: frozenset[str]
    credit_line: str
    publisher_name: str
    canonical_url: str
    pixel_url: str
    rights_url: str
    usage_terms: str
    first_created: datetime | None
    version_created: datetime
    credit_position: str = "top_and_bottom"
    renditions: Sequence[tuple[str, str, str]] = ()  # (name, href, content type), for ninjs
    included_assets: Sequence[NinjsAsset] = ()


@dataclass(frozen=True)
class Package:
    html: str
    head_html: str
    amp_pixel_html: str
    text: str
    ninjs: dict
    kept_asset_keys: tuple[str, ...]
    removed_count: int


def _not_licensed_note(unit: Element) -> Element:
    medium = unit if unit.tag in MEDIA_TAGS else next(
        (e for e in iter_elements(unit.children) if e.tag in MEDIA_TAGS), unit)
    label = NOT_LICENSED_LABELS.get(medium.tag, "[image not licensed]")
    # A figure is a block; a lone medium may sit inside a paragraph, where only inline content is valid.
    return Element("p" if unit.tag == "figure" else "span", [("class", "sd-not-licensed")], [label])


def filter_assets(nodes: list[Node], included: frozenset[str]) -> tuple[list[Node], list[str], int]:
    """The tree with each unit not in `included` replaced by a visible note; the kept keys; the count removed."""
    kept_keys: list[str] = []
    removed = 0
    out: list[Node] = []
    for node in nodes:
        marked = isinstance(node, Element) and any(k == ASSET_ATTRIBUTE for k, _ in node.attrs)
        # A medium outside any marked unit did not pass sanitise_body: unknown, so not licensed.
        if marked or (isinstance(node, Element) and node.tag in MEDIA_TAGS):
            key = node.get(ASSET_ATTRIBUTE)
            if key and key in included:
                node.drop(ASSET_ATTRIBUTE)
                kept_keys.append(key)
                out.append(node)
            else:
                removed += 1
                out.append(_not_licensed_note(node))
            continue
        if isinstance(node, Element):
            node.children, keys, count = filter_assets(node.children, included)
            kept_keys.extend(keys)
            removed += count
        out.append(node)
    return out, kept_keys, removed


def pixel_img(pixel_url: str) -> str:
    """A plain 1x1 image: it loads in a web page, an AMP page converted by its plugin, a feed reader and
    an e-mail newsletter, where no script would run."""
    return (f'<img src="{escape(pixel_url)}" width="1" height="1" alt="" '
            f'referrerpolicy="{PIXEL_REFERRER_POLICY}">')


def amp_pixel(pixel_url: str) -> str:
    return f'<amp-pixel src="{escape(pixel_url)}" layout="nodisplay"></amp-pixel>'


def origin_line(item: PackageInput, with_credit: bool) -> tuple[str, str]:
    """The closing paragraph as (html, text): the credit when placed at the bottom, the link to the
    original article and the license number."""
    credit_html = f"{escape(item.credit_line)} " if with_credit else ""
    credit_text = f"{item.credit_line} " if with_credit else ""
    html = (f'<p class="sd-origin">{credit_html}Originally published by '
            f'<a href="{escape(item.canonical_url)}">{escape(item.publisher_name)}</a>. '
            f"Republished under license {escape(item.license_number)}.</p>")
    text = (f"{credit_text}Originally published by {item.publisher_name} at {item.canonical_url}. "
            f"Republished under license {item.license_number}.")
    return html, text


def build_package(item: PackageInput) -> Package:
    if item.credit_position not in CREDIT_POSITIONS:
        raise ValueError(f"unknown credit position {item.credit_position!r}")
    body, kept, removed = filter_assets(parse_fragment(item.body_html), item.included_asset_keys)
    credit_on_top = item.credit_position in ("top_and_bottom", "top")
    closing_html, closing_text = origin_line(item, with_credit=item.credit_position == "bottom")

    html_parts = []
    text_parts = [item.title]
    if credit_on_top:
        html_parts.append(f'<p class="sd-credit">{escape(item.credit_line)}</p>')
        text_parts.append(item.credit_line)
    html_parts += [serialise(body), closing_html, pixel_img(item.pixel_url)]
    text_parts += [plain_text(body), closing_text]
    html = "\n".join(html_parts)
    text = "\n\n".join(part for part in text_parts if part)

    ninjs = ninjs_document(NinjsInput(
        uri=item.canonical_url, title=item.title, standfirst=item.standfirst, byline=item.byline,
        language=item.language, first_created=item.first_created, version_created=item.version_created,
        html=html, text=text, copyright_holder=item.publisher_name, usage_terms=item.usage_terms,
        license_number=item.license_number, rights_url=item.rights_url, renditions=item.renditions,
        assets=item.included_assets,
    ))
    head = f'<link rel="canonical" href="{escape(item.canonical_url)}">'
    return Package(html, head, amp_pixel(item.pixel_url), text, ninjs, tuple(kept), removed)
