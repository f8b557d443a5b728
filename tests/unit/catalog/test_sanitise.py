"""Sanitising an article body: XSS payloads from a feed never survive, and each medium in the body is
tied to its catalog asset (or marked as unknown, which the package never keeps)."""
from __future__ import annotations

import re

import pytest

from licensing.catalog.rules.sanitise import (
    AssetLink,
    CatalogAsset,
    clean_html,
    match_asset,
    sanitise_body,
    url_identity,
)

BASE = "https://news.test/a/b"
SANDBOX = 'sandbox="allow-scripts allow-same-origin allow-popups allow-presentation"'

XSS_CASES = [
    ('<p>Hi<script>alert(1)</script></p>', '<p>Hi</p>'),
    ('<img src="https://x.test/a.jpg" onerror="alert(1)">', '<img src="https://x.test/a.jpg" data-asset="">'),
    ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
    ('<a href="java&#x09;script:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
    ('<a href="&#106;&#97;vascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
    ('<a href="vbscript:msgbox(1)">v</a>', '<a rel="noopener noreferrer">v</a>'),
    ('<p style="background:url(javascript:alert(1))">s</p>', '<p>s</p>'),
    ('<style>@import "//evil.test/x.css";</style><p>t</p>', '<p>t</p>'),
    ('<svg onload="alert(1)"><script>alert(2)</script></svg><p>after</p>', '<p>after</p>'),
    ('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', ''),
    ('<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">', ''),
    ('<iframe src="data:text/html,<script>alert(1)</script>"></iframe>', ''),
    ('<iframe src="javascript:alert(1)"></iframe>', ''),
    ('<iframe srcdoc="<script>alert(1)</script>" src="https://www.youtube.com/embed/x"></iframe>',
     f'<iframe src="https://www.youtube.com/embed/x" {SANDBOX} data-asset=""></iframe>'),
    ('<iframe src="https://www.youtube.com/embed/x" sandbox="allow-top-navigation"></iframe>',
     f'<iframe src="https://www.youtube.com/embed/x" {SANDBOX} data-asset=""></iframe>'),
    ('<object data="https://evil.test/x.swf"></object><embed src="https://evil.test/x.swf">', ''),
    ('<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>', ''),
    ('<form action="https://evil.test"><input name="q"><button>Go</button></form>', ''),
    ('<div onmouseover="alert(1)">hover</div>', 'hover'),
    ('<body onload="alert(1)">b</body>', 'b'),
    ('<meta http-equiv="refresh" content="0;url=https://evil.test"><p>m</p>', '<p>m</p>'),
    ('<base href="https://evil.test/"><a href="x">rel</a>',
     '<a href="https://news.test/a/x" rel="noopener noreferrer">rel</a>'),
    ('<img src=x onerror=alert(1)//', ''),
    ('<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
     '<img src="https://news.test/a/x" data-asset="">"&gt;'),
    ('<a href="https://ok.test/" target="_blank" onclick="steal()">ok</a>',
     '<a href="https://ok.test/" rel="noopener noreferrer">ok</a>'),
    ('<video src="https://v.test/v.mp4" poster="javascript:alert(1)" onplay="x()"></video>',
     '<video src="https://v.test/v.mp4" data-asset=""></video>'),
    ('<img src="https://x.test/a.jpg" srcset="javascript:alert(1) 1x" style="x">',
     '<img src="https://x.test/a.jpg" data-asset="">'),
    ('<!-- <img src=x onerror=alert(1)> --><p>c</p>', '<p>c</p>'),
    ('<template><img src=x onerror=alert(1)></template>', ''),
    ('<blockquote cite="javascript:alert(1)">q</blockquote>', '<blockquote>q</blockquote>'),
    ('<img src="https://x.test/a.jpg" width="100%" height="300">',
     '<img src="https://x.test/a.jpg" height="300" data-asset="">'),
]

DANGEROUS = re.compile(r"<script|<style|<svg|<math|<object|<embed|<form|<base|<meta|\son\w+\s*=|javascript:|"
                       r"vbscript:|data:|style=|srcdoc|srcset|xlink", re.I)


@pytest.mark.parametrize(("body", "expected"), XSS_CASES)
def test_xss_payloads_never_survive(body, expected):
    assert sanitise_body(body, [], BASE).html == expected


@pytest.mark.parametrize(("body", "_"), XSS_CASES)
def test_no_dangerous_marker_in_any_output(body, _):
    assert not DANGEROUS.search(sanitise_body(body, [], BASE).html)


def test_the_dangerous_pattern_does_catch_a_payload():
    """The broken counterpart: unsanitised payloads match, so the check above can fail."""
    caught = [body for body, _ in XSS_CASES if DANGEROUS.search(body)]
    assert len(caught) >= 25


def test_relative_urls_are_dropped_without_a_base():
    assert sanitise_body('<a href="/x">x</a><img src="y.jpg">', []).html == '<a rel="noopener noreferrer">x</a>'


def test_ordinary_article_markup_is_kept():
    body = ('<h2>Sub</h2><p>A <strong>b</strong> <em>c</em> <a href="https://e.test/x" title="t">d</a></p>'
            '<blockquote><p>quote</p></blockquote><ul><li>one</li></ul>')
    assert sanitise_body(body, []).html == (
        '<h2>Sub</h2><p>A <strong>b</strong> <em>c</em> '
        '<a href="https://e.test/x" title="t" rel="noopener noreferrer">d</a></p>'
        '<blockquote><p>quote</p></blockquote><ul><li>one</li></ul>')


# Every allowed element with every allowed attribute (written out here): it comes through unchanged.
EVERYTHING_ALLOWED = (
    '<h2>H2</h2><h3>H3</h3><h4>H4</h4><h5>H5</h5><h6>H6</h6>'
    '<p>a<br>b<strong>s</strong><em>e</em><b>b</b><i>i</i><u>u</u><s>s</s><sub>1</sub><sup>2</sup><small>m</small>'
    '<mark>k</mark><q>q</q><cite>c</cite><abbr title="Middle East Eye">MEE</abbr>'
    '<time datetime="2016-10-21">21 Oct</time><code>x</code><span>y</span>'
    '<a href="https://example.com/" title="T" hreflang="en" rel="noopener noreferrer">l</a></p><hr>'
    '<blockquote>b</blockquote><pre>p</pre><ul><li>u</li></ul><ol start="3" reversed=""><li>o</li></ol>'
    '<dl><dt>t</dt><dd>d</dd></dl>'
    '<figure data-asset="7"><img src="https://cdn.example.com/a.jpg" alt="A" width="640" height="480">'
    '<figcaption>F</figcaption></figure>'
    '<iframe src="https://www.youtube.com/embed/x" width="560" height="315" title="V" allowfullscreen="" '
    f'data-asset="5" {SANDBOX}></iframe>'
    '<video src="http://cdn.example.com/v.mp4" width="640" height="360" controls="" data-asset="6">'
    '<source src="https://cdn.example.com/v.webm" type="video/webm"></video>'
    '<audio src="https://cdn.example.com/a.mp3" controls="" data-asset="9"></audio>'
    '<table><caption>C</caption><thead><tr><th colspan="2" rowspan="1" scope="col">h</th></tr></thead>'
    '<tbody><tr><td colspan="1" rowspan="2">d</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>'
)


def test_every_allowed_element_and_attribute_is_kept():
    assert clean_html(EVERYTHING_ALLOWED) == EVERYTHING_ALLOWED


# Removed with all they hold (the parser itself already drops the content of embed, frame, frameset
# and template: see tests/mutation/equivalent.toml).
@pytest.mark.parametrize("tag", ["script", "style", "svg", "math", "noscript", "object", "applet", "button",
                                 "select", "textarea", "title", "noembed", "noframes"])
def test_these_elements_go_with_their_content(tag):
    assert clean_html(f"<p>a<{tag}>secret</{tag}>b</p>") == "<p>ab</p>"


@pytest.mark.parametrize("tag", ["form", "xmp"])
def test_these_block_elements_go_with_their_content(tag):
    assert clean_html(f"<p>a<{tag}>secret</{tag}>b</p>") == "<p>a</p>b<p></p>"


@pytest.mark.parametrize(("body", "expected"), [
    ('<img src="https://x.test/a.jpg" width="12345" height="123456">', '<img src="https://x.test/a.jpg" width="12345">'),
    ('<td colspan=" 2 ">x</td>', "x"),  # a table cell outside a table is only its text
    ('<table><tr><td colspan=" 2 " rowspan="x">c</td></tr></table>',
     '<table><tbody><tr><td colspan="2">c</td></tr></tbody></table>'),
    ('<a href="mailto:ed@example.com">m</a><img src="MAILTO:ed@example.com">',
     '<a href="mailto:ed@example.com" rel="noopener noreferrer">m</a><img>'),  # mailto for links, not a medium
    ('<a href="ftp://example.com/f">f</a><a href="tel:+441234">t</a>',
     '<a rel="noopener noreferrer">f</a><a rel="noopener noreferrer">t</a>'),  # http(s) and mailto only
    ("<p>a<!-- hidden -->b</p>", "<p>ab</p>"),
    ('<ol start="3x" reversed><li>x</li></ol>', '<ol reversed=""><li>x</li></ol>'),
])
def test_attribute_values_schemes_and_comments(body, expected):
    assert clean_html(body) == expected


@pytest.mark.parametrize(("base", "expected"), [
    ("http://news.test/a/b", '<img src="http://news.test/a/c.jpg">'),
    ("https://news.test/a/b", '<img src="https://news.test/a/c.jpg">'),
    ("ftp://news.test/a/b", "<img>"),  # not the web: relative addresses are dropped (and sanitise_body then
    ("https:///a/b", "<img>"),  # drops a medium without its address); no host
    ("", "<img>"),
    ("http://[bad", "<img>"),  # not even a URL
])
def test_relative_addresses_resolve_only_against_a_web_address(base, expected):
    assert clean_html('<img src="c.jpg">', base) == expected


def test_an_unsafe_medium_goes_and_what_follows_stays():
    assert sanitise_body('<p>a</p><img src="javascript:x"><p>b</p><video controls></video><p>c</p>', []).html == (
        "<p>a</p><p>b</p><p>c</p>")


ASSETS = [CatalogAsset("11", "https://cdn.news.test/img/camp.jpg"),
          CatalogAsset("12", "https://www.youtube.com/embed/demo"),
          CatalogAsset("13", "https://cdn.news.test/img/afp.jpg")]


@pytest.mark.parametrize(("src", "hint", "expected"), [
    ("https://cdn.news.test/img/camp.jpg", "", "11"),
    ("http://CDN.NEWS.TEST/img/camp.jpg", "", "11"),           # scheme and host case do not count
    ("https://cdn.news.test:443/img/camp.jpg#top", "", "11"),  # nor a default port or a fragment
    ("https://cdn.news.test/img/camp.jpg?w=800", "", "11"),    # a resize parameter
    ("https://cdn.news.test/img/other.jpg", "", None),
    ("https://cdn.news.test/img/other.jpg", "13", "13"),        # a data-asset key wins over the src
    ("https://resizer.test/abc", "https://cdn.news.test/img/afp.jpg", "13"),  # a data-asset URL
    ("https://cdn.news.test/img/camp.jpg", "99", "11"),         # a stale key falls back to the src
    ("https://cdn.news.test./img/camp.jpg", "", "11"),          # a host's final dot does not count
    ("http://cdn.news.test:80/img/camp.jpg", "", "11"),         # nor port 80
    ("http://cdn.news.test:81/img/camp.jpg", "", None),         # another port does
    ("https://cdn.news.test/img/camp.jpg?w=1?h=2", "", "11"),    # a query holding "?" goes whole
    ("", "", None),
])
def test_match_asset(src, hint, expected):
    assert match_asset(src, hint, ASSETS) == expected


@pytest.mark.parametrize(("url", "expected"), [
    ("https://Cdn.Test:443/a.jpg?x=1#f", "//cdn.test/a.jpg?x=1"),
    ("http://cdn.test:8080/a.jpg", "//cdn.test:8080/a.jpg"),
    ("https://cdn.test", "//cdn.test/"),
    ("/relative.jpg", ""),
    ("http://[bad", ""),
])
def test_url_identity(url, expected):
    assert url_identity(url) == expected


BODY = (
    '<p>Intro</p>'
    '<figure><img src="https://cdn.news.test/img/camp.jpg?w=800" alt="Camp">'
    '<figcaption>Photo: MEE</figcaption></figure>'
    '<p>Text <img src="https://cdn.news.test/img/afp.jpg"> more</p>'
    '<figure><iframe src="https://www.youtube.com/embed/demo"></iframe></figure>'
    '<figure><img src="https://unknown.test/x.jpg"></figure>'
    '<figure><img src="https://cdn.news.test/img/camp.jpg"><img src="https://cdn.news.test/img/afp.jpg"></figure>'
)
LINKED = (
    '<p>Intro</p>'
    '<figure data-asset="11"><img src="https://cdn.news.test/img/camp.jpg?w=800" alt="Camp">'
    '<figcaption>Photo: MEE</figcaption></figure>'
    '<p>Text <img src="https://cdn.news.test/img/afp.jpg" data-asset="13"> more</p>'
    f'<figure data-asset="12"><iframe src="https://www.youtube.com/embed/demo" {SANDBOX}></iframe></figure>'
    '<figure data-asset=""><img src="https://unknown.test/x.jpg"></figure>'
    '<figure><img src="https://cdn.news.test/img/camp.jpg" data-asset="11">'
    '<img src="https://cdn.news.test/img/afp.jpg" data-asset="13"></figure>'
)


def test_each_medium_is_linked_to_its_catalog_asset():
    result = sanitise_body(BODY, ASSETS, BASE)
    assert result.html == LINKED
    assert result.links == (
        AssetLink(0, "img", "https://cdn.news.test/img/camp.jpg?w=800", "11"),
        AssetLink(1, "img", "https://cdn.news.test/img/afp.jpg", "13"),
        AssetLink(2, "iframe", "https://www.youtube.com/embed/demo", "12"),
        AssetLink(3, "img", "https://unknown.test/x.jpg", None),
        AssetLink(4, "img", "https://cdn.news.test/img/camp.jpg", "11"),
        AssetLink(5, "img", "https://cdn.news.test/img/afp.jpg", "13"),
    )


def test_sanitising_stored_html_again_changes_nothing():
    assert sanitise_body(LINKED, ASSETS, BASE).html == LINKED


def test_a_forged_mark_on_a_figure_without_media_is_dropped():
    body = '<figure data-asset="11"><figcaption>caption only</figcaption></figure>'
    assert sanitise_body(body, ASSETS).html == '<figure><figcaption>caption only</figcaption></figure>'


def test_video_source_child_gives_the_src():
    body = '<video controls><source src="https://cdn.news.test/img/camp.jpg" type="video/mp4"></video>'
    result = sanitise_body(body, ASSETS)
    assert result.html == ('<video controls="" data-asset="11">'
                           '<source src="https://cdn.news.test/img/camp.jpg" type="video/mp4"></video>')
    assert result.links == (AssetLink(0, "video", "https://cdn.news.test/img/camp.jpg", "11"),)


def test_an_audio_source_child_gives_the_src_and_a_video_without_any_goes():
    body = ('<audio controls><source src="https://cdn.news.test/img/afp.jpg"></audio>'
            '<video controls><img src="https://cdn.news.test/img/other.jpg">'
            '<source src="https://cdn.news.test/img/camp.jpg"></video>')
    result = sanitise_body(body, ASSETS)
    assert result.links == (AssetLink(0, "audio", "https://cdn.news.test/img/afp.jpg", "13"),
                            AssetLink(1, "video", "https://cdn.news.test/img/camp.jpg", "11"))


@pytest.mark.parametrize(("body", "key"), [
    ('<figure data-asset="12"><img src="https://unknown.test/x.jpg"></figure>', "12"),  # the figure's mark
    ('<figure><img src="https://unknown.test/x.jpg" data-asset="13"></figure>', "13"),  # the medium's
    ('<figure data-asset="12"><img src="https://unknown.test/x.jpg" data-asset="13"></figure>', "13"),  # it wins
])
def test_a_mark_on_the_figure_or_its_medium_names_the_asset(body, key):
    [link] = sanitise_body(body, ASSETS).links
    assert link.asset_key == key
