"""Feed parsing (RSS 2.0 and Atom), URL normalisation and search terms: pure, no database."""
from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path

import pytest

from licensing.catalog.rules import (
    STOPWORDS,
    ArticleData,
    AssetData,
    FeedError,
    _url_words,
    asset_label,
    credit_name,
    normalise_url,
    parse_feed,
    terms_of,
)

DEMO_FEED = Path(__file__).resolve().parents[3] / "licensing" / "demo" / "catalog.xml"

EXAMPLE_URL = "https://www.middleeasteye.net/news/us-turkey-work-closely-deal-lasting-defeat-us-defence-secretary"
RSS_NS = ('xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
          'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:sd="https://syndication-desk.org/ns/1.0"')


def rss(items: str, language: str = "<language>en-gb</language>") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" {RSS_NS}><channel>'
            f"<title>T</title>{language}{items}</channel></rss>").encode()


def atom(entries: str, lang: str = 'xml:lang="fr-FR"') -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            f'xmlns:media="http://search.yahoo.com/mrss/" xmlns:sd="https://syndication-desk.org/ns/1.0" {lang}>'
            f"<title>F</title>{entries}</feed>").encode()


def item(extra: str = "", title: str = "A story", link: str = "https://news.example.com/a") -> str:
    link_el = f"<link>{link}</link>" if link is not None else ""
    title_el = f"<title>{title}</title>" if title is not None else ""
    return f"<item>{title_el}{link_el}{extra}</item>"


def one(data: bytes) -> ArticleData:
    articles = parse_feed(data)
    assert len(articles) == 1, articles
    return articles[0]


# ---------------------------------------------------------------- RSS 2.0


def test_rss_item_fields():
    article = one(rss(item(
        "<description>The &lt;b&gt;standfirst&lt;/b&gt; here</description>"
        "<pubDate>Fri, 21 Oct 2016 16:12:00 +0200</pubDate>"
        "<category>News</category><category>Turkey</category>"
        "<dc:creator>MEE staff</dc:creator>"
        "<content:encoded><![CDATA[<p>One two <b>three</b> four</p><p>five</p>]]></content:encoded>",
        title="US &amp; Turkey: &lt;i&gt;talks&lt;/i&gt;",
        link="  HTTPS://News.Example.COM/World/Story-1?id=7#comments ")))
    assert article == ArticleData(
        canonical_url="https://news.example.com/World/Story-1?id=7",
        title="US & Turkey: talks",
        standfirst="The standfirst here",
        published_at=datetime(2016, 10, 21, 14, 12),
        section="News",
        byline="MEE staff",
        word_count=5,
        language="en",
        assets=[],
        body_html="<p>One two <b>three</b> four</p><p>five</p>",
    )


def test_rss_several_items_keep_their_order():
    articles = parse_feed(rss(item(title="First", link="https://a.example.com/1")
                              + item(title="Second", link="https://a.example.com/2")
                              + item(title="Third", link="https://a.example.com/3")))
    assert [(a.title, a.canonical_url) for a in articles] == [
        ("First", "https://a.example.com/1"), ("Second", "https://a.example.com/2"), ("Third", "https://a.example.com/3")]


def test_rss_author_when_no_dc_creator():
    assert one(rss(item("<author>ed@example.com (Ed Itor)</author>"))).byline == "ed@example.com (Ed Itor)"


def test_rss_guid_stands_in_for_a_missing_link():
    article = one(rss(item("<guid>https://news.example.com/by-guid</guid>", link=None)))
    assert article.canonical_url == "https://news.example.com/by-guid"


@pytest.mark.parametrize("xml", [
    item(link=None),  # no link and no guid
    item(link=""),
    item(title=None),
    item(title=""),
    item(title="   "),
    item(title="&lt;br/&gt;"),  # only markup
    item("<guid isPermaLink=\"false\">tag:news.example.com,2016:123</guid>", link=None),  # a guid, not a URL
    item(link="/news/relative-only"),
    item(link="http://[broken"),
    item(link="javascript:alert(1)"),
])
def test_rss_items_without_a_usable_link_or_title_are_skipped(xml):
    articles = parse_feed(rss(xml + item(title="Kept", link="https://news.example.com/kept")))
    assert [a.title for a in articles] == ["Kept"]


def test_rss_empty_channel():
    assert parse_feed(rss("")) == []


