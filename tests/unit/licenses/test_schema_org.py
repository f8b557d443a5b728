"""schema.org markup of an article page, read back by extruct as a crawler would: the article and
the publisher's own image say where to license them; the agency photo says whose it is and that
it cannot be licensed here. Broken pages (fields missing, a license offered for a third party's
photo, relative addresses, no markup) fail the same check."""
from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import date, datetime

import pytest

from licensing.licenses.rules.schema_org import (
    ArticlePage,
    Media,
    Organization,
    article_markup,
    script_tag,
)
from tests.validators import schema_org

URL = "https://www.middleeasteye.net/news/us-turkey-work-closely-deal-lasting-defeat"
FORM = "https://desk.example/republish?article=https%3A%2F%2Fwww.middleeasteye.net%2Fnews%2Fus-turkey-work-closely-deal-lasting-defeat"
AFP_PHOTO = Media("photo", "AFP", "AFP", False, "https://cdn.mee.example/erdogan-carter.jpg",
                  "Erdogan shakes hands with Ashton Carter in Ankara")
OWN_MAP = Media("graphic", "Middle East Eye", "Middle East Eye", True, "https://cdn.mee.example/mosul-map.png")
OWN_VIDEO = Media("video", "Middle East Eye", "Middle East Eye", True, "https://cdn.mee.example/mosul.mp4")
PAGE = ArticlePage(
    url=URL, headline="US, Turkey to work closely to deal IS 'lasting defeat': US defence secretary",
    description="Washington is alarmed by tensions between Turkey and Iraq in the battle to retake Mosul",
    published=datetime(2016, 10, 21, 9, 30), byline="Lin Jenkins", language="en",
    publisher=Organization("Middle East Eye", "https://www.middleeasteye.net/", "https://desk.example/static/logo.png"),
    terms_url="https://desk.example/terms", acquire_url=FORM, credit_text="Middle East Eye",
    media=(AFP_PHOTO, OWN_MAP, OWN_VIDEO),
)


def page_html(markup_tag: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Article</title>{markup_tag}</head>'
            "<body><article><h1>US, Turkey to work closely</h1></article></body></html>")


def html_of(page: ArticlePage) -> str:
    return page_html(script_tag(article_markup(page)))


def test_the_article_page_passes():
    assert schema_org.problems(html_of(PAGE), URL) == []


def test_what_a_crawler_reads():
    [article] = schema_org.json_ld(html_of(PAGE), URL)
    assert article["@type"] == "NewsArticle"
    assert article["license"] == "https://desk.example/terms"
    assert article["acquireLicensePage"] == FORM
    assert article["creditText"] == "Middle East Eye"
    assert article["copyrightHolder"] == {"@type": "Organization", "name": "Middle East Eye"}
    assert article["copyrightNotice"] == "© 2016 Middle East Eye"
    assert article["datePublished"] == "2016-10-21T09:30:00+00:00"
    afp, own_map = article["image"]
    assert afp == {
        "@type": "ImageObject", "contentUrl": "https://cdn.mee.example/erdogan-carter.jpg",
        "caption": "Erdogan shakes hands with Ashton Carter in Ankara", "creditText": "AFP",
        "copyrightHolder": {"@type": "Organization", "name": "AFP"}, "copyrightNotice": "© 2016 AFP",
        "conditionsOfAccess": "Third-party material (AFP): not licensable from Middle East Eye. Ask AFP for permission.",
    }
    assert own_map["license"] == "https://desk.example/terms" and own_map["acquireLicensePage"] == FORM
    assert [m["@type"] for m in article["associatedMedia"]] == ["VideoObject"]


MEE = {"@type": "Organization", "name": "Middle East Eye"}


def test_the_whole_markup_of_the_article_page():
    own = {"creditText": "Middle East Eye", "copyrightHolder": MEE, "copyrightNotice": "© 2016 Middle East Eye",
           "license": "https://desk.example/terms", "acquireLicensePage": FORM}
    assert article_markup(PAGE) == {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "url": URL,
        "mainEntityOfPage": URL,
        "headline": "US, Turkey to work closely to deal IS 'lasting defeat': US defence secretary",
        "inLanguage": "en",
        "publisher": {"@type": "NewsMediaOrganization", "name": "Middle East Eye",
                      "url": "https://www.middleeasteye.net/",
                      "logo": {"@type": "ImageObject", "url": "https://desk.example/static/logo.png"}},
        "license": "https://desk.example/terms",
        "acquireLicensePage": FORM,
        "creditText": "Middle East Eye",
        "copyrightHolder": MEE,
        "copyrightNotice": "© 2016 Middle East Eye",
        "description": "Washington is alarmed by tensions between Turkey and Iraq in the battle to retake Mosul",
        "author": [{"@type": "Person", "name": "Lin Jenkins"}],
        "datePublished": "2016-10-21T09:30:00+00:00",
        "copyrightYear": 2016,
        "image": [
            {"@type": "ImageObject", "contentUrl": "https://cdn.mee.example/erdogan-carter.jpg",
             "caption": "Erdogan shakes hands with Ashton Carter in Ankara", "creditText": "AFP",
             "copyrightHolder": {"@type": "Organization", "name": "AFP"}, "copyrightNotice": "© 2016 AFP",
             "conditionsOfAccess": ("Third-party material (AFP): not licensable from Middle East Eye. Ask AFP for "
                                    "permission.")},
            {"@type": "ImageObject", "contentUrl": "https://cdn.mee.example/mosul-map.png", **own},
        ],
        "associatedMedia": [{"@type": "VideoObject", "contentUrl": "https://cdn.mee.example/mosul.mp4", **own}],
    }


