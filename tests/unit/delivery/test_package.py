"""The republication package: only the licensed assets, a visible note where each excluded one was,
the credit line and the link to the original where the terms say, the license number, the pixel."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

import pytest

from licensing.catalog.rules.markup import parse_fragment, plain_text, serialise
from licensing.delivery.rules.ninjs import NinjsAsset
from licensing.delivery.rules.package import PackageInput, amp_pixel, build_package, pixel_img

BODY = (
    '<p>Intro &amp; more</p>'
    '<figure data-asset="11"><img src="https://cdn.news.test/camp.jpg" alt="Camp">'
    '<figcaption>Photo: MEE</figcaption></figure>'
    '<p>Text <img src="https://cdn.news.test/afp.jpg" data-asset="13"> more</p>'
    '<figure data-asset=""><img src="https://unknown.test/x.jpg"><figcaption>Photo: unknown</figcaption></figure>'
    '<figure data-asset="12"><iframe src="https://www.youtube.com/embed/demo"></iframe></figure>'
    '<ul><li>one</li><li>two</li></ul>'
)
CREDIT = "By Tom Westcott, Middle East Eye. Republished under license."
ITEM = PackageInput(
    license_number="LIC-2026-000042", title="Camps brace", standfirst="The UN warns", byline="Tom Westcott",
    language="en", body_html=BODY, included_asset_keys=frozenset({"11"}), credit_line=CREDIT,
    publisher_name="Middle East Eye", canonical_url="https://news.test/camps?a=1&b=2",
    pixel_url="https://desk.test/p/LIC-2026-000042/0123abcd.gif",
    rights_url="https://desk.test/verify/LIC-2026-000042.jsonld", usage_terms="Licensed to Example Daily.",
    first_created=datetime(2016, 10, 20, 9, 30), version_created=datetime(2026, 12, 1, 8, 0, 5, 123),
)
PIXEL = ('<img src="https://desk.test/p/LIC-2026-000042/0123abcd.gif" width="1" height="1" alt="" '
         'referrerpolicy="strict-origin-when-cross-origin">')
ORIGIN = ('<p class="sd-origin">Originally published by '
          '<a href="https://news.test/camps?a=1&amp;b=2">Middle East Eye</a>. '
          'Republished under license LIC-2026-000042.</p>')
FILTERED = (
    '<p>Intro &amp; more</p>'
    '<figure><img src="https://cdn.news.test/camp.jpg" alt="Camp"><figcaption>Photo: MEE</figcaption></figure>'
    '<p>Text <span class="sd-not-licensed">[image not licensed]</span> more</p>'
    '<p class="sd-not-licensed">[image not licensed]</p>'
    '<p class="sd-not-licensed">[embed not licensed]</p>'
    '<ul><li>one</li><li>two</li></ul>'
)


def test_html_keeps_only_included_assets_with_credit_origin_and_pixel():
    package = build_package(ITEM)
    assert package.html == "\n".join([f'<p class="sd-credit">{CREDIT}</p>', FILTERED, ORIGIN, PIXEL])
    assert package.kept_asset_keys == ("11",)
    assert package.removed_count == 3


def test_excluded_assets_leave_no_trace_of_their_source_or_caption():
    html = build_package(ITEM).html
    for gone in ("afp.jpg", "unknown.test", "youtube", "Photo: unknown"):
        assert gone not in html


def test_without_any_included_asset_every_medium_is_replaced():
    package = build_package(replace(ITEM, included_asset_keys=frozenset()))
    assert package.html.count("not licensed]") == 4
    assert "cdn.news.test" not in package.html
    assert package.kept_asset_keys == ()


def test_all_known_assets_included_still_removes_the_unknown_one():
    package = build_package(replace(ITEM, included_asset_keys=frozenset({"11", "12", "13"})))
    assert package.kept_asset_keys == ("11", "13", "12")
    assert package.removed_count == 1
    assert 'data-asset' not in package.html


def test_a_medium_without_any_mark_is_never_kept():
    body = '<p>a <img src="https://cdn.news.test/camp.jpg"></p><video src="https://v.test/v.mp4"></video>'
    package = build_package(replace(ITEM, body_html=body, included_asset_keys=frozenset({"11"})))
    assert ('<p>a <span class="sd-not-licensed">[image not licensed]</span></p>'
            '<span class="sd-not-licensed">[video not licensed]</span>') in package.html
    assert package.removed_count == 2


def test_plain_text_rendition():
    assert build_package(ITEM).text == (
        "Camps brace\n\n"
        f"{CREDIT}\n\n"
        "Intro & more\n\nPhoto: MEE\n\nText [image not licensed] more\n\n[image not licensed]\n\n"
        "[embed not licensed]\n\n- one\n- two\n\n"
        "Originally published by Middle East Eye at https://news.test/camps?a=1&b=2. "
        "Republished under license LIC-2026-000042."
    )


@pytest.mark.parametrize(("position", "top", "bottom_starts"), [
    ("top_and_bottom", True, '<p class="sd-origin">Originally published by'),
    ("top", True, '<p class="sd-origin">Originally published by'),
    ("bottom", False, f'<p class="sd-origin">{CREDIT} Originally published by'),
])
def test_credit_position_follows_the_terms(position, top, bottom_starts):
    html = build_package(replace(ITEM, credit_position=position)).html
    assert html.startswith(f'<p class="sd-credit">{CREDIT}</p>') is top
    assert bottom_starts in html
    assert html.count(CREDIT) == 1
    assert "LIC-2026-000042." in html


def test_the_plain_text_with_the_credit_at_the_bottom():
    assert build_package(replace(ITEM, credit_position="bottom")).text.endswith(
        f"\n\n{CREDIT} Originally published by Middle East Eye at https://news.test/camps?a=1&b=2. "
        "Republished under license LIC-2026-000042.")


def test_each_kind_of_medium_has_its_note():
    body = ('<p><img src="https://a.test/i.jpg"></p><video src="https://a.test/v.mp4"></video>'
            '<audio src="https://a.test/a.mp3"></audio><iframe src="https://a.test/e"></iframe>'
            '<figure data-asset="9"><figcaption>A mark without a medium</figcaption></figure>')
    package = build_package(replace(ITEM, body_html=body, included_asset_keys=frozenset()))
    assert re.findall(r'<(p|span) class="sd-not-licensed">([^<]*)<', package.html) == [
        ("span", "[image not licensed]"), ("span", "[video not licensed]"), ("span", "[audio not licensed]"),
        ("span", "[embed not licensed]"), ("p", "[image not licensed]")]


def test_the_ninjs_rendition_is_of_the_package():
    asset = NinjsAsset("https://cdn.news.test/camp.jpg", "photo", "Photo: MEE")
    package = build_package(replace(ITEM, included_assets=(asset,), renditions=(
        ("html", "https://desk.test/package/LIC-2026-000042.html", "text/html"),)))
    ninjs = package.ninjs
    assert (ninjs["uri"], ninjs["headlines"], ninjs["descriptions"], ninjs["by"], ninjs["language"]) == (
        "https://news.test/camps?a=1&b=2", [{"role": "main", "value": "Camps brace"}],
        [{"role": "summary", "value": "The UN warns"}], "Tom Westcott", "en")
    assert (ninjs["firstcreated"], ninjs["versioncreated"]) == ("2016-10-20T09:30:00Z", "2026-12-01T08:00:05Z")
    assert [body["value"] for body in ninjs["bodies"]] == [package.html, package.text]  # the package itself
    assert (ninjs["copyrightholder"], ninjs["usageterms"], ninjs["altids"], ninjs["rightsinfo"]["linkedrights"]) == (
        "Middle East Eye", "Licensed to Example Daily.", [{"role": "license-number", "value": "LIC-2026-000042"}],
        "https://desk.test/verify/LIC-2026-000042.jsonld")
    assert ninjs["renditions"] == [{"name": "html", "href": "https://desk.test/package/LIC-2026-000042.html",
                                    "contenttype": "text/html"}]
    assert [a["uri"] for a in ninjs["associations"]] == ["https://cdn.news.test/camp.jpg"]


def test_unknown_credit_position_is_refused():
    with pytest.raises(ValueError, match="^unknown credit position 'footer'$"):
        build_package(replace(ITEM, credit_position="footer"))


def test_canonical_suggestion_and_amp_pixel():
    package = build_package(ITEM)
    assert package.head_html == '<link rel="canonical" href="https://news.test/camps?a=1&amp;b=2">'
    assert package.amp_pixel_html == ('<amp-pixel src="https://desk.test/p/LIC-2026-000042/0123abcd.gif" '
                                      'layout="nodisplay"></amp-pixel>')


def test_values_are_escaped_where_they_enter_markup():
    hostile = replace(ITEM, credit_line='<script>x</script>', publisher_name='"><img src=x onerror=1>',
                      canonical_url='https://news.test/"onmouseover="x')
    html = build_package(hostile).html
    assert "<script>" not in html and "<img src=x" not in html and '"onmouseover' not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_pixel_markup_is_an_img_with_no_script():
    assert pixel_img('https://d.test/p/L/t.gif?a=1&b=2') == (
        '<img src="https://d.test/p/L/t.gif?a=1&amp;b=2" width="1" height="1" alt="" '
        'referrerpolicy="strict-origin-when-cross-origin">')
    assert amp_pixel("https://d.test/p") == '<amp-pixel src="https://d.test/p" layout="nodisplay"></amp-pixel>'


@pytest.mark.parametrize(("html", "expected"), [
    ('<p>a<br>b</p><ul><li>one</li><li>two <b>x</b></li></ul><p>c</p>', "a\nb\n\n- one\n- two x\n\nc"),
    ('<ol><li><p>para li</p></li></ol><h2>H</h2>t', "- para li\n\nH\n\nt"),
    ('<p>  spaced \n  out  </p>', "spaced out"),
    ('<pre>a\n  b</pre><p>c</p>', "a\nb\n\nc"),
    ('', ""),
])
def test_plain_text_of_markup(html, expected):
    assert plain_text(parse_fragment(html)) == expected


def test_serialise_escapes_text_and_attributes_again():
    nodes = parse_fragment('<p title="a &quot;b&quot; &lt;c&gt;">1 &lt; 2 &amp; 3</p>')
    assert serialise(nodes) == '<p title="a &quot;b&quot; &lt;c&gt;">1 &lt; 2 &amp; 3</p>'
