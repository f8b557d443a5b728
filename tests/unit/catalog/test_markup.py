"""The small element tree of sanitised HTML (licensing/catalog/rules/markup.py): parsed and written
back unchanged, and read as plain text block by block; literal HTML and text."""
from __future__ import annotations

import pytest

from licensing.catalog.rules.markup import Element, iter_elements, parse_fragment, plain_text, serialise

# Elements without content or end tag (written out here).
VOID = ("area", "br", "col", "hr", "img", "source", "track", "wbr")
# Elements that start a block of plain text of their own (and li, a block with its bullet: below).
BLOCKS = ("address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure", "footer",
          "h1", "h2", "h3", "h4", "h5", "h6", "header", "ol", "p", "pre", "section", "table", "tr", "ul", "video",
          "audio", "iframe")


@pytest.mark.parametrize("tag", VOID)
def test_a_void_element_holds_nothing(tag):
    [paragraph] = parse_fragment(f"<p>a<{tag}>b</p>")
    assert paragraph.children == ["a", Element(tag), "b"]
    assert serialise([paragraph]) == f"<p>a<{tag}>b</p>"


@pytest.mark.parametrize("tag", BLOCKS)
def test_a_block_is_a_paragraph_of_the_text(tag):
    assert plain_text(parse_fragment(f"a<{tag}>b</{tag}>c")) == "a\n\nb\n\nc"


@pytest.mark.parametrize("tag", ["span", "em", "strong", "a", "td", "th", "small"])
def test_an_inline_element_is_part_of_its_line(tag):
    assert plain_text(parse_fragment(f"a<{tag}>b</{tag}>c")) == "abc"


def test_hr_is_a_block_of_its_own():
    assert plain_text(parse_fragment("a<hr>b")) == "a\n\nb"


def test_self_closing_tags_and_attributes_without_a_value():
    nodes = parse_fragment('<p>a<br/>b<img src="x.jpg" alt/></p><video controls></video>')
    assert nodes == [Element("p", [], ["a", Element("br"), "b", Element("img", [("src", "x.jpg"), ("alt", "")])]),
                     Element("video", [("controls", "")])]
    assert serialise(nodes) == '<p>a<br>b<img src="x.jpg" alt=""></p><video controls=""></video>'
    assert serialise(parse_fragment("<div><p>a<br/>b</p></div>")) == "<div><p>a<br>b</p></div>"  # the innermost


def test_an_end_tag_closes_what_is_still_open_inside_it():
    assert serialise(parse_fragment("<div><p>x</div>y")) == "<div><p>x</p></div>y"
    assert serialise(parse_fragment("<p>stray</b> end</p>")) == "<p>stray end</p>"


def test_text_and_values_are_escaped_again():
    nodes = parse_fragment('<a title="&quot;q&quot; &amp; &lt;">1 &lt; 2 &amp; "3"</a>')
    assert nodes[0].get("title") == '"q" & <'
    assert serialise(nodes) == '<a title="&quot;q&quot; &amp; &lt;">1 &lt; 2 &amp; "3"</a>'


def test_get_set_and_drop_an_attribute():
    element = Element("img", [("src", "a.jpg")])
    assert (element.get("src"), element.get("alt"), element.get("alt", "none")) == ("a.jpg", "", "none")
    element.set("alt", "A")
    element.set("src", "b.jpg")
    assert element.attrs == [("alt", "A"), ("src", "b.jpg")]
    element.drop("alt")
    assert element.attrs == [("src", "b.jpg")]


@pytest.mark.parametrize(("html", "text"), [
    ("<p>One\ntwo</p><p>Three</p>", "One two\n\nThree"),  # a source line break is a space
    ("<p>One<br>two</p>", "One\ntwo"),
    ("<pre>a\n  b</pre><p>c\nd</p>", "a\nb\n\nc d"),  # a line break inside pre is kept
    ("<pre><code>x\ny</code></pre>", "x\ny"),
    ("<ul><li>one</li><li>two</li></ul><p>after</p>", "- one\n- two\n\nafter"),
    ("<ul><li><p>nested</p></li></ul>", "- nested"),  # the bullet goes with the block inside it
    ("lead <div>in <p>deep</p> out</div> tail", "lead\n\nin\n\ndeep\n\nout\n\ntail"),
    ("<p>  spaced   out  </p>", "spaced out"),
    ("<table><tr><td><p>x</p><p>y</p></td><td>z</td></tr></table>", "x\n\ny\n\nz"),  # blocks in an inline
])
def test_plain_text(html, text):
    assert plain_text(parse_fragment(html)) == text


def test_iter_elements_walks_the_tree_in_document_order():
    nodes = parse_fragment('<p>a<b>b<i>c</i></b></p>text<hr><ul><li>x</li></ul>')
    assert [element.tag for element in iter_elements(nodes)] == ["p", "b", "i", "hr", "ul", "li"]
