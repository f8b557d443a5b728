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
    with pytest.raises(json.JSONDecodeError):
        schema_org.problems(broken, URL)
