"""Hypothesis strategies for hostile input to the request form and the JSON API: unicode of every
kind (NUL and other control characters, unpaired surrogates, right-to-left marks and text,
emoji sequences), empty, blank and huge strings, nulls and values of the wrong JSON type, dates
at the edges of the calendar, audiences beyond 64 bits, territory lists of odd shapes and deeply
nested JSON. Each field strategy mixes valid values in, so that a body often fails on one field
only and the cases reach the code behind validation (pricing, the database, the templates)."""
from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache

from hypothesis import strategies as st

from licensing.core.places import REGIONS
from licensing.intake.rules.validation import LIMITS
from licensing.pricing.rules import MAX_AUDIENCE, MEDIA, TERMS
from tests.conftest import EXAMPLE_URL

RTL = ["مقالة عن الشرق الأوسط", "עיתון ירושלים", "\u202eevil.exe\u202c", "\u200f\u200e\u2067x\u2069",
       "abc\u202edcba"]
EMOJI = ["😀", "👩‍👩‍👧‍👦", "🇬🇧🇫🇷", "🏳️‍🌈", "e\u0301\u0301\u0301", "\U0001F4A9" * 3, "Z\u0334\u0334\u0334"]
CONTROL = ["\x00", "a\x00b", "\x01\x02\x1b[31m", "\x7f", "line\nbreak", "cr\rcr", "tab\there", "\u2028\u2029",
           "\ufeff", "\ufffd", "\uffff", "\U0010ffff"]
SURROGATES = ["\ud800", "\udfff", "a\udc00b", "\udbff\udbff"]  # only JSON escapes can carry these
INJECTION = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'; DROP TABLE requests; --",
             "{{ 7*7 }}", "{% raw %}", "%s%s%n", "../../etc/passwd", "=cmd|' /C calc'!A0", "${jndi:ldap://x}"]
BLANK = ["", " ", "   ", "\t", "\n", "\r\n", "\u00a0", "\u3000"]


@cache
def huge(alphabet: tuple[str, ...] = ("x", "é", "😀", "\x00")) -> st.SearchStrategy[str]:
    """Strings at and beyond the limits: every field's limit, its neighbours and some far bigger."""
    sizes = sorted({n + d for n in LIMITS.values() for d in (-1, 0, 1)} | {10_000, 100_000})
    return st.builds(lambda ch, n: ch * n, st.sampled_from(alphabet), st.sampled_from(sizes))


@cache
def text(surrogates: bool = False, max_size: int = 30) -> st.SearchStrategy[str]:
    """Any text: generated unicode, the hand-picked nasty strings, blanks and huge ones."""
    picked = RTL + EMOJI + CONTROL + INJECTION + BLANK + (SURROGATES if surrogates else [])
    alphabet = st.characters(min_codepoint=0, max_codepoint=0x10FFFF,
                             exclude_categories=() if surrogates else ("Cs",))
    return st.one_of(
        st.text(alphabet, max_size=max_size),
        st.sampled_from(picked),
        st.lists(st.sampled_from(picked), min_size=2, max_size=4).map("".join),
        huge(),
    )


def _today() -> date:
    return date.today()


@cache
def date_strings() -> st.SearchStrategy[str]:
    today = _today()
    edges = ["0001-01-01", "9999-12-31", "2024-02-29", "2000-02-29", "2023-02-29", "2100-02-29", "1900-02-29",
             "2026-13-01", "2026-00-10", "2026-04-31", "0000-01-01", "10000-01-01", "-2026-01-01", "+2026-01-01",
             "20260101", "2026-W01-1", "2026-001", "2026-01-01T00:00:00", "2026-01-01Z", "01/02/2026",
             "tomorrow", "٢٠٢٦-٠١-٠١", "2026\u201301\u201301", " 2026-01-01 ",
             *(str(today + timedelta(days=d)) for d in (-1, 0, 1, 7, 731, 732, 733))]
    return st.one_of(st.sampled_from(edges), st.dates().map(date.isoformat),
                     st.dates(today, today + timedelta(days=800)).map(date.isoformat))


@cache
def audiences(for_json: bool) -> st.SearchStrategy:
    big = [-1, 0, 1, MAX_AUDIENCE, MAX_AUDIENCE + 1, 2**31, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30, 10**400]
    strings = st.one_of(st.sampled_from(["25000", "25,000", "1_000", " 12 ", "-5", "1e6", "0x10", "١٢٣", "²",
                                         "9" * 20, "9" * 21, "9" * 5000, "12.5", "NaN", "∞", "", " "]),
                        st.integers().map(str), st.sampled_from(big).map(str), text(max_size=12))
    if not for_json:
        return strings
    return st.one_of(st.sampled_from(big), st.integers(), strings, st.floats(), st.booleans(), st.none(),
                     st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=1))


