"""Article bodies from feeds: RSS content:encoded, Atom content (html, xhtml, text), and the media
URL that ties a body's image to its asset. Literal expectations."""
from __future__ import annotations

import pytest

from licensing.catalog.rules import parse_feed

RSS = b"""<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:media="http://search.yahoo.com/mrss/" xmlns:sd="https://syndication-desk.org/ns/1.0"><channel><item>
<title>T</title><link>https://news.test/a</link><description>Short</description>
<content:encoded><![CDATA[<p>Full <b>text</b></p><img src="https://cdn.test/p.jpg">]]></content:encoded>
<media:content url="https://cdn.test/p.jpg" medium="image" sd:licensable="true"><media:credit>AP</media:credit>
</media:content></item></channel></rss>"""


def atom(content: str) -> bytes:
    return (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>T</title><link href="https://news.test/a"/>'
            + content.encode() + b"</entry></feed>")


def test_rss_body_and_asset_url():
    (item,) = parse_feed(RSS)
    assert item.body_html == '<p>Full <b>text</b></p><img src="https://cdn.test/p.jpg">'
    assert [(a.credit, a.licensable, a.url) for a in item.assets] == [("AP", True, "https://cdn.test/p.jpg")]


def test_rss_without_full_text_has_no_body():
    (item,) = parse_feed(RSS.replace(b"content:encoded", b"content:other"))
    assert item.body_html == ""


@pytest.mark.parametrize(("content", "expected"), [
    ('<content type="html">&lt;p&gt;One &amp;amp; two&lt;/p&gt;</content>', "<p>One &amp; two</p>"),
    ('<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi <em>there</em></p></div></content>',
     "<p>Hi <em>there</em></p>"),
    ("<content>First &lt;para&gt;\n\nSecond</content>", "<p>First &lt;para&gt;</p><p>Second</p>"),
    ("<summary>Only a summary</summary>", ""),
    ('<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>One</p><p>Two</p></div></content>',
     "<p>One</p><p>Two</p>"),  # its elements, one after another
    ('<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p xmlns="">Plain</p></div></content>',
     "<p>Plain</p>"),  # an element without a namespace
    ('<content type="xhtml"><p xmlns="http://www.w3.org/1999/xhtml">No div</p></content>', ""),
    ('<content type="html"/>', ""),
])
def test_atom_bodies(content, expected):
    (entry,) = parse_feed(atom(content))
    assert entry.body_html == expected