@pytest.mark.parametrize(("channel_language", "item_language", "expected"), [
    ("<language>en-gb</language>", "", "en"),
    ("<language>AR</language>", "", "ar"),
    ("<language>\n   tr-TR\n</language>", "", "tr"),
    ("", "", "en"),
    ("<language>en</language>", "<dc:language>fr</dc:language>", "fr"),
])
def test_rss_language(channel_language, item_language, expected):
    assert one(rss(item(item_language), channel_language)).language == expected


# ---------------------------------------------------------------- Atom


def test_atom_entry_fields():
    article = one(atom(
        "<entry><title type=\"html\">Tunisia&amp;apos;s &lt;em&gt;startups&lt;/em&gt;</title>"
        '<link rel="alternate" href="HTTPS://WWW.Example.com/Features/Tunisia#top"/>'
        "<published>2016-10-18T10:00:00+02:00</published><updated>2016-10-19T00:00:00Z</updated>"
        '<category term="Features"/><author><name>Amira Ben Salah</name></author>'
        "<summary>Founders say red tape is the hurdle</summary>"
        '<content type="html">&lt;p&gt;one two three&lt;/p&gt;</content></entry>'))
    assert article == ArticleData(
        canonical_url="https://www.example.com/Features/Tunisia",
        title="Tunisia's startups",
        standfirst="Founders say red tape is the hurdle",
        published_at=datetime(2016, 10, 18, 8, 0),
        section="Features",
        byline="Amira Ben Salah",
        word_count=3,
        language="fr",
        assets=[],
        body_html="<p>one two three</p>",
    )


def test_atom_prefers_the_alternate_link_over_self_and_edit_links():
    article = one(atom(
        '<entry><title>T</title><link rel="self" href="https://feed.example.com/entries/1"/>'
        '<link rel="edit" href="https://feed.example.com/edit/1"/>'
        '<link rel="alternate" type="text/html" href="https://news.example.com/story"/></entry>'))
    assert article.canonical_url == "https://news.example.com/story"


def test_atom_link_without_rel_is_the_alternate():
    article = one(atom(
        '<entry><title>T</title><link rel="enclosure" href="https://cdn.example.com/a.mp3"/>'
        '<link href="https://news.example.com/story"/></entry>'))
    assert article.canonical_url == "https://news.example.com/story"


def test_atom_falls_back_to_the_first_link():
    article = one(atom('<entry><title>T</title><link rel="related" href="https://news.example.com/related"/></entry>'))
    assert article.canonical_url == "https://news.example.com/related"


def test_an_atom_entry_over_plain_http_without_a_category_or_a_term():
    assert one(atom('<entry><title>T</title><link href="http://n.example.com/a"/></entry>')).canonical_url == (
        "http://n.example.com/a")
    assert one(atom('<entry><title>T</title><link href="http://n.example.com/a"/></entry>')).section == ""
    assert one(atom('<entry><title>T</title><link href="http://n.example.com/a"/><category/></entry>')).section == ""


def test_atom_updated_stands_in_for_published_and_summary_for_content():
    article = one(atom('<entry><title>T</title><link href="https://n.example.com/a"/>'
                       "<updated>2016-10-21T14:12:00Z</updated><summary>just four words here</summary></entry>"))
    assert article.published_at == datetime(2016, 10, 21, 14, 12)
    assert article.word_count == 4
    assert article.standfirst == "just four words here"


@pytest.mark.parametrize("entry", [
    '<entry><title>T</title></entry>',
    '<entry><title>T</title><link rel="alternate"/></entry>',
    '<entry><link href="https://n.example.com/a"/></entry>',
    '<entry><title></title><link href="https://n.example.com/a"/></entry>',
    '<entry><title>T</title><link href="tag:n.example.com,2016:1"/></entry>',
    '<entry><title>T</title><link href="ftp://n.example.com/a"/></entry>',  # a host, but not the web
    '<entry><title>T</title><link href="https:///a"/></entry>',  # the web, but no host
])
def test_atom_entries_without_link_or_title_are_skipped(entry):
    articles = parse_feed(atom(entry + '<entry><title>Kept</title><link href="https://n.example.com/k"/></entry>'))
    assert [a.title for a in articles] == ["Kept"]


