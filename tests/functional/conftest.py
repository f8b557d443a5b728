"""Helpers of the functional tests: a tiny HTML tree (stdlib only), the values a browser would
send from a form, a valid request and a request made through the service."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest

from tests.conftest import EXAMPLE_URL

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join(" ".join(parts).split())

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self):  # noqa: ANN201
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        return [n for n in self.iter()
                if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)
                and all(n.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node | None:
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def by_id(self, id_: str) -> Node:
        found = self.find(id=id_)
        assert found is not None, f"no element with id {id_!r}"
        return found


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.current = self.root

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        node = Node(tag, dict(attrs), parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):  # noqa: ANN001
        self.current.children.append(Node(tag, dict(attrs), parent=self.current))

    def handle_endtag(self, tag):  # noqa: ANN001
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):  # noqa: ANN001
        self.current.children.append(data)


def parse(html: str | bytes) -> Node:
    builder = _TreeBuilder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root


def form_values(form: Node) -> dict[str, list[str]]:
    """What a browser would send from this form (without the submit buttons)."""
    values: dict[str, list[str]] = {}
    for node in form.iter():
        name = node.attrs.get("name")
        if not name:
            continue
        if node.tag == "input":
            kind = (node.attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "reset", "image"}:
                continue
            if kind in {"checkbox", "radio"}:
                if "checked" in node.attrs:
                    values.setdefault(name, []).append(node.attrs.get("value") or "on")
                continue
            values.setdefault(name, []).append(node.attrs.get("value") or "")
        elif node.tag == "textarea":
            text = "".join(c for c in node.children if isinstance(c, str))
            # HTML drops one line break right after <textarea> (CRLF counts as one).
            values.setdefault(name, []).append(re.sub(r"^(\r\n|\n|\r)", "", text))
        elif node.tag == "select":
            options = node.find_all("option")
            chosen = [o.attrs.get("value") or "" for o in options if "selected" in o.attrs]
            if not chosen and "multiple" not in node.attrs and options:
                chosen = [options[0].attrs.get("value") or ""]
            values.setdefault(name, []).extend(chosen)
    return values


def start_date() -> str:
    return (date.today() + timedelta(days=7)).isoformat()


def valid_form(**overrides) -> dict:
    """A complete, valid request as the web form posts it (GB + FR, website, 25,000, 1 year)."""
    data = {
        "article_url": EXAMPLE_URL,
        "organisation": "Leeds Evening Post Ltd",
        "contact_name": "Jo Bloggs",
        "email": "jo@leeds-post.example",
        "country": "GB",
        "vat_id": "GB980780684",
        "billing_address": "1 Park Row",
        "billing_address_line2": "",
        "billing_city": "Leeds",
        "billing_postcode": "LS1 5HD",
        "buyer_reference": "PO-4471",
        "publication": "Leeds Evening Post",
        "publication_url": "https://leeds-post.example",
        "medium": "website",
        "audience": "25000",
        "territory_kind": "countries",
        "territory_countries": ["GB", "FR"],
        "language": "en",
        "term": "1_year",
        "start_date": start_date(),
        "notes": "We would run it on our world page.",
        "terms_accepted": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# The demo rate card priced for valid_form(): 150.00 base, x1.5 audience, x1.5 territory, x2 term.
VALID_FORM_AMOUNT = 67500


def api_body(**overrides) -> dict:
    body = {
        "article_url": EXAMPLE_URL,
        "organisation": "Leeds Evening Post Ltd",
        "contact_name": "Jo Bloggs",
        "email": "jo@leeds-post.example",
        "country": "GB",
        "publication": "Leeds Evening Post",
        "publication_url": "https://leeds-post.example",
        "medium": "website",
        "audience": 25000,
        "territory": ["GB", "FR"],
        "language": "en",
        "term": "1_year",
        "start_date": start_date(),
        "exclusive": False,
        "notes": "Through our CMS.",
    }
    body.update(overrides)
    return body


@pytest.fixture
def make_request(seeded):
    """Submit a request through the service; returns (token, reference, id)."""
    from licensing.core.db import new_session
    from licensing.intake.rules.validation import validate_request
    from licensing.intake.services import submit_request

    def make(**overrides) -> tuple[str, str, int]:
        data = valid_form(**overrides)
        data["territory"] = data.pop("territory_countries")
        with seeded.app_context(), new_session() as s:
            given, errors = validate_request(data, date.today())
            assert not errors, errors
            submitted = submit_request(s, given)
            return submitted.token, submitted.request.reference, submitted.request.id

    return make


@pytest.fixture
def desk(seeded):
    """A signed-in licensing staff member (Sam Staff) on the seeded app."""
    from tests.staff_fixtures import signed_in

    return signed_in(seeded, "sam@desk.test", "Sam Staff", ["staff"])
