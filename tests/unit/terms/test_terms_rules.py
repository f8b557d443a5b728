"""The standard terms' rules: each term's meaning in a line, the last day of a first publication,
"licence" or "license" by the seller's English, and the demo terms document with its placeholders."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from licensing.terms.rules import (
    PLACEHOLDERS,
    fill,
    licence_word,
    placeholders,
    publish_by,
    respell,
    term_meaning,
    to_html,
    wording,
)

DEMO_TERMS = Path(__file__).resolve().parents[3] / "licensing" / "terms" / "demo_terms.md"
SETTINGS = {"version": "1", "published_on": "4 December 2026", "licensor": "Middle East Eye",
            "governing_law": "England and Wales", "courts": "England and Wales",
            "contact_email": "syndication@middleeasteye.example"}


@pytest.mark.parametrize(("term", "meaning"), [
    ("one_off", ("One publication (one web page, one print edition, one newsletter issue, one broadcast), made "
                "within 30 days of the start date; a web page may stay in the licensee's archive at its original "
                "address afterwards, unchanged.")),
    ("30_days", "The article may be displayed or re-run for 30 days from the start, then removed."),
    ("1_year", ("As 30 days, for a year: the article may be displayed or re-run for one year from the start, "
               "then removed.")),
    ("perpetual", "Published within 30 days of the start date, then kept without end date at its address."),
])
def test_term_meaning(term, meaning):
    assert term_meaning(term) == meaning


def test_an_unknown_term_has_no_meaning():
    with pytest.raises(ValueError, match="^unknown term 'forever'$"):
        term_meaning("forever")
    with pytest.raises(ValueError, match="^unknown term 'forever'$"):
        publish_by("forever", date(2026, 1, 1))


@pytest.mark.parametrize(("term", "start", "last_day"), [
    ("one_off", date(2026, 12, 11), date(2027, 1, 9)),
    ("perpetual", date(2026, 12, 11), date(2027, 1, 9)),
    ("one_off", date(2028, 2, 1), date(2028, 3, 1)),  # leap year: 29 February counts
    ("one_off", date(2027, 2, 1), date(2027, 3, 2)),
    ("30_days", date(2026, 12, 11), None),
    ("1_year", date(2026, 12, 11), None),
])
def test_publish_by(term, start, last_day):
    assert publish_by(term, start) == last_day


@pytest.mark.parametrize(("english", "plural", "capital", "word"), [
    ("en-GB", False, False, "licence"),
    ("en-GB", True, False, "licences"),
    ("en-GB", False, True, "Licence"),
    ("en-GB", True, True, "Licences"),
    ("en-US", False, False, "license"),
    ("en-US", True, False, "licenses"),
    ("en-US", False, True, "License"),
    ("en-US", True, True, "Licenses"),
])
def test_licence_word(english, plural, capital, word):
    assert licence_word(english, plural=plural, capital=capital) == word


@pytest.mark.parametrize("english", ["en-GB", "en-US"])
def test_the_verb_is_license_in_both(english):
    words = wording(english)
    assert (words["license"], words["licensed"], words["licensee"], words["licensor"]) == (
        "license", "licensed", "licensee", "licensor")


def test_licence_word_is_lower_case_and_singular_by_default():
    assert (licence_word("en-GB"), licence_word("en-US")) == ("licence", "license")


@pytest.mark.parametrize(("english", "words"), [
    ("en-GB", {"licence": "licence", "licences": "licences", "Licence": "Licence", "Licences": "Licences",
               "license": "license", "licensed": "licensed", "licensee": "licensee", "licensor": "licensor",
               "licensing": "licensing"}),
    ("en-US", {"licence": "license", "licences": "licenses", "Licence": "License", "Licences": "Licenses",
               "license": "license", "licensed": "licensed", "licensee": "licensee", "licensor": "licensor",
               "licensing": "licensing"}),
])
def test_wording_for_templates(english, words):
    assert wording(english) == words


@pytest.mark.parametrize(("english", "text", "expected"), [
    ("en-GB", "Your licence: we license you.", "Your licence: we license you."),
    ("en-US", "Your licence: we license you.", "Your license: we license you."),
    ("en-US", "Licence agreement L-1; two licences", "License agreement L-1; two licenses"),
    ("en-US", "LICENCE AGREEMENT", "LICENSE AGREEMENT"),
    ("en-US", "the licensee is licensed", "the licensee is licensed"),
    ("en-US", "Republished under licence.", "Republished under license."),
    ("en-US", "licenced", "licenced"),  # not a word of ours: left alone rather than guessed at
])
def test_respell(english, text, expected):
    assert respell(text, english) == expected


@pytest.mark.parametrize("english", ["en", "en-AU", "fr-FR", ""])
def test_an_unknown_english_is_refused(english):
    message = f"^unknown English {re.escape(repr(english))}: one of en-GB, en-US$"
    with pytest.raises(ValueError, match=message):
        licence_word(english)
    with pytest.raises(ValueError, match=message):
        respell("licence", english)


def test_fill_replaces_every_placeholder():
    assert fill("Law of {{ governing_law }}; courts of {{courts}}.", SETTINGS) == (
        "Law of England and Wales; courts of England and Wales.")


@pytest.mark.parametrize(("text", "values", "message"), [
    ("Law of {{ governing_law }}.", {}, "no value for: governing_law"),
    ("Law of {{ governing_law }}.", {"governing_law": "  "}, "no value for: governing_law"),
    ("{{ licensor }} in {{ courts }}", {}, "no value for: courts, licensor"),
    ("{{ jurisdiction }}", SETTINGS, r"unknown placeholder\(s\): jurisdiction"),
    ("{{ venue }} {{ jurisdiction }}", SETTINGS, r"unknown placeholder\(s\): jurisdiction, venue"),
])
def test_fill_refuses_a_gap(text, values, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        fill(text, values)


# ---------------------------------------------------------------- the demo terms document

def test_the_demo_terms_use_exactly_the_known_placeholders():
    assert placeholders(DEMO_TERMS.read_text(encoding="utf-8")) == set(PLACEHOLDERS)


def test_the_demo_terms_cover_what_domain_asks_for():
    text = fill(DEMO_TERMS.read_text(encoding="utf-8"), SETTINGS)
    for heading in ("## 1. What you may do", "## 2. What each term allows", "## 3. What you may not do",
                    "## 4. Credit and link", "## 5. No change of meaning", "## 6. Corrections and takedown",
                    "## 7. Warranties and liability", "## 8. Payment", "## 9. Termination",
                    "## 10. Governing law and jurisdiction", "## 11. Entire agreement",
                    "## 12. How you accept these terms"):
        assert heading in text
    flowing = " ".join(text.split())  # the document wraps its lines anywhere
    for promise in ("within 48 hours of our notice", "capped at the fee you paid",
                    "governed by the law of England and Wales", "or if you do not pay",
                    "again when you pay the invoice", "made within 30 days of the start date",
                    "for 30 days from the start, then removed", "kept without end date at its address",
                    '"Not licensable (third party)"', '"Not included: not requested"'):
        assert promise in flowing
    assert "{{" not in text


def test_the_demo_terms_are_en_gb_and_respell_to_en_us():
    text = DEMO_TERMS.read_text(encoding="utf-8")
    assert "licence agreement" in text and "We license you" in text
    american = respell(text, "en-US")
    assert "licence" not in american.lower()
    assert "license agreement" in american and "We license you" in american


@pytest.mark.parametrize(("text", "html"), [
    ("# Terms\n\nOne line\nand its continuation.", "<h1>Terms</h1>\n<p>One line and its continuation.</p>"),
    ("## 2. Terms\n- **One-off**: once\n  within 30 days\n- 30 days", "<h2>2. Terms</h2>\n"
     "<ul><li><strong>One-off</strong>: once within 30 days</li><li>30 days</li></ul>"),
    ("Before\n- item\n\nAfter", "<p>Before</p>\n<ul><li>item</li></ul>\n<p>After</p>"),
    ('<script>alert("x")</script> & **<b>**', "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; "
     "<strong>&lt;b&gt;</strong></p>"),
    ("", ""),
])
def test_the_terms_text_as_html(text, html):
    assert to_html(text) == html
