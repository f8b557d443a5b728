"""The intake rules shared by the web form and the JSON API: each field's errors, keyed by field,
each a sentence a person can act on."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from licensing.core.places import countries, languages
from licensing.intake.rules.validation import (
    LIMITS,
    QUOTE_FIELDS,
    QuoteInput,
    RequestInput,
    _Check,
    json_body_problem,
    validate_quote,
    validate_request,
)

TODAY = date(2030, 3, 15)
EU = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV",
      "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK")  # the 27 members, by code
ARTICLE = "https://www.middleeasteye.net/news/us-turkey-work-closely-deal-lasting-defeat-us-defence-secretary"
REQUIRED = "This field is required."
CONTROL = "Contains characters that are not allowed (control characters or line breaks)."
URL = "Enter a full web address starting with https://"
WHOLE = "Enter a whole number, such as 25000."
DATE = "Enter a date as YYYY-MM-DD."


def valid(**changes) -> dict:
    data = {
        "article_url": ARTICLE,
        "organisation": "Ankara Weekly Ltd",
        "contact_name": "Ayşe Yılmaz",
        "email": "ayse@ankara-weekly.example.com",
        "country": "TR",
        "vat_id": "TR1234567890",
        "publication": "Ankara Weekly",
        "publication_url": "https://ankara-weekly.example.com",
        "medium": "website",
        "audience": "25,000",
        "territory": "worldwide",
        "language": "tr",
        "term": "1_year",
        "start_date": "2030-04-01",
        "exclusive": False,
        "media_wanted": True,
        "notes": "We would run it on Sunday.\nThank you.",
        "terms_accepted": True,
    }
    data.update(changes)
    return data


def errors_for(**changes) -> dict[str, list[str]]:
    given, errors = validate_request(valid(**changes), TODAY)
    assert (given is None) == bool(errors)
    return errors


def only_error(field: str, **changes) -> str:
    """The one error the change causes: on that field, and on no other."""
    errors = errors_for(**changes)
    assert list(errors) == [field], errors
    assert len(errors[field]) == 1, errors
    return errors[field][0]


def accepted(**changes) -> RequestInput:
    given, errors = validate_request(valid(**changes), TODAY)
    assert errors == {}
    assert isinstance(given, RequestInput)
    return given


# ---------------------------------------------------------------- the baseline


def test_a_valid_request_passes_and_is_cleaned():
    given = accepted()
    assert given == RequestInput(
        article_url=ARTICLE, organisation="Ankara Weekly Ltd", contact_name="Ayşe Yılmaz",
        email="ayse@ankara-weekly.example.com", country="TR", vat_id="TR1234567890", billing_address="",
        publication="Ankara Weekly", publication_url="https://ankara-weekly.example.com", medium="website",
        audience=25000, territory="worldwide", language="tr", term="1_year", start_date=date(2030, 4, 1),
        exclusive=False, media_wanted=True, notes="We would run it on Sunday.\nThank you.", terms_accepted=True)


def test_json_style_values_are_accepted_too():
    given = accepted(audience=25000, territory=["gb", "IE"], exclusive=True, media_wanted=False,
                     start_date=date(2030, 4, 1))
    assert (given.audience, given.territory, given.exclusive, given.media_wanted) == (25000, ("GB", "IE"), True, False)
    assert given.start_date == date(2030, 4, 1)


def test_optional_fields_may_be_left_out():
    data = valid()
    for name in ("vat_id", "notes", "exclusive", "media_wanted"):
        del data[name]
    given, errors = validate_request(data, TODAY)
    assert errors == {}
    assert (given.vat_id, given.notes, given.exclusive, given.media_wanted) == ("", "", False, False)


def test_an_empty_form_names_every_required_field():
    given, errors = validate_request({}, TODAY)
    assert given is None
    assert set(errors) == {"article_url", "organisation", "contact_name", "email", "country", "publication",
                           "publication_url", "medium", "audience", "territory", "language", "term",
                           "start_date", "terms_accepted"}
    assert errors["organisation"] == [REQUIRED]
    assert errors["audience"] == ["This field is required: your monthly unique visitors, readers or circulation."]


def test_every_message_is_a_sentence():
    data = {"article_url": "ftp://x", "organisation": "a\x00", "contact_name": 5, "email": "nope",
            "country": "XX", "vat_id": "#", "publication": "", "publication_url": "x", "medium": "m",
            "audience": "abc", "territory": "XX", "language": "xx", "term": "t", "start_date": "soon",
            "exclusive": "perhaps", "media_wanted": [], "notes": "\x07", "terms_accepted": "no"}
    given, errors = validate_request(data, TODAY)
    assert given is None
    assert set(errors) == set(data)
    for field, messages in errors.items():
        assert messages, field
        for message in messages:
            assert message[0].isupper() or message[0] == "'", (field, message)
            assert message.endswith((".", "https://")), (field, message)
            assert len(message) >= 12, (field, message)


# ---------------------------------------------------------------- text fields


@pytest.mark.parametrize("field", ["article_url", "organisation", "contact_name", "publication", "publication_url"])
@pytest.mark.parametrize("value", [None, "", "   ", "\t\n"])
def test_required_text(field, value):
    assert only_error(field, **{field: value}) == REQUIRED


@pytest.mark.parametrize("field", ["article_url", "organisation", "contact_name", "publication", "publication_url"])
def test_required_text_missing_key(field):
    data = valid()
    del data[field]
    _, errors = validate_request(data, TODAY)
    assert errors == {field: [REQUIRED]}


@pytest.mark.parametrize(("field", "limit"), [
    ("organisation", 200), ("contact_name", 200), ("publication", 200), ("notes", 5000), ("billing_address", 500),
    ("billing_address_line2", 200), ("billing_city", 100), ("billing_postcode", 20), ("buyer_reference", 200),
])
def test_too_long_text(field, limit):
    assert LIMITS[field] == limit
    filler = "A" * limit
    assert getattr(accepted(**{field: filler}), field) == filler
    assert only_error(field, **{field: filler + "B"}) == f"Must be at most {limit:,} characters (it has {limit + 1:,})."


def test_a_too_long_vat_id_gets_one_message_not_its_check_too():
    assert errors_for(vat_id="A" * 41, country="GB") == {"vat_id": ["Must be at most 40 characters (it has 41)."]}


def test_the_billing_address_keeps_its_line_breaks():
    assert accepted(billing_address=" 12 Priestgate\nDarlington ").billing_address == "12 Priestgate\nDarlington"


@pytest.mark.parametrize("field", ["article_url", "publication_url"])
def test_too_long_urls(field):
    url = "https://example.com/" + "a" * (LIMITS[field] - len("https://example.com/") + 1)
    assert len(url) == 2001
    assert errors_for(**{field: url}) == {field: ["Must be at most 2,000 characters (it has 2,001)."]}
    # one message, not also "a full web address"
    assert errors_for(**{field: "a" * 2001}) == {field: ["Must be at most 2,000 characters (it has 2,001)."]}


def test_length_counts_the_cleaned_value():
    assert accepted(organisation="  " + "A" * 200 + "  ").organisation == "A" * 200


@pytest.mark.parametrize("field", ["organisation", "contact_name", "publication", "vat_id"])
@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x08", "\x1b", "\x7f", "\x0b", "\x0c", "\x1c", "\x1f"])
def test_control_characters_are_refused_in_single_line_text(field, bad):
    assert only_error(field, **{field: f"Acme{bad}Ltd"}) == CONTROL


@pytest.mark.parametrize("field", ["organisation", "contact_name", "publication"])
@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n"])
def test_line_breaks_are_refused_in_single_line_text(field, newline):
    assert only_error(field, **{field: f"Acme{newline}Ltd"}) == CONTROL


def test_surrounding_and_repeated_whitespace_is_tidied():
    given = accepted(organisation="  Ankara   Weekly\tLtd \n", contact_name="\tAyşe  Yılmaz ")
    assert given.organisation == "Ankara Weekly Ltd"
    assert given.contact_name == "Ayşe Yılmaz"


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b", "\x7f", "\x0b"])
def test_control_characters_are_refused_in_notes(bad):
    assert only_error("notes", notes=f"Please{bad}call") == CONTROL


def test_notes_keep_their_line_breaks_but_lose_outer_whitespace():
    assert accepted(notes="  Line one\r\nLine two\n\n\tIndented  \n").notes == "Line one\r\nLine two\n\n\tIndented"


@pytest.mark.parametrize("field", ["organisation", "contact_name", "publication", "vat_id", "notes", "article_url",
                                   "publication_url"])
@pytest.mark.parametrize("value", [5, 2.5, True, ["Acme"], {"name": "Acme"}])
def test_text_fields_refuse_other_json_types(field, value):
    assert only_error(field, **{field: value}) == "Must be text."


# ---------------------------------------------------------------- URLs and the article


@pytest.mark.parametrize("field", ["article_url", "publication_url"])
@pytest.mark.parametrize("value", ["example.com", "www.example.com/page", "ftp://example.com/a",
                                   "javascript:alert(1)", "https://localhost/", "https://", "http://[oops",
                                   "mailto:ed@example.com", "//example.com/a"])
def test_urls_must_be_full_web_addresses(field, value):
    assert only_error(field, **{field: value}) == URL


@pytest.mark.parametrize("value", ["http://example.com", "https://sub.example.co.uk/path?q=1#x",
                                   "HTTPS://Example.COM/A"])
def test_good_urls(value):
    assert accepted(publication_url=value).publication_url == value


def test_article_exists_false_gives_a_clear_message():
    seen = []

    def article_exists(url: str) -> bool:
        seen.append(url)
        return False

    given, errors = validate_request(valid(), TODAY, article_exists)
    assert given is None
    assert errors == {"article_url": ["No article in our catalog has this address. Search for it above."]}
    assert seen == [ARTICLE]


def test_article_exists_true_passes():
    given, errors = validate_request(valid(), TODAY, lambda url: url == ARTICLE)
    assert errors == {}
    assert given.article_url == ARTICLE


def test_article_lookup_is_skipped_for_a_malformed_url():
    def explode(url: str) -> bool:
        raise AssertionError(f"looked up {url!r}")

    _, errors = validate_request(valid(article_url="not a url"), TODAY, explode)
    assert errors == {"article_url": [URL]}


# ---------------------------------------------------------------- e-mail


@pytest.mark.parametrize(("value", "message"), [
    (None, REQUIRED),
    ("", REQUIRED),
    ("   ", REQUIRED),
    (5, "Must be text."),
    (["ayse@example.com"], "Must be text."),
    ("a" * 310 + "@example.com", "Must be at most 320 characters."),
    # 320 characters: not refused for its length here, but by the e-mail rules (at most 254)
    ("a" * 64 + "@" + ("b" * 63 + ".") * 3 + "c" * 59 + ".com",
     "Enter a valid e-mail address: The email address is too long after the @-sign (2 characters too many)."),
])
def test_email_errors(value, message):
    assert only_error("email", email=value) == message


@pytest.mark.parametrize("value", ["not-an-email", "ayse@", "@example.com", "ayse@example", "ayse@@example.com",
                                   "ayse example@example.com", "ayse@example.com\nBcc: x@example.com"])
def test_bad_email_addresses(value):
    message = only_error("email", email=value)
    assert message.startswith("Enter a valid e-mail address: ")
    assert len(message) > len("Enter a valid e-mail address: ") + 5


def test_email_is_normalised():
    assert accepted(email="  Ayse@Ankara-Weekly.EXAMPLE.com ").email == "Ayse@ankara-weekly.example.com"


def test_missing_email_key():
    data = valid()
    del data["email"]
    _, errors = validate_request(data, TODAY)
    assert errors == {"email": [REQUIRED]}


# ---------------------------------------------------------------- country, language, VAT id


@pytest.mark.parametrize(("value", "message"), [
    ("XX", "Choose a valid ISO 3166 country code; 'XX' is not one."),
    ("UK", "Choose a valid ISO 3166 country code; 'UK' is not one."),
    ("GBR", "Choose a valid ISO 3166 country code; 'GBR' is not one."),
    (44, "Choose a valid ISO 3166 country code; '44' is not one."),
    (["GB"], "Choose a valid ISO 3166 country code; \"['GB']\" is not one."),
    (None, REQUIRED),
    ("", REQUIRED),
    ("  ", REQUIRED),
])
def test_country_errors(value, message):
    assert only_error("country", country=value) == message


def test_country_is_trimmed():
    assert accepted(country=" GB ", vat_id="").country == "GB"


@pytest.mark.parametrize(("value", "message"), [
    ("xx", "Choose a valid ISO 639-1 language code; 'xx' is not one."),
    ("eng", "Choose a valid ISO 639-1 language code; 'eng' is not one."),
    ("English", "Choose a valid ISO 639-1 language code; 'English' is not one."),
    (1, "Choose a valid ISO 639-1 language code; '1' is not one."),
    (None, REQUIRED),
])
def test_language_errors(value, message):
    assert only_error("language", language=value) == message


@pytest.mark.parametrize("code", ["en", "ar", "fr", "tr", "de"])
def test_languages(code):
    assert accepted(language=code).language == code


def test_code_lists():
    assert countries()["GB"] == "United Kingdom"
    assert countries()["TR"] in {"Turkey", "Türkiye"}
    assert len(countries()) == 249
    assert languages()["ar"] == "Arabic"
    assert "eng" not in languages()


@pytest.mark.parametrize(("value", "country", "stored"), [
    # a country whose VAT numbers are not checked here (Turkey): kept, compacted (no effect on tax)
    ("GB 123 4567 89", "TR", "GB123456789"), ("DE-123.456", "TR", "DE123456"), ("TR1234567890", "TR", "TR1234567890"),
    # checked countries: normalised (prefix, upper case, no spaces or dots)
    ("de 136 695 976", "DE", "DE136695976"), ("136695976", "DE", "DE136695976"), ("BE 0403.019.261", "BE", "BE0403019261"),
    ("GR094259216", "GR", "EL094259216"), ("GB 980 7806 84", "GB", "GB980780684"),
])
def test_good_vat_ids(value, country, stored):
    assert accepted(vat_id=value, country=country).vat_id == stored


@pytest.mark.parametrize(("value", "country", "message"), [
    ("DE136695978", "DE", "DE136695978 is not a valid VAT number from Germany: its check digits do not match. "
                          "Check it for a typing error."),
    ("x", "FR", "X is not in the form of a VAT number from France, which is FR, 2 characters and 9 digits."),
    ("FR40303265045", "DE", "This VAT number starts with FR (France), but the buyer's country is Germany: a VAT "
                            "number from Germany starts with DE. Correct the number or the country."),
])
def test_vat_ids_that_fail_their_check(value, country, message):
    assert only_error("vat_id", vat_id=value, country=country) == message


@pytest.mark.parametrize("value", ["GB#123", "-GB123", "GB/123", "GB_123"])
def test_bad_vat_ids(value):
    assert only_error("vat_id", vat_id=value) == "Use letters, digits, spaces, dots and hyphens only."


# ---------------------------------------------------------------- medium and term


@pytest.mark.parametrize("value", ["podcast", "Website", 1, ["website"]])
def test_unknown_medium(value):
    assert only_error("medium", medium=value) == (
        "Choose one of: website, print, newsletter, broadcast, social, syndication_feed.")


@pytest.mark.parametrize("value", ["forever", "1 year", 30])
def test_unknown_term(value):
    assert only_error("term", term=value) == "Choose one of: one_off, 30_days, 1_year, perpetual."


@pytest.mark.parametrize("field", ["medium", "term"])
def test_medium_and_term_required(field):
    assert only_error(field, **{field: None}) == REQUIRED


# ---------------------------------------------------------------- territory


@pytest.mark.parametrize(("value", "expected"), [
    ("worldwide", "worldwide"),
    ("  Worldwide ", "worldwide"),
    ("WORLDWIDE", "worldwide"),
    (["GB"], ("GB",)),
    (["gb", " fr "], ("FR", "GB")),
    (["GB", "GB", "gb"], ("GB",)),
    ("GB", ("GB",)),
    ("GB, FR;DE", ("DE", "FR", "GB")),
    ("gb fr", ("FR", "GB")),
    ("GB,,FR,", ("FR", "GB")),
    ("region:uk_ie", ("GB", "IE")),
    ("region:EU", EU),
    (" region:gulf ", ("AE", "BH", "KW", "OM", "QA", "SA")),
])
def test_good_territories(value, expected):
    assert accepted(territory=value).territory == expected


def test_eu_region_has_27_members():
    assert len(accepted(territory="region:eu").territory) == 27


@pytest.mark.parametrize(("value", "message"), [
    ("", 'Choose "worldwide", a region, or at least one country.'),
    ("  ", 'Choose "worldwide", a region, or at least one country.'),
    (None, 'Choose "worldwide", a region, or at least one country.'),
    ([], 'Choose "worldwide", a region, or at least one country.'),
    (5, 'Choose "worldwide", a region, or at least one country.'),
    ({"GB": True}, 'Choose "worldwide", a region, or at least one country.'),
    (("GB",), 'Choose "worldwide", a region, or at least one country.'),
    (",", 'Choose "worldwide", a region, or at least one country.'),
    ("XX", "'XX' is not an ISO 3166 country code."),
    ("GB, UK", "'UK' is not an ISO 3166 country code."),
    (["GB", 5], "'5' is not an ISO 3166 country code."),
    (["GB", None], "'None' is not an ISO 3166 country code."),
    (["worldwide"], "'worldwide' is not an ISO 3166 country code."),
    ("region:atlantis", "Unknown region 'atlantis'."),
    ("region:", "Unknown region ''."),
    (["GB"] * 250, "Too many countries; choose worldwide instead."),
])
def test_bad_territories(value, message):
    assert only_error("territory", territory=value) == message


def test_a_long_bad_code_is_cut_short_in_the_message():
    message = only_error("territory", territory=["X" * 500])
    assert message == f"{'X' * 20!r} is not an ISO 3166 country code."


# ---------------------------------------------------------------- audience


@pytest.mark.parametrize(("value", "expected"), [
    ("25,000", 25000), ("25000", 25000), (" 25 000 ", 25000), ("25_000", 25000), (25000, 25000), ("1", 1),
    (1, 1), (10**10, 10**10), ("10000000000", 10**10), ("1,000,000", 1_000_000),  # the most: 10 billion
])
def test_good_audiences(value, expected):
    assert accepted(audience=value).audience == expected


@pytest.mark.parametrize(("value", "message"), [
    ("abc", WHOLE),
    ("25k", WHOLE),
    ("2.5", WHOLE),
    ("-5000", "Must be at least 1."),  # bug 8: it is a whole number, only too small
    ("-1", "Must be at least 1."),
    ("0", "Must be at least 1."),
    (0, "Must be at least 1."),
    ("-" + "9" * 30, "Must be at least 1."),
    ("+5", WHOLE),
    ("--5", WHOLE),
    (-1, "Must be at least 1."),
    (10**10 + 1, "Cannot be more than 10,000,000,000."),
    ("10000000001", "Cannot be more than 10,000,000,000."),
    ("9" * 30, "Cannot be more than 10,000,000,000."),
    (10**100, "Cannot be more than 10,000,000,000."),
    (True, WHOLE),
    (False, WHOLE),
    (25000.0, WHOLE),
    (2.5, WHOLE),
    ([25000], WHOLE),
    ({"n": 1}, WHOLE),
    (None, "This field is required: your monthly unique visitors, readers or circulation."),
    ("", "This field is required: your monthly unique visitors, readers or circulation."),
])
def test_bad_audiences(value, message):
    assert only_error("audience", audience=value) == message


# ---------------------------------------------------------------- start date


@pytest.mark.parametrize(("value", "expected"), [
    ("2030-03-15", TODAY),
    (" 2030-03-16 ", date(2030, 3, 16)),
    (TODAY, TODAY),
    ((TODAY + timedelta(days=732)).isoformat(), TODAY + timedelta(days=732)),
])
def test_good_start_dates(value, expected):
    assert accepted(start_date=value).start_date == expected


@pytest.mark.parametrize(("value", "message"), [
    ("2030-03-14", "The start date cannot be in the past."),
    ("2016-10-21", "The start date cannot be in the past."),
    (date(2030, 3, 14), "The start date cannot be in the past."),
    ((TODAY + timedelta(days=733)).isoformat(), "The start date must be within two years."),
    ("9999-12-31", "The start date must be within two years."),
    ("soon", DATE),
    ("2030-02-30", DATE),
    ("15/03/2030", DATE),
    ("2030-03-15T10:00", DATE),
    (20300315, DATE),
    (2030.0315, DATE),
    (True, DATE),
    (["2030-03-15"], DATE),
    ({"date": "2030-03-15"}, DATE),
    (datetime(2030, 3, 20, 9, 0), DATE),
    (None, REQUIRED),
    ("", REQUIRED),
])
def test_bad_start_dates(value, message):
    assert only_error("start_date", start_date=value) == message


# ---------------------------------------------------------------- booleans and terms


@pytest.mark.parametrize(("value", "expected"), [
    (True, True), (False, False), ("yes", True), ("on", True), ("1", True), ("TRUE", True), (" y ", True),
    ("no", False), ("off", False), ("0", False), ("", False), (None, False), ("False", False), ("n", False),
    (" N ", False),
])
def test_boolean_fields(value, expected):
    assert accepted(exclusive=value).exclusive is expected


@pytest.mark.parametrize("value", ["maybe", 1, 0, 2.0, [], {}, ["yes"]])
def test_booleans_refuse_other_values(value):
    assert only_error("exclusive", exclusive=value) == "Must be true or false."
    assert only_error("media_wanted", media_wanted=value) == "Must be true or false."


@pytest.mark.parametrize("value", [None, False, "", "no", "off"])
def test_terms_must_be_accepted(value):
    assert only_error("terms_accepted", terms_accepted=value) == (
        "You must accept the standard terms to submit a request.")


def test_terms_missing_key():
    data = valid()
    del data["terms_accepted"]
    _, errors = validate_request(data, TODAY)
    assert errors == {"terms_accepted": ["You must accept the standard terms to submit a request."]}


def test_terms_not_a_boolean():
    assert only_error("terms_accepted", terms_accepted="perhaps") == "Must be true or false."


def test_the_api_accepts_the_terms_by_default_but_never_a_refusal_of_them():
    data = valid()
    del data["terms_accepted"]
    given, errors = validate_request(data, TODAY, require_terms=False)
    assert errors == {}
    assert given.terms_accepted is True
    given, errors = validate_request(valid(terms_accepted=False), TODAY, require_terms=False)
    assert given is None
    assert list(errors) == ["terms_accepted"]


# ---------------------------------------------------------------- validate_quote


def quote_data(**changes) -> dict:
    data = {k: v for k, v in valid().items() if k in {
        "article_url", "medium", "audience", "territory", "language", "term", "exclusive", "media_wanted"}}
    data.update(changes)
    return data


def test_the_fields_of_a_quote():
    assert QUOTE_FIELDS == ("article_url", "medium", "audience", "territory", "language", "term", "exclusive",
                            "media_wanted")


def test_a_valid_quote_passes():
    given, errors = validate_quote(quote_data())
    assert errors == {}
    assert given == QuoteInput(article_url=ARTICLE, medium="website", audience=25000, territory="worldwide",
                               language="tr", term="1_year", exclusive=False, media_wanted=True)


def test_a_quote_ignores_request_only_fields():
    given, errors = validate_quote(quote_data(email="bad", organisation="\x00", start_date="garbage"))
    assert errors == {}
    assert isinstance(given, QuoteInput)


def test_an_empty_quote_names_the_pricing_fields():
    given, errors = validate_quote({})
    assert given is None
    assert set(errors) == {"article_url", "medium", "audience", "territory", "language", "term"}


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"medium": "podcast"}, "medium", "Choose one of: website, print, newsletter, broadcast, social, syndication_feed."),
    ({"audience": "lots"}, "audience", WHOLE),
    ({"audience": -5}, "audience", "Must be at least 1."),
    ({"territory": "region:mars"}, "territory", "Unknown region 'mars'."),
    ({"language": "zz"}, "language", "Choose a valid ISO 639-1 language code; 'zz' is not one."),
    ({"term": ""}, "term", REQUIRED),
    ({"article_url": "www.example.com"}, "article_url", URL),
    ({"exclusive": "perhaps"}, "exclusive", "Must be true or false."),
])
def test_quote_errors(changes, field, message):
    given, errors = validate_quote(quote_data(**changes))
    assert given is None
    assert errors == {field: [message]}


def test_quote_article_exists_false():
    given, errors = validate_quote(quote_data(), lambda url: False)
    assert given is None
    assert errors == {"article_url": ["No article in our catalog has this address. Search for it above."]}


# ---------------------------------------------------------------- a choice among few or many


@pytest.mark.parametrize(("count", "message"), [
    (10, "Choose one of: a0, a1, a2, a3, a4, a5, a6, a7, a8, a9."),  # ten are listed
    (11, "Choose a valid thing; 'zz' is not one."),  # more are not
])
def test_up_to_ten_choices_are_listed(count, message):
    check = _Check({"x": "zz"})
    assert check.choice("x", tuple(f"a{i}" for i in range(count)), "thing") == ""
    assert check.errors == {"x": [message]}


def test_a_long_bad_choice_is_cut_to_20_characters():
    assert only_error("language", language="abcdefghijklmnopqrstuvwxyz") == (
        "Choose a valid ISO 639-1 language code; 'abcdefghijklmnopqrst' is not one.")


def test_every_country_at_once_is_a_territory():
    assert accepted(territory=list(countries())).territory == tuple(sorted(countries()))


def test_an_audience_of_thousands_of_digits_is_too_many_not_an_error():
    assert only_error("audience", audience="9" * 5000) == "Cannot be more than 10,000,000,000."


# ---------------------------------------------------------------- JSON bodies


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize(("value", "problem"), [
    ({"a": [1, "b", {"c": None}]}, None),
    (nested(32), None),  # 32 levels: the most allowed
    (nested(33), "The body is nested too deeply (at most 32 levels)."),
    ({"a": nested(32)}, "The body is nested too deeply (at most 32 levels)."),
    ("\ud800", "The body contains an unpaired UTF-16 surrogate (such as \\ud800), which is not text."),
    ({"\udfff": 1}, "The body contains an unpaired UTF-16 surrogate (such as \\ud800), which is not text."),
    ({"a": [json.loads('"\\ud83d\\ude00"')]}, None),  # an escaped pair is one character: fine
    ("text", None),
])
def test_json_body_problem(value, problem):
    assert json_body_problem(value) == problem