@pytest.mark.parametrize(("lang", "expected"), [('xml:lang="ar"', "ar"), ("", "en"), ('xml:lang="EN-US"', "en")])
def test_atom_language(lang, expected):
    entry = '<entry><title>T</title><link href="https://n.example.com/a"/></entry>'
    assert one(atom(entry, lang)).language == expected


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(("value", "expected"), [
    ("Fri, 21 Oct 2016 14:12:00 +0000", datetime(2016, 10, 21, 14, 12)),
    ("Fri, 21 Oct 2016 14:12:00 GMT", datetime(2016, 10, 21, 14, 12)),
    ("Fri, 21 Oct 2016 17:12:00 +0300", datetime(2016, 10, 21, 14, 12)),
    ("Fri, 21 Oct 2016 10:12:00 EDT", datetime(2016, 10, 21, 14, 12)),
    ("Sat, 22 Oct 2016 01:12:00 +1100", datetime(2016, 10, 21, 14, 12)),
    ("Fri, 21 Oct 2016 14:12:00 -0000", datetime(2016, 10, 21, 14, 12)),
    ("2016-10-21T14:12:00Z", datetime(2016, 10, 21, 14, 12)),
    ("2016-10-21T19:42:00+05:30", datetime(2016, 10, 21, 14, 12)),
    ("2016-10-21T14:12:00", datetime(2016, 10, 21, 14, 12)),
    ("2016-10-21", datetime(2016, 10, 21)),
    ("2016-10-21t14:12:00z", datetime(2016, 10, 21, 14, 12)),  # RFC 3339 allows "t" and "z" in lower case
    ("2016-10-21T19:42:00+05:30", datetime(2016, 10, 21, 14, 12)),
    ("Sun, 01 Jan 2017 00:30:00 +0100", datetime(2016, 12, 31, 23, 30)),  # across a year end
    ("next Tuesday", None),
    ("Fri, 32 Oct 2016 14:12:00 +0000", None),
    ("9999-12-31T23:00:00-05:00", None),  # beyond the largest datetime once in UTC
    ("", None),
])
def test_dates_become_naive_utc(value, expected):
    article = one(rss(item(f"<pubDate>{value}</pubDate>")))
    assert article.published_at == expected
    if expected is not None:
        assert article.published_at.tzinfo is None


