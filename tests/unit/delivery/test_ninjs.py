"""The package's ninjs rendition validates against the IPTC ninjs 2.1 JSON Schema (with format checks),
and broken documents fail the same validator."""
from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from licensing.delivery.rules.ninjs import NinjsAsset, NinjsInput, iso_utc, ninjs_document

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "validators" / "reference" / "ninjs" / "ninjs-schema_2.1.json"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


ITEM = NinjsInput(
    uri="https://news.test/camps", title="Camps brace", standfirst="The UN warns", byline="Tom Westcott",
    language="en", first_created=datetime(2016, 10, 20, 9, 30), version_created=datetime(2026, 12, 1, 8, 0, 5),
    html="<p>Body</p>", text="Camps brace\n\nBody", copyright_holder="Middle East Eye",
    usage_terms="Licensed to Example Daily.", license_number="LIC-2026-000042",
    rights_url="https://desk.test/verify/LIC-2026-000042.jsonld",
    renditions=[("html", "https://desk.test/package/LIC-2026-000042.html", "text/html")],
    assets=[NinjsAsset("https://cdn.news.test/camp.jpg", "photo", "Photograph: MEE", "Tents at the camp")],
)


def test_the_whole_document():
    assert ninjs_document(ITEM) == {
        "uri": "https://news.test/camps",
        "standard": {"name": "ninjs", "version": "2.1", "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json"},
        "type": "text",
        "representationtype": "full",
        "pubstatus": "usable",
        "versioncreated": "2026-12-01T08:00:05Z",
        "language": "en",
        "headlines": [{"role": "main", "value": "Camps brace"}],
        "copyrightholder": "Middle East Eye",
        "copyrightnotice": "Copyright Middle East Eye. Republished under license LIC-2026-000042.",
        "usageterms": "Licensed to Example Daily.",
        "bodies": [
            {"role": "main", "contenttype": "text/html", "value": "<p>Body</p>", "wordcount": 3},
            {"role": "main", "contenttype": "text/plain", "value": "Camps brace\n\nBody", "wordcount": 3,
             "charcount": 17},
        ],
        "altids": [{"role": "license-number", "value": "LIC-2026-000042"}],
        "rightsinfo": {"langid": "https://iptc.org/std/RightsML/odrl-profile/",
                       "linkedrights": "https://desk.test/verify/LIC-2026-000042.jsonld"},
        "firstcreated": "2016-10-20T09:30:00Z",
        "by": "Tom Westcott",
        "descriptions": [{"role": "summary", "value": "The UN warns"}],
        "renditions": [{"name": "html", "href": "https://desk.test/package/LIC-2026-000042.html",
                        "contenttype": "text/html"}],
        "associations": [{"name": "picture1", "uri": "https://cdn.news.test/camp.jpg", "type": "picture",
                          "by": "Photograph: MEE", "renditions": [{"name": "original",
                                                                  "href": "https://cdn.news.test/camp.jpg"}],
                          "descriptions": [{"role": "caption", "value": "Tents at the camp"}]}],
    }


@pytest.mark.parametrize(("kind", "ninjs_type"), [
    ("photo", "picture"), ("image", "picture"), ("graphic", "graphic"), ("video", "video"), ("audio", "audio"),
    ("document", "component"), ("chart", "component"),
])
def test_each_kind_of_asset_has_its_ninjs_type(kind, ninjs_type):
    [association] = ninjs_document(replace(ITEM, assets=[NinjsAsset("https://cdn.test/x", kind, "AP")]))[
        "associations"]
    assert (association["name"], association["type"]) == (f"{ninjs_type}1", ninjs_type)


def test_document_has_the_expected_shape():
    doc = ninjs_document(ITEM)
    assert doc["rightsinfo"] == {"langid": "https://iptc.org/std/RightsML/odrl-profile/",
                                 "linkedrights": "https://desk.test/verify/LIC-2026-000042.jsonld"}
    assert doc["versioncreated"] == "2026-12-01T08:00:05Z"
    assert doc["firstcreated"] == "2016-10-20T09:30:00Z"
    assert doc["altids"] == [{"role": "license-number", "value": "LIC-2026-000042"}]
    assert doc["bodies"][1] == {"role": "main", "contenttype": "text/plain", "value": "Camps brace\n\nBody",
                                "wordcount": 3, "charcount": 17}
    assert doc["associations"] == [{
        "name": "picture1", "uri": "https://cdn.news.test/camp.jpg", "type": "picture", "by": "Photograph: MEE",
        "renditions": [{"name": "original", "href": "https://cdn.news.test/camp.jpg"}],
        "descriptions": [{"role": "caption", "value": "Tents at the camp"}],
    }]


def test_document_validates(validator):
    assert list(validator.iter_errors(ninjs_document(ITEM))) == []


def test_minimal_document_validates(validator):
    minimal = NinjsInput(uri="https://news.test/x", title="T", standfirst="", byline="", language="en",
                         first_created=None, version_created=datetime(2026, 1, 1), html="", text="",
                         copyright_holder="P", usage_terms="", license_number="L",
                         rights_url="https://desk.test/v/L")
    doc = ninjs_document(minimal)
    assert "firstcreated" not in doc and "by" not in doc and "associations" not in doc
    assert list(validator.iter_errors(doc)) == []


def _broken(mutate: Callable[[dict], object]) -> dict:
    doc = copy.deepcopy(ninjs_document(ITEM))
    mutate(doc)
    return doc


BROKEN = {  # what breaks -> (how, a fragment of the error it must cause)
    "no uri": (lambda d: d.pop("uri"), "'uri' is a required property"),
    "uri not a URI": (lambda d: d.update(uri="not a uri at all"), "is not a 'uri'"),
    "unknown property": (lambda d: d.update(licence="LIC-1"), "'licence' was unexpected"),
    "rightsinfo with both forms": (lambda d: d["rightsinfo"].update(encodedrights="{}"), "is valid under each of"),
    "rightsinfo with neither form": (lambda d: d["rightsinfo"].pop("linkedrights"), "is not valid under any of"),
    "date without a time": (lambda d: d.update(versioncreated="2026-12-01"), "is not a 'date-time'"),
    "type not in the vocabulary": (lambda d: d.update(type="article"), "'article' is not one of"),
    "body without value": (lambda d: d["bodies"][0].pop("value"), "'value' is a required property"),
    "association without name": (lambda d: d["associations"][0].pop("name"), "'name' is a required property"),
    "wordcount as text": (lambda d: d["bodies"][0].update(wordcount="40"), "'40' is not of type 'number'"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_documents_fail(validator, name):
    mutate, expected = BROKEN[name]
    messages = [error.message for error in validator.iter_errors(_broken(mutate))]
    assert any(expected in message for message in messages), messages


@pytest.mark.parametrize(("moment", "expected"), [
    (datetime(2026, 1, 2, 3, 4, 5, 999), "2026-01-02T03:04:05Z"),
    (datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))), "2026-01-02T01:04:05Z"),
])
def test_iso_utc(moment, expected):
    assert iso_utc(moment) == expected


def test_iso_utc_is_utc_whatever_the_servers_time_zone(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert iso_utc(datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))) == "2026-01-02T01:04:05Z"
    finally:
        monkeypatch.undo()
        time.tzset()