@cache
def country_codes() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(["GB", "FR", "gb", " de ", "XX", "UK", "EU", "G\x00B", "🇬🇧", "", "GBR"]),
                     st.text(st.characters(min_codepoint=0x41, max_codepoint=0x5A), min_size=2, max_size=2))


@cache
def territories() -> st.SearchStrategy:
    """JSON territory values of every shape: keywords, regions, lists (empty, huge, nested, mixed)."""
    from licensing.core.places import countries

    every = list(countries())
    keywords = ["worldwide", " WorldWide ", "region:eu", "REGION:GULF", "region:", "region:mars", "region:eu,gb",
                "GB,FR;DE", "GB FR", ",,,", *(f"region:{k}" for k in REGIONS)]
    return st.one_of(
        st.sampled_from(keywords),
        st.lists(country_codes(), max_size=5),
        st.just(every), st.just(every + ["GB"]), st.just(["GB"] * 1000),
        st.lists(st.one_of(st.none(), st.integers(), st.booleans(), st.lists(country_codes(), max_size=2),
                           st.dictionaries(st.text(max_size=2), country_codes(), max_size=1)), min_size=1, max_size=3),
        st.none(), st.integers(), st.booleans(), st.dictionaries(country_codes(), st.integers(), max_size=2),
        text(surrogates=True, max_size=8),
    )


@cache
def json_values(max_leaves: int = 8) -> st.SearchStrategy:
    """Any JSON value (and the NaN and Infinity Python's parser also takes)."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.sampled_from([2**64, -(2**63) - 1, 10**50]),
                        st.floats(), text(surrogates=True, max_size=10))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                        max_leaves=max_leaves)


NESTING_DEPTHS = st.sampled_from([30, 31, 32, 33, 100, 5000, 100_000])


def nested(depth: st.SearchStrategy[int] = NESTING_DEPTHS) -> st.SearchStrategy[str]:
    """Raw JSON text nested `depth` levels deep, as a list or as objects."""
    return st.builds(lambda n, kind: ("[" * n + "]" * n) if kind == "list" else ('{"a":' * n + "1" + "}" * n),
                     depth, st.sampled_from(["list", "object"]))


MISSING = object()  # a field left out of the body

_TEXT_FIELDS = {
    "organisation": "Leeds Evening Post Ltd", "contact_name": "Jo Bloggs", "publication": "Leeds Evening Post",
    # empty: a VAT number is valid only with its own country, and the country is drawn on its own
    # (the VAT number checks have their own table of tests: tests/functional/billing)
    "vat_id": "", "billing_address": "1 Park Row\nLeeds LS1 5HD", "notes": "Through our CMS.",
}


@cache
def json_field_values() -> dict[str, tuple[st.SearchStrategy, st.SearchStrategy]]:
    """For each field of the API's request body: (valid values, hostile values)."""
    def wrong_types(valid: st.SearchStrategy) -> st.SearchStrategy:
        return st.one_of(text(surrogates=True), st.none(), st.integers(), st.floats(), st.booleans(),
                         st.lists(valid, max_size=2), st.dictionaries(st.text(max_size=3), valid, max_size=1))

    media, terms = st.sampled_from(list(MEDIA)), st.sampled_from(list(TERMS))
    fields = {
        "article_url": (st.just(EXAMPLE_URL), st.one_of(wrong_types(st.just(EXAMPLE_URL)), st.sampled_from([
            EXAMPLE_URL + "\x00", EXAMPLE_URL.upper(), EXAMPLE_URL + "/", "http://[::1", "https://",
            "javascript:alert(1)", "https://xn--80ak6aa92e.com", "https://例え.テスト/記事",
            EXAMPLE_URL + "?" + "a" * 3000]))),
        "medium": (media, wrong_types(media)),
        "audience": (st.one_of(st.integers(0, MAX_AUDIENCE), st.sampled_from(["25,000", "1 000 000", "0"])),
                     audiences(for_json=True)),
        "territory": (st.one_of(st.sampled_from(["worldwide", "region:eu", "region:gulf"]),
                                st.lists(st.sampled_from(["GB", "FR", "de", "US", "EG"]), min_size=1, max_size=4)),
                      territories()),
        "language": (st.sampled_from(["en", "ar", "fr", "he"]), wrong_types(st.sampled_from(["en", "EN", "eng", "e"]))),
        "term": (terms, wrong_types(terms)),
        "exclusive": (st.booleans(), wrong_types(st.sampled_from(["yes", "no", "1", "maybe"]))),
        "media_wanted": (st.booleans(), wrong_types(st.sampled_from(["on", "off", "2"]))),
        "email": (st.just("jo@leeds-post.example"), st.one_of(wrong_types(st.just("a@b.example")), st.sampled_from([
            "jo@leeds-post", "@x.example", "jo@@x.example", "jo@xn--80ak6aa92e.com", "δοκιμή@παράδειγμα.δοκιμή",
            "a" * 64 + "@x.example", "a" * 65 + "@x.example", "jo@" + "x" * 300 + ".example", "jo@x.example\x00"]))),
        "country": (st.sampled_from(["GB", "FR", "EG", "US"]), st.one_of(country_codes(), wrong_types(st.just("GB")))),
        "publication_url": (st.just("https://leeds-post.example"), st.one_of(
            wrong_types(st.just("https://x.example")), st.sampled_from(["ftp://x.example", "https://localhost",
                                                                       "https://x.example:99999", "//x.example"]))),
        "start_date": (st.integers(0, 700).map(lambda d: str(_today() + timedelta(days=d))),
                       st.one_of(date_strings(), wrong_types(date_strings()))),
        "terms_accepted": (st.just(True), wrong_types(st.booleans())),
    }
    for name, value in _TEXT_FIELDS.items():
        fields[name] = (st.just(value), st.one_of(text(surrogates=True), wrong_types(st.just(value))))
    return fields