@pytest.fixture
def server_in_tokyo(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("server_in_tokyo")
@pytest.mark.parametrize("value", ["Fri, 21 Oct 2016 17:12:00 +0300", "2016-10-21T19:42:00+05:30"])
def test_dates_are_utc_whatever_the_servers_time_zone(value):
    assert one(rss(item(f"<pubDate>{value}</pubDate>"))).published_at == datetime(2016, 10, 21, 14, 12)


def test_no_date_is_none():
    assert one(rss(item())).published_at is None


# ---------------------------------------------------------------- word count


@pytest.mark.parametrize(("extra", "count"), [
    ("<sd:wordCount>812</sd:wordCount><description>three words only</description>", 812),
    ("<sd:wordCount> 812 </sd:wordCount>", 812),
    ("<sd:wordCount>0</sd:wordCount><description>three words only</description>", 0),
    ("<sd:wordCount>about 800</sd:wordCount><description>three words only</description>", 3),
    ("<sd:wordCount>-5</sd:wordCount><description>three words only</description>", 3),
    ("<sd:wordCount>\u00b2</sd:wordCount><description>three words only</description>", 3),
    ("<description>&lt;p&gt;counted&lt;/p&gt;&lt;p&gt;from the description&lt;/p&gt;</description>", 4),
    ("<description>ignored here</description>"
     "<content:encoded><![CDATA[<p>body&nbsp;wins <br/>over the description</p>]]></content:encoded>", 5),
    ("", 0),
])
def test_word_count_declared_or_counted(extra, count):
    assert one(rss(item(extra))).word_count == count


# ---------------------------------------------------------------- assets


def test_assets_with_credit_and_licensable_flag():
    article = one(rss(item(
        '<media:content url="https://cdn.example.com/a.jpg" medium="image" sd:licensable="false">'
        "<media:credit>Photograph: AFP</media:credit>"
        "<media:description>Erdogan and Carter in Ankara</media:description></media:content>"
        '<media:content url="https://cdn.example.com/b.jpg" sd:licensable=" TRUE ">'
        "<media:credit>Photograph: Our staff</media:credit></media:content>"
        '<media:content url="https://cdn.example.com/c.mp4" medium="video" sd:licensable="true">'
        "<media:credit>Video: Our staff</media:credit></media:content>"
        '<media:content url="https://cdn.example.com/d.jpg" medium="image">'
        "<media:credit>Photograph: Reuters</media:credit></media:content>"
        '<media:content url="https://cdn.example.com/uncredited.jpg" medium="image" sd:licensable="true"/>'
        '<media:content url="https://cdn.example.com/blank.jpg" sd:licensable="true">'
        "<media:credit>  </media:credit></media:content>"
        '<media:content url="https://cdn.example.com/e.jpg" sd:licensable="yes">'
        "<media:credit>Photograph: Getty</media:credit></media:content>")))
    assert article.assets == [
        AssetData("photo", "Photograph: AFP", "Erdogan and Carter in Ankara", False, "https://cdn.example.com/a.jpg"),
        AssetData("photo", "Photograph: Our staff", "", True, "https://cdn.example.com/b.jpg"),
        AssetData("video", "Video: Our staff", "", True, "https://cdn.example.com/c.mp4"),
        AssetData("photo", "Photograph: Reuters", "", False, "https://cdn.example.com/d.jpg"),
        AssetData("photo", "Photograph: Getty", "", False, "https://cdn.example.com/e.jpg"),
    ]


def test_an_asset_address_is_kept_up_to_2000_characters_and_plain_http_too():
    long = "https://cdn.example.com/" + "a" * 2000
    article = one(rss(item(
        f'<media:content url="{long}" medium="image"><media:credit>AFP</media:credit></media:content>'
        '<media:content url="http://cdn.example.com/b.jpg" medium="image"><media:credit>AFP</media:credit>'
        "</media:content>")))
    assert [a.url for a in article.assets] == [long[:2000], "http://cdn.example.com/b.jpg"]


def test_an_asset_address_that_is_not_http_is_left_out():
    article = one(rss(item(
        '<media:content url="javascript:alert(1)" medium="image"><media:credit>Photograph: AFP</media:credit>'
        '</media:content><media:content url=" /relative.jpg " medium="image"><media:credit>AFP</media:credit>'
        "</media:content>")))
    assert [a.url for a in article.assets] == ["", ""]


@pytest.mark.parametrize(("kind", "credit", "label", "name"), [
    ("photo", "Photograph: AFP", "Photograph: AFP", "AFP"),  # the credit says what it is: said once
    ("photo", "AFP", "Photo: AFP", "AFP"),
    ("video", "Video: Reuters", "Video: Reuters", "Reuters"),
    ("video", "Reuters", "Video: Reuters", "Reuters"),
    ("graphic", "Graphics: Middle East Eye", "Graphics: Middle East Eye", "Middle East Eye"),
    ("photo", "Photo:  Tom  Westcott/MEE", "Photo: Tom Westcott/MEE", "Tom Westcott/MEE"),
    ("photo", "Source: UN", "Photo: Source: UN", "Source: UN"),  # "Source" does not name a kind
    ("audio", "BBC", "Audio: BBC", "BBC"),
    ("map", "OpenStreetMap", "Map: OpenStreetMap", "OpenStreetMap"),
    ("photo", "Photo: AFP: Paris", "Photo: AFP: Paris", "AFP: Paris"),  # the first colon ends the kind
    ("graphic", "Illustration", "Graphic: Illustration", "Illustration"),  # no colon: a name, not a kind
    ("document", "UN", "Document: UN", "UN"),
    ("podcast", "BBC", "Podcast: BBC", "BBC"),  # a kind without a label of its own
])
def test_asset_labels_and_credit_names(kind, credit, label, name):
    assert asset_label(kind, credit) == label
    assert credit_name(credit) == name


# The words that say what an asset is, before a credit's colon (written out here).
KIND_WORDS = ("photo", "photograph", "picture", "image", "video", "audio", "graphic", "illustration", "map", "chart",
              "document", "footage")


@pytest.mark.parametrize("word", KIND_WORDS)
def test_a_credit_that_names_its_kind_is_said_once(word):
    for head in (word, word.capitalize() + "s"):
        assert asset_label("photo", f"{head}: Reuters") == f"{head}: Reuters"
        assert credit_name(f"{head}: Reuters") == "Reuters"


@pytest.mark.parametrize(("kind", "label"), [
    ("photo", "Photo: AFP"), ("video", "Video: AFP"), ("audio", "Audio: AFP"), ("graphic", "Graphic: AFP"),
    ("document", "Document: AFP"),
])
def test_each_kind_has_its_label(kind, label):
    assert asset_label(kind, "AFP") == label


def test_atom_entries_have_assets_too():
    article = one(atom(
        '<entry><title>T</title><link href="https://n.example.com/a"/>'
        '<media:content url="https://cdn.example.com/a.jpg" medium="image" sd:licensable="true">'
        "<media:credit>Photograph: Ours</media:credit></media:content></entry>"))
    assert article.assets == [AssetData("photo", "Photograph: Ours", "", True, "https://cdn.example.com/a.jpg")]


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize("data", [
    b"",
    b"   ",
    b"not xml at all",
    b"<rss><channel><item><title>unclosed</channel></rss>",
    b"<rss><channel>",
    b"\xff\xfe<rss/>",
    b'<?xml version="1.0" encoding="utf-8"?><rss>&undefined;</rss>',
])
def test_malformed_xml_is_a_feed_error(data):
    with pytest.raises(FeedError, match="^not a readable XML feed: "):
        parse_feed(data)


def test_billion_laughs_is_refused():
    data = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><item><title>&lol9;</title><link>https://n.example.com/a</link></item></channel></rss>"""
    # defusedxml's EntitiesForbidden, not a parse error
    with pytest.raises(FeedError, match="^not a readable XML feed: EntitiesForbidden"):
        parse_feed(data)


def test_a_single_internal_entity_is_refused_as_well():
    data = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x "hello">]>'
            b"<rss><channel><item><title>&x;</title><link>https://n.example.com/a</link></item></channel></rss>")
    with pytest.raises(FeedError, match="^not a readable XML feed: EntitiesForbidden"):
        parse_feed(data)


