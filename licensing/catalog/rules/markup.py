"""A small element tree of HTML that nh3 has already sanitised, so that the package can keep or remove
a figure as a whole and write plain text from the same tree.

It is only ever fed nh3's output (well-formed, allow-listed tags, no raw-text elements), so the
stdlib parser is enough; serialising escapes every text and attribute value again, so nothing the
tree holds can turn back into markup.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

VOID_TAGS = frozenset({"area", "br", "col", "hr", "img", "source", "track", "wbr"})
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section",
    "table", "tr", "ul", "video", "audio", "iframe",
})


@dataclass
class Element:
    tag: str
    attrs: list[tuple[str, str]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        return next((value for key, value in self.attrs if key == name), default)

    def set(self, name: str, value: str) -> None:
        self.attrs = [(k, v) for k, v in self.attrs if k != name] + [(name, value)]

    def drop(self, name: str) -> None:
        self.attrs = [(k, v) for k, v in self.attrs if k != name]


Node = Element | str


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, [(k, v or "") for k, v in attrs])
        self.stack[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, [(k, v or "") for k, v in attrs]))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_fragment(html: str) -> list[Node]:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root.children


def serialise(nodes: list[Node]) -> str:
    out: list[str] = []
    _write(nodes, out)
    return "".join(out)


def _write(nodes: list[Node], out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(escape(node, quote=False))
            continue
        attrs = "".join(f' {k}="{escape(v, quote=True)}"' for k, v in node.attrs)
        out.append(f"<{node.tag}{attrs}>")
        if node.tag in VOID_TAGS:
            continue
        _write(node.children, out)
        out.append(f"</{node.tag}>")


def iter_elements(nodes: list[Node]) -> Iterator[Element]:
    for node in nodes:
        if isinstance(node, Element):
            yield node
            yield from iter_elements(node.children)


def plain_text(nodes: list[Node]) -> str:
    """Paragraphs separated by a blank line, list items as "- " lines of one block, line breaks kept."""
    blocks: list[tuple[str, str]] = []  # (text, "li" or "")
    current: list[str] = []
    _text(nodes, blocks, current)
    _flush(blocks, current, "")
    out: list[str] = []
    for n, (text, kind) in enumerate(blocks):
        if n:
            out.append("\n" if kind == "li" and blocks[n - 1][1] == "li" else "\n\n")
        out.append(text)
    return "".join(out)


def _flush(blocks: list[tuple[str, str]], current: list[str], kind: str) -> None:
    text = "".join(current)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    joined = "\n".join(line for line in lines if line)
    current.clear()
    if joined == "-":  # a list item's bullet before a nested block: it belongs to that block
        current.append("- ")
    elif joined:
        blocks.append((joined, kind))


def _text(nodes: list[Node], blocks: list[tuple[str, str]], current: list[str], pre: bool = False) -> None:
    for node in nodes:
        if isinstance(node, str):
            current.append(node if pre else " ".join(node.split("\n")))  # a source line break is a space
        elif node.tag == "br":
            current.append("\n")
        elif node.tag in BLOCK_TAGS:
            _flush(blocks, current, "")
            if node.tag == "li":
                current.append("- ")
            _text(node.children, blocks, current, pre or node.tag == "pre")
            _flush(blocks, current, "li" if node.tag == "li" else "")
        else:
            _text(node.children, blocks, current, pre)