@st.composite
def api_bodies(draw, fields: tuple[str, ...] | None = None) -> dict:
    """A JSON object with the fields of a request: most valid, a few hostile or left out (often
    exactly one, so that the case gets past validation or fails on that field alone), plus stray keys."""
    strategies = json_field_values()
    names = list(fields or strategies)
    how_many = draw(st.one_of(st.just(0), st.just(1), st.just(1), st.integers(0, len(names))))
    spoiled = set(draw(st.lists(st.sampled_from(names), min_size=how_many, max_size=how_many, unique=True)))
    body = {}
    for name in names:
        valid, hostile = strategies[name]
        value = draw(st.one_of(hostile, hostile, hostile, st.just(MISSING))) if name in spoiled else draw(valid)
        if value is not MISSING:
            body[name] = value
    if draw(st.booleans()):
        extra = draw(st.dictionaries(text(surrogates=True, max_size=8), json_values(4), max_size=2))
        body.update({k: v for k, v in extra.items() if k not in body})
    return body


def encode_json(value) -> bytes:  # noqa: ANN001
    """JSON text as a client would send it: surrogates escaped, NaN and big numbers as Python writes them."""
    return json.dumps(value, ensure_ascii=True).encode()


@st.composite
def raw_json_requests(draw, fields: tuple[str, ...] | None = None) -> tuple[bytes, str]:
    """(body bytes, content type): mostly a hostile JSON object, sometimes no object, broken JSON,
    deep nesting, another encoding or another content type."""
    kind = draw(st.sampled_from(["object"] * 6 + ["value", "broken", "nested", "encoding", "content-type"]))
    content_type = "application/json"
    if kind == "object":
        body = encode_json(draw(api_bodies(fields)))
    elif kind == "value":
        body = encode_json(draw(json_values()))
    elif kind == "broken":
        body = draw(st.sampled_from([b"", b"{", b"{'a': 1}", b'{"a": 1,}', b"\xff\xfe{}", b"\x00", b"null",
                                     b'{"a": "\\ud800"}', b'{"audience": 1' + b"0" * 5000 + b"}", b"[" * 10,
                                     b'{"a": "\xed\xa0\x80"}', b'{"a":1}{"b":2}', b"\xef\xbb\xbf{}"])
                     | st.binary(max_size=64))
    elif kind == "nested":
        body = draw(nested()).encode()
    elif kind == "encoding":
        body = json.dumps(draw(api_bodies(fields)), ensure_ascii=False).encode(
            draw(st.sampled_from(["utf-16", "utf-32", "latin-1"])), errors="replace")
        content_type = draw(st.sampled_from(["application/json", "application/json; charset=utf-16"]))
    else:
        body = encode_json(draw(api_bodies(fields)))
        content_type = draw(st.sampled_from(["text/plain", "application/x-www-form-urlencoded", "", "application/jsonx",
                                             "application/problem+json", "multipart/form-data; boundary=x"]))
    return body, content_type