def test_a_publisher_without_an_address_or_logo_and_an_article_without_byline_or_description():
    markup = article_markup(replace(PAGE, publisher=Organization("Middle East Eye"), byline="", description=""))
    assert markup["publisher"] == {"@type": "NewsMediaOrganization", "name": "Middle East Eye"}
    assert "author" not in markup and "description" not in markup


def test_a_headline_is_cut_to_110_characters():
    assert article_markup(replace(PAGE, headline="h" * 111))["headline"] == "h" * 110


@pytest.mark.parametrize("kind", ["photo", "image", "graphic", "illustration", "chart", "map", "cartoon"])
def test_every_kind_of_picture_is_an_image_object(kind):
    [node] = article_markup(replace(PAGE, media=(replace(OWN_MAP, kind=kind, caption="A caption"),)))["image"]
    assert (node["@type"], node["caption"]) == ("ImageObject", "A caption")


@pytest.mark.parametrize(("kind", "node_type", "caption_key"), [
    ("video", "VideoObject", "caption"), ("audio", "MediaObject", "description"), ("document", "MediaObject",
                                                                                   "description"),
])
def test_other_media_are_associated_and_a_plain_media_object_describes_itself(kind, node_type, caption_key):
    markup = article_markup(replace(PAGE, media=(replace(OWN_VIDEO, kind=kind, caption="What it shows"),)))
    [node] = markup["associatedMedia"]
    assert (node["@type"], node[caption_key]) == (node_type, "What it shows")
    assert "image" not in markup


def test_the_script_tag_is_compact_keeps_letters_and_escapes_markup_characters():
    assert script_tag({"a": "<é> & ü", "b": [1, 2]}) == (
        '<script type="application/ld+json">{"a":"\\u003cé\\u003e \\u0026 ü","b":[1,2]}</script>')


def test_a_headline_cannot_end_the_script_element():
    hostile = replace(PAGE, headline='</script><script>alert("x")</script> & more')
    html = html_of(hostile)
    assert html.count("</script>") == 1
    [article] = schema_org.json_ld(html, URL)
    assert article["headline"] == '</script><script>alert("x")</script> & more'


def test_a_page_without_a_date_or_media_still_passes():
    plain = replace(PAGE, published=date(2016, 10, 21), media=())
    assert schema_org.problems(html_of(plain), URL) == []
    assert "image" not in article_markup(plain)
    assert article_markup(replace(PAGE, published=None))["copyrightNotice"] == "© Middle East Eye"


# ---------------------------------------------------------------- broken pages fail the same check

def _broken(change) -> list[str]:
    markup = copy.deepcopy(article_markup(PAGE))
    change(markup)
    return schema_org.problems(page_html(script_tag(markup)), URL)


def test_a_page_without_markup_fails():
    assert schema_org.problems(page_html(""), URL) == ["the page has 0 NewsArticle items, not 1"]


def test_an_article_missing_the_licensing_fields_fails():
    def change(markup: dict) -> None:
        for name in ("license", "acquireLicensePage", "creditText", "copyrightNotice"):
            del markup[name]
    assert _broken(change) == ["NewsArticle has no license", "NewsArticle has no acquireLicensePage",
                               "NewsArticle has no creditText", "NewsArticle has no copyrightNotice",
                               "image 2 (the publisher's) has no license",
                               "image 2 (the publisher's) has no acquireLicensePage"]


def test_a_relative_acquire_page_fails():
    assert _broken(lambda m: m.update({"acquireLicensePage": "/republish?article=1"})) == [
        "NewsArticle acquireLicensePage is not an absolute URL: '/republish?article=1'",
        "image 2 (the publisher's) has no acquireLicensePage"]


def test_a_license_offered_for_the_agency_photo_fails():
    def change(markup: dict) -> None:
        markup["image"][0].update({"acquireLicensePage": FORM, "license": "https://desk.example/terms"})
        del markup["image"][0]["conditionsOfAccess"]
    assert _broken(change) == ["image 1 (held by AFP) offers a license here",
                               "image 1 (held by AFP) offers a acquireLicensePage here",
                               "image 1 (held by AFP) does not say it cannot be licensed here"]


@pytest.mark.parametrize("field", ["contentUrl", "creditText", "copyrightNotice", "copyrightHolder"])
def test_an_image_missing_a_required_field_fails(field):
    problems = _broken(lambda m: m["image"][1].pop(field))
    assert f"image 2 has no {field}" in problems


def test_markup_that_is_not_json_fails():
    broken = page_html('<script type="application/ld+json">{"@type": "NewsArticle", </script>')
    with pytest.raises(json.JSONDecodeError, match="^Expecting property name enclosed in double quotes"):
        schema_org.problems(broken, URL)