@pytest.mark.parametrize("entity", [
    b'<!ENTITY xxe SYSTEM "file:///etc/passwd">',
    b'<!ENTITY xxe SYSTEM "http://127.0.0.1:9/secret">',
    b'<!ENTITY % xxe SYSTEM "http://127.0.0.1:9/evil.dtd"> %xxe;',
])
def test_external_entities_are_refused(entity):
    data = (b'<?xml version="1.0"?><!DOCTYPE rss [' + entity + b"]>"
            b"<rss><channel><item><title>&xxe;</title><link>https://n.example.com/a</link></item></channel></rss>")
    with pytest.raises(FeedError, match="^not a readable XML feed: ") as caught:
        parse_feed(data)
    assert "root:" not in str(caught.value)  # nothing of /etc/passwd leaks into the message


@pytest.mark.parametrize(("data", "tag"), [
    (b"<html><body>Not a feed</body></html>", "html"),
    (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
     "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"),
    (b"<feed><entry/></feed>", "feed"),  # Atom without its namespace
    (b'<rss:rss xmlns:rss="http://example.com/rss"/>', "{http://example.com/rss}rss"),
])
def test_non_feed_roots_are_refused(data, tag):
    with pytest.raises(FeedError, match=f"^{re.escape(f'not an RSS 2.0 or Atom feed (root element {tag!r})')}$"):
        parse_feed(data)


def test_feed_error_is_a_value_error():
    assert issubclass(FeedError, ValueError)


# ---------------------------------------------------------------- the demo feed


def test_demo_feed_parses_to_ten_articles():
    articles = parse_feed(DEMO_FEED.read_bytes())
    assert len(articles) == 10
    assert len({a.canonical_url for a in articles}) == 10
    assert all(a.canonical_url.startswith("https://www.middleeasteye.net/") for a in articles)
    assert all(a.title and a.standfirst and a.published_at and a.word_count > 0 for a in articles)
    assert {a.language for a in articles} == {"en"}


def test_demo_feed_has_the_domain_example_with_its_afp_photo_excluded():
    example = next(a for a in parse_feed(DEMO_FEED.read_bytes()) if a.canonical_url == EXAMPLE_URL)
    assert example.title == "US, Turkey to work closely to deal IS 'lasting defeat': US defence secretary"
    assert example.standfirst == ("Washington is alarmed by tensions between Turkey and Iraq in the battle to "
                                  "retake Iraq's second city Mosul")
    assert example.published_at == datetime(2016, 10, 21, 14, 12)
    assert 700 <= example.word_count <= 900
    assert example.section == "News"
    assert example.assets == [AssetData(
        "photo", "Photograph: AFP",
        "Turkish President Recep Tayyip Erdogan shakes hands with US Defence Secretary Ashton Carter in Ankara",
        False, "https://www.middleeasteye.net/sites/default/files/erdogan-carter-ankara.jpg")]
    assert example.body_html.startswith("<p><em>Demo text written for Syndication Desk")


