"""Hypothesis against the public request form (POST /republish, CSRF off as in the other functional
tests): whatever a browser or a bot posts, never a 5xx; the answer is the form again (preview, or
422 with the errors next to the fields), the redirect to the confirmation, or 413 for a body over
the size limit; and every text the person typed that is printable comes back in its field."""
from __future__ import annotations

from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from licensing.core.places import REGIONS
from licensing.pricing.rules import MEDIA, TERMS
from tests.conftest import EXAMPLE_URL
from tests.functional.conftest import form_values, parse, start_date
from tests.fuzz import strategies as fz

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:wtforms.*")
SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

# Text inputs and text areas, whose value the page must give back as typed.
TEXT_FIELDS = {
    "article_url": EXAMPLE_URL, "organisation": "Leeds Evening Post Ltd", "contact_name": "Jo Bloggs",
    "email": "jo@leeds-post.example", "vat_id": "GB980780684", "billing_address": "1 Park Row",
    "publication": "Leeds Evening Post", "publication_url": "https://leeds-post.example", "audience": "25000",
    "start_date": start_date(), "notes": "World page.",
}
CHOICES = {
    "country": ["GB", "FR", "EG"], "medium": list(MEDIA), "language": ["en", "ar"], "term": list(TERMS),
    "territory_kind": ["countries", "worldwide", "region"], "region": list(REGIONS),
}
NOT_UTF8 = [b"\xff", b"\xfe\xff", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe2\x82", b"a\x80b", b"\xf4\x90\x80\x80"]


def _hostile_text() -> st.SearchStrategy:
    return st.one_of(fz.text(), fz.date_strings(), fz.audiences(for_json=False), st.sampled_from(NOT_UTF8))


@st.composite
def form_posts(draw) -> list[tuple[str, str | bytes]]:
    """The (name, value) pairs of one POST: a valid request with a few fields hostile, repeated,
    left out or not UTF-8 at all."""
    names = list(TEXT_FIELDS) + list(CHOICES) + ["territory_countries", "exclusive", "media_wanted", "terms_accepted"]
    how_many = draw(st.one_of(st.just(1), st.just(2), st.integers(0, len(names))))
    spoiled = set(draw(st.lists(st.sampled_from(names), min_size=how_many, max_size=how_many, unique=True)))
    pairs: list[tuple[str, str | bytes]] = []
    for name in names:
        if name not in spoiled:
            if name in TEXT_FIELDS:
                pairs.append((name, TEXT_FIELDS[name]))
            elif name in CHOICES:
                pairs.append((name, CHOICES[name][0]))
            elif name == "territory_countries":
                pairs += [(name, "GB"), (name, "FR")]
            elif name == "terms_accepted":
                pairs.append((name, "y"))
            continue
        how = draw(st.sampled_from(["hostile", "hostile", "hostile", "missing", "twice"]))
        if how == "missing":
            continue
        if name == "territory_countries":
            values = draw(st.one_of(st.lists(fz.country_codes(), max_size=5),
                                    st.lists(_hostile_text(), min_size=1, max_size=3),
                                    st.just(["GB"] * 500)))
            pairs += [(name, v) for v in values]
            continue
        value = draw(_hostile_text())
        pairs.append((name, value))
        if how == "twice":
            pairs.append((name, draw(_hostile_text())))
    action = draw(st.sampled_from(["preview", "submit", "submit", "", "delete", None]))
    if action is not None:
        pairs.append(("action", action))
    if draw(st.sampled_from([False] * 3 + [True])):
        pairs.append(("confirmed_amount", draw(st.one_of(st.sampled_from(["67500", "0", "-1", ""]), fz.text(max_size=8)))))
    if draw(st.sampled_from([False] * 19 + [True])):
        pairs.append(("website", "http://spam.example"))  # the honeypot
    return pairs


def _encode(pairs: list[tuple[str, str | bytes]]) -> bytes:
    def raw(value: str | bytes) -> bytes:
        return value if isinstance(value, bytes) else value.encode("utf-8")

    return "&".join(f"{quote_from_bytes(raw(k), safe='')}={quote_from_bytes(raw(v), safe='')}"
                    for k, v in pairs).encode("ascii")


def _kept_as_typed(value) -> bool:  # noqa: ANN001
    """A value the page must give back exactly: printable text (no control or format characters,
    no line breaks, which browsers normalise, and no NUL, which the form drops)."""
    return isinstance(value, str) and value.isprintable()


def _request_form(response):  # noqa: ANN001, ANN202
    """The request form of the page (parsed alone: the whole page is five times bigger)."""
    html = response.get_data(as_text=True)
    start = html.find('<form method="post"')
    return None if start < 0 else parse(html[start:html.find("</form>", start) + 7]).find("form", id="request-form")


def _post(client, pairs: list[tuple[str, str | bytes]], multipart: bool):  # noqa: ANN001, ANN202
    if multipart:  # the same fields as multipart/form-data (text only: a browser sends UTF-8)
        data: dict[str, list[str]] = {}
        for name, value in pairs:
            data.setdefault(name, []).append(value.decode("utf-8", "replace") if isinstance(value, bytes) else value)
        return client.post("/republish", data=data, content_type="multipart/form-data")
    return client.post("/republish", data=_encode(pairs), content_type="application/x-www-form-urlencoded")


@settings(max_examples=400, **SETTINGS)
@given(pairs=form_posts(), multipart=st.sampled_from([False] * 5 + [True]), resend=st.sampled_from([True, True, False]))
def test_the_request_form_never_fails_and_keeps_what_was_typed(world, fuzz_client, pairs, multipart, resend):
    form_property(fuzz_client, pairs, multipart, resend)


@pytest.mark.postgres
class TestOnPostgreSQL:
    @pytest.fixture
    def db_kind(self) -> str:
        return "postgresql"

    @settings(max_examples=120, **SETTINGS)
    @given(pairs=form_posts(), multipart=st.sampled_from([False] * 5 + [True]), resend=st.sampled_from([True, True, False]))
    def test_the_request_form(self, world, fuzz_client, pairs, multipart, resend):
        form_property(fuzz_client, pairs, multipart, resend)


def form_property(fuzz_client, pairs: list[tuple[str, str | bytes]], multipart: bool, resend: bool) -> None:  # noqa: ANN001
    response = _post(fuzz_client, pairs, multipart)
    status = response.status_code
    event(f"status {status}")
    assert status < 500, response.get_data(as_text=True)[:500]
    assert status in {200, 302, 413, 422}, status
    if status == 302:
        assert "/track/" in response.location and response.location.endswith("/confirmation")
        return
    assert response.mimetype == "text/html"
    if status == 413:
        return
    form = _request_form(response)
    if form is None:  # only the honeypot answers with the "received" page
        assert ("website", "http://spam.example") in pairs
        return
    if status == 422:
        assert [p for p in form.find_all("p", cls="error") if p.text], "a 422 without a message next to a field"
    sent = form_values(form)
    for name in TEXT_FIELDS:
        typed = [v for k, v in pairs if k == name]
        if len(typed) == 1 and _kept_as_typed(typed[0]):
            assert sent.get(name) == typed, f"{name}: typed {typed[0][:80]!r}, page has {str(sent.get(name))[:80]}"
    if status == 200 and resend:
        # The preview of a valid request, sent again as the browser would with "Submit": it is taken.
        again = _post(fuzz_client, [(k, v) for k, vs in sent.items() for v in vs] + [("action", "submit")], multipart)
        event(f"resent: status {again.status_code}")
        assert again.status_code == 302, again.get_data(as_text=True)[:500]