def test_demo_feed_has_licensable_and_third_party_media():
    assets = [asset for a in parse_feed(DEMO_FEED.read_bytes()) for asset in a.assets]
    assert any(a.licensable for a in assets)
    assert {a.credit for a in assets if not a.licensable} >= {"Photograph: AFP", "Video: Reuters"}
    assert {a.kind for a in assets} == {"photo", "video"}


# ---------------------------------------------------------------- normalise_url and terms_of


@pytest.mark.parametrize(("url", "expected"), [
    ("https://www.example.com/a", "https://www.example.com/a"),
    ("  HTTPS://WWW.Example.COM/News/Story?ID=7#comments  ", "https://www.example.com/News/Story?ID=7"),
    ("http://Example.com:8080/A/", "http://example.com:8080/A/"),
    ("https://example.com/a#", "https://example.com/a"),
    ("/relative/path", "/relative/path"),
    ("www.example.com/a", "www.example.com/a"),
    ("  not a url ", "not a url"),
    ("http://[broken", "http://[broken"),
    ("", ""),
    # tracking parameters of a shared link go; the article's own parameters stay, in their order
    ("https://example.com/a?utm_source=twitter&utm_medium=social", "https://example.com/a"),
    ("https://example.com/a?id=7&fbclid=IwAR0x&page=2#top", "https://example.com/a?id=7&page=2"),
    ("https://example.com/a?gclid=abc&UTM_Campaign=x", "https://example.com/a"),
    ("www.example.com/a?utm_source=t#c", "www.example.com/a"),
    ("https://example.com/a?utmost=1", "https://example.com/a?utmost=1"),
])
def test_normalise_url(url, expected):
    assert normalise_url(url) == expected


@pytest.mark.parametrize(("url", "expected"), [
    ("MAILTO:Ed@Example.com#x", "MAILTO:Ed@Example.com#x"),  # a scheme but no host: not a web address, kept
    ("//Example.COM/a#x", "//Example.COM/a#x"),  # a host but no scheme: kept
    ("https://example.com/a?x=&utm_source=t", "https://example.com/a?x="),  # an empty parameter stays
])
def test_normalise_url_cleans_only_whole_web_addresses(url, expected):
    assert normalise_url(url) == expected


# Parameters that say where a link was shared (written out here): each is dropped.
TRACKING = ("fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga")


@pytest.mark.parametrize("name", TRACKING)
def test_each_tracking_parameter_is_dropped(name):
    assert normalise_url(f"https://example.com/a?id=7&{name}=x") == "https://example.com/a?id=7"
    assert normalise_url(f"https://example.com/a?{name.upper()}=x") == "https://example.com/a"


def test_the_words_of_an_address():
    assert _url_words("https://www.middleeasteye.net/news/us-turkey_deal?id=7#top") == (
        "www.middleeasteye.net /news/us turkey deal")


def test_normalise_url_is_idempotent():
    once = normalise_url("HTTPS://Example.COM/Path?q=1#x")
    assert normalise_url(once) == once == "https://example.com/Path?q=1"


@pytest.mark.parametrize(("texts", "expected"), [
    (("The US and Turkey",), {"us", "turkey"}),
    (("US, Turkey to work closely to deal IS 'lasting defeat'",),
     {"us", "turkey", "work", "closely", "deal", "lasting", "defeat"}),
    (("Mosul", "www.middleeasteye.net news mosul-offensive"),
     {"mosul", "middleeasteye", "net", "news", "offensive"}),
    (("Gaza's DESALINATION plant",), {"gaza", "s", "desalination", "plant"}),
    (("Zeynep Çelik İstanbul",), {"zeynep", "celik", "istanbul"}),
    (("Erdoğan in ANKARA",), {"erdogan", "ankara"}),
    (("ﬁnance Ｍosul",), {"finance", "mosul"}),
    (("الموصل",), {"الموصل"}),
    (("a an and are as at be by for from has have in is it its of on or that the to was were with",), set()),
    (("http https www com html",), set()),
    (("", "   "), set()),
    ((), set()),
])
def test_terms_of(texts, expected):
    assert terms_of(*texts) == expected


def test_query_and_title_fold_alike():
    assert terms_of("Erdogan Istanbul") == terms_of("ERDOĞAN İstanbul") == {"erdogan", "istanbul"}


def test_terms_are_cut_to_64_characters():
    assert terms_of("x" * 100) == {"x" * 64}


def test_stopwords_are_lowercase_words():
    assert all(word == word.lower() and word.isalpha() for word in STOPWORDS)
    assert {"the", "and", "of"} <= STOPWORDS
