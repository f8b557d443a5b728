"""The rate card editor's pure rules: a card shown as the form shows it, the typed form read back
(a message for each field that cannot be read, nothing else lost), the five typical requests a new
version is previewed on, and what a new version changes. Expected values are worked by hand from
the demo rate card (licensing/pricing/rules.py DEMO_RATE_CARD)."""
from __future__ import annotations

import copy

import pytest

from licensing.admin.rules import (
    FIELDS,
    TYPICAL_REQUESTS,
    card_fingerprint,
    changes,
    compare,
    factor_text,
    form_values,
    parse_factor,
    pricing_refusal,
    read_form,
)
from licensing.pricing.rules import DEMO_RATE_CARD, PricingError, RateCardTerms

DEMO = RateCardTerms.from_dict(1, DEMO_RATE_CARD)


def typed(**changed: str) -> dict[str, str]:
    """The demo card as the form shows it, with some fields typed differently."""
    values = form_values(DEMO_RATE_CARD)
    values.update(changed)
    return values


@pytest.mark.parametrize(("bp", "text"), [
    (10000, "1"), (15000, "1.5"), (12500, "1.25"), (35000, "3.5"), (0, "0"), (10001, "1.0001"), (600000, "60"),
])
def test_a_factor_in_basis_points_shows_as_a_multiplier(bp, text):
    assert factor_text(bp) == text


@pytest.mark.parametrize(("text", "bp"), [
    ("1", 10000), ("1.5", 15000), (" 1.25 ", 12500), ("x2", 20000), ("×1.5", 15000), ("X 3.5", 35000),
    ("0", 0), ("1.0001", 10001), ("100", 1_000_000), (".5", 5000),
])
def test_a_typed_multiplier_is_read_exactly(text, bp):
    assert parse_factor(text) == bp


@pytest.mark.parametrize("text", ["", "1,5", "-1", "1.00001", "abc", "101", "1e2", "1.5.2", "½"])
def test_what_is_not_a_multiplier_is_refused(text):
    with pytest.raises(ValueError, match=r"multiplier such as 1\.5"):
        parse_factor(text)


def test_the_form_shows_the_demo_card_in_major_units_and_multipliers():
    values = form_values(DEMO_RATE_CARD)
    assert values["currency"] == "GBP"
    assert values["minimum_fee"] == "50.00"
    assert values["media_fee"] == "75.00"
    assert values["base_website"] == "150.00" and values["base_syndication_feed"] == "400.00"
    assert values["territory_up_to_5_countries"] == "1.5" and values["territory_worldwide"] == "3"
    assert values["term_30_days"] == "1.25" and values["term_perpetual"] == "3.5"
    assert values["translation"] == "1.25" and values["exclusivity"] == "3"
    assert [(values[f"tier_{i}_up_to"], values[f"tier_{i}_factor"]) for i in range(6)] == [
        ("10,000", "1"), ("100,000", "1.5"), ("1,000,000", "2.5"), ("10,000,000", "4"), ("", "6"), ("", "")]
    assert values["note"] == ""


def test_the_form_as_shown_reads_back_as_the_same_card():
    card, errors = read_form(form_values(DEMO_RATE_CARD))
    assert errors == {}
    assert card == DEMO_RATE_CARD


def test_a_changed_fee_and_multiplier_are_read():
    card, errors = read_form(typed(base_print="220", term_perpetual="4", tier_1_up_to="150 000"))
    assert errors == {}
    assert card["base_fees"]["print"] == 22000
    assert card["term_factors"]["perpetual"] == 40000
    assert card["audience_tiers"][1] == {"up_to": 150_000, "factor_bp": 15000}


def test_every_unreadable_field_gets_its_own_message():
    card, errors = read_form(typed(minimum_fee="fifty", base_print="200.555", territory_worldwide="lots",
                                   translation="", media_fee="-5"))
    assert card is None
    assert errors == {
        "minimum_fee": "Enter an amount such as 350 or 350.00.",
        "base_print": "GBP amounts have at most 2 decimal places.",
        "territory_worldwide": "Enter a multiplier such as 1.5 (× 1.5), with at most four decimals, up to 100.",
        "translation": "Enter a multiplier such as 1.5 (× 1.5), with at most four decimals, up to 100.",
        "media_fee": "Enter an amount such as 350 or 350.00.",
    }


def test_an_unknown_currency_is_refused_and_amounts_are_then_checked_for_their_form_only():
    card, errors = read_form(typed(currency="pounds", base_print="200.555", minimum_fee="fifty"))
    assert card is None
    assert errors == {"currency": "Enter a three-letter ISO 4217 currency code, e.g. GBP.",
                      "minimum_fee": "Enter an amount such as 350 or 350.00."}


def test_lower_case_currency_is_read_in_capitals_and_jpy_fees_are_whole():
    card, errors = read_form(typed(currency="jpy", minimum_fee="5000", media_fee="750", base_website="15000",
                                   base_print="20000", base_newsletter="10000", base_broadcast="30000",
                                   base_social="7500", base_syndication_feed="40000"))
    assert errors == {}
    assert card["currency"] == "JPY" and card["minimum_fee"] == 5000 and card["base_fees"]["website"] == 15000
    _card, errors = read_form(typed(currency="JPY", minimum_fee="50.50"))
    assert errors["minimum_fee"] == "JPY amounts have at most 0 decimal places."


@pytest.mark.parametrize(("tiers", "field", "message"), [
    # (up to, multiplier) per row; the last, open tier has no "up to"
    ([("10,000", "1"), ("", "2"), ("", "3")], "tier_1_up_to",
     "Only the last tier has no upper limit: enter one, e.g. 100,000."),
    ([("10,000", "1"), ("100,000", "2")], "tier_1_up_to",
     "Leave the last tier's “up to” empty: it covers every larger audience."),
    ([("100,000", "1"), ("100,000", "2"), ("", "3")], "tier_1_up_to", "Enter more than the tier above (100,000)."),
    ([("100,000", "1"), ("50,000", "2"), ("", "3")], "tier_1_up_to", "Enter more than the tier above (100,000)."),
    ([("10,000", ""), ("", "2")], "tier_0_factor", "Enter this tier's multiplier, e.g. 1.5."),
    ([("ten", "1"), ("", "2")], "tier_0_up_to", "Enter a whole number of people, e.g. 100,000."),
    ([("0", "1"), ("", "2")], "tier_0_up_to", "Enter a whole number of people, e.g. 100,000."),
    ([], "tier_0_factor", "Enter at least one tier: an empty “up to” and its multiplier."),
])
def test_audience_tiers_must_rise_and_end_open(tiers, field, message):
    rows = {f"tier_{i}_{part}": "" for i in range(8) for part in ("up_to", "factor")}
    for i, (up_to, factor) in enumerate(tiers):
        rows[f"tier_{i}_up_to"], rows[f"tier_{i}_factor"] = up_to, factor
    card, errors = read_form(typed(**rows))
    assert card is None
    assert errors == {field: message}


def test_blank_rows_between_tiers_are_skipped():
    rows = {f"tier_{i}_{part}": "" for i in range(8) for part in ("up_to", "factor")}
    rows.update(tier_0_up_to="5,000", tier_0_factor="1", tier_3_up_to="", tier_3_factor="2")
    card, errors = read_form(typed(**rows))
    assert errors == {}
    assert card["audience_tiers"] == [{"up_to": 5000, "factor_bp": 10000}, {"up_to": None, "factor_bp": 20000}]


def test_a_note_longer_than_the_column_is_refused():
    _card, errors = read_form(typed(note="x" * 501))
    assert errors == {"note": "Keep the note to 500 characters."}


def test_five_typical_requests_are_quoted_on_the_demo_card():
    assert [(t.name, t.use.medium, t.use.audience, t.use.territory, t.use.term) for t in TYPICAL_REQUESTS] == [
        ("Small web reprint in the UK", "website", 5_000, ("GB",), "one_off"),
        ("National print run", "print", 250_000, ("GB",), "one_off"),
        ("Website in three countries", "website", 200_000, ("DE", "ES", "FR"), "1_year"),
        ("Broadcast", "broadcast", 1_500_000, ("GB",), "30_days"),
        ("Long term: perpetual archive", "website", 50_000, ("GB",), "perpetual"),
    ]
    same = compare(DEMO, DEMO)
    assert [(c.before.amount, c.after.amount, c.difference) for c in same] == [
        (15000, 15000, 0), (50000, 50000, 0), (112500, 112500, 0), (150000, 150000, 0), (78750, 78750, 0)]


def test_a_new_version_is_compared_before_and_after():
    card = copy.deepcopy(DEMO_RATE_CARD)
    card["base_fees"]["print"] = 22000  # national print run: 220 x 2.5 = 550
    card["territory_factors"]["up_to_5_countries"] = 17500  # 150 x 2.5 x 1.75 x 2 = 1,312.50
    card["term_factors"]["perpetual"] = 30000  # 150 x 1.5 x 3 = 675
    new = RateCardTerms.from_dict(2, card)
    got = [(c.before.amount, c.after.amount, c.difference, c.percent) for c in compare(DEMO, new)]
    assert got == [(15000, 15000, 0, "0.0%"), (50000, 55000, 5000, "+10.0%"), (112500, 131250, 18750, "+16.7%"),
                   (150000, 150000, 0, "0.0%"), (78750, 67500, -11250, "-14.3%")]


def test_another_currency_cannot_be_compared():
    card = dict(copy.deepcopy(DEMO_RATE_CARD), currency="EUR")
    [first, *_] = compare(DEMO, RateCardTerms.from_dict(2, card))
    assert (first.before.currency, first.after.currency, first.difference, first.percent) == ("GBP", "EUR", None, None)


def test_the_changes_of_a_new_version_are_listed_by_label():
    values = typed(base_print="220.00", term_perpetual="3", tier_4_up_to="", tier_4_factor="6.5")
    card, _ = read_form(values)
    assert changes(DEMO_RATE_CARD, card) == [
        ("Base fee: Print", "200.00", "220.00"),
        ("Audience tier 5: multiplier", "6", "6.5"),
        ("Term multiplier: Perpetual archive", "3.5", "3"),
    ]
    assert changes(DEMO_RATE_CARD, DEMO_RATE_CARD) == []


def test_the_fingerprint_names_the_values_not_their_spelling():
    a, _ = read_form(typed(base_print="220"))
    b, _ = read_form(typed(base_print="220.00"))
    c, _ = read_form(typed(base_print="221"))
    assert card_fingerprint(a) == card_fingerprint(b) != card_fingerprint(c)
    assert len(card_fingerprint(a)) == 64


def test_with_no_card_before_only_the_new_quotes_are_shown():
    [first, *_] = compare(None, DEMO)
    assert (first.before, first.after.amount, first.difference, first.percent) == (None, 15000, None, None)


@pytest.mark.parametrize(("before", "after", "percent"), [
    (300, 400, "+33.3%"), (800, 900, "+12.5%"), (1600, 1700, "+6.3%"), (1600, 1500, "-6.3%"),
    (3, 2, "-33.3%"), (100, 100, "0.0%"), (7, 14, "+100.0%"), (0, 500, None),
])
def test_the_change_is_a_tenth_of_a_percent_rounded_half_up(before, after, percent):
    from licensing.admin.rules import Comparison
    from licensing.pricing.rules import Quote

    change = Comparison(TYPICAL_REQUESTS[0], Quote(before, "GBP", (), 1), Quote(after, "GBP", (), 2))
    assert (change.difference, change.percent) == (after - before, percent)


FACTOR_MESSAGE = "Enter a multiplier such as 1.5 (× 1.5), with at most four decimals, up to 100."
AUDIENCE_MESSAGE = "Enter a whole number of people, e.g. 100,000."
AMOUNT_MESSAGE = "Enter an amount such as 350 or 350.00."


def test_every_field_outside_the_tiers_has_its_label():
    assert [f.full_label for f in FIELDS if not f.name.startswith("tier_")] == [
        "Currency", "Minimum fee", "Base fee: Website", "Base fee: Print", "Base fee: E-mail newsletter",
        "Base fee: Broadcast (TV or radio)", "Base fee: Social media", "Base fee: Syndication feed",
        "Territory multiplier: One country", "Territory multiplier: 2 to 5 countries",
        "Territory multiplier: More than 5 countries", "Territory multiplier: Worldwide",
        "Term multiplier: One-off use", "Term multiplier: 30 days", "Term multiplier: 1 year",
        "Term multiplier: Perpetual archive", "Translation multiplier", "Exclusivity multiplier",
        "Each licensable photo or video"]
    tiers = [f.full_label for f in FIELDS if f.name.startswith("tier_")]
    assert tiers[:4] == ["Audience tier 1: up to", "Audience tier 1: multiplier", "Audience tier 2: up to",
                         "Audience tier 2: multiplier"]
    assert len(tiers) == 16


def test_a_card_in_a_currency_without_decimals_shows_whole_amounts():
    card = dict(copy.deepcopy(DEMO_RATE_CARD), currency="JPY", minimum_fee=5000, media_fee=750,
                base_fees={m: 15000 for m in DEMO_RATE_CARD["base_fees"]})
    values = form_values(card)
    assert (values["minimum_fee"], values["media_fee"], values["base_print"]) == ("5000", "750", "15000")


def test_a_card_stored_before_media_fees_shows_none():
    card = copy.deepcopy(DEMO_RATE_CARD)
    del card["media_fee"]
    assert form_values(card)["media_fee"] == "0.00"


def test_a_form_with_fields_missing_gets_a_message_for_each_and_no_crash():
    card, errors = read_form({})
    assert card is None
    assert errors == {
        "currency": "Enter a three-letter ISO 4217 currency code, e.g. GBP.",
        "minimum_fee": AMOUNT_MESSAGE, "media_fee": AMOUNT_MESSAGE,
        **{f"base_{m}": AMOUNT_MESSAGE for m in DEMO_RATE_CARD["base_fees"]},
        "translation": FACTOR_MESSAGE, "exclusivity": FACTOR_MESSAGE,
        **{f"territory_{s}": FACTOR_MESSAGE for s in DEMO_RATE_CARD["territory_factors"]},
        **{f"term_{t}": FACTOR_MESSAGE for t in DEMO_RATE_CARD["term_factors"]},
        "tier_0_factor": "Enter at least one tier: an empty “up to” and its multiplier.",
    }


def test_a_form_with_only_the_tier_rows_it_uses_is_read():
    values = {k: v for k, v in typed().items() if not k.startswith("tier_")}
    values.update(tier_0_up_to="1", tier_0_factor="1", tier_1_factor="2")
    card, errors = read_form(values)
    assert errors == {}
    assert card["audience_tiers"] == [{"up_to": 1, "factor_bp": 10000}, {"up_to": None, "factor_bp": 20000}]


@pytest.mark.parametrize(("up_to", "read"), [
    ("1", 1), ("100\u202f000", 100_000), ("100\u00a0000", 100_000), ("1 000 000", 1_000_000),
    ("10,000,000,000", 10_000_000_000),
])
def test_a_tier_reads_from_one_person_to_the_largest_audience(up_to, read):
    card, errors = read_form(typed(**_tiers([(up_to, "1"), ("", "2")])))
    assert errors == {}
    assert card["audience_tiers"][0] == {"up_to": read, "factor_bp": 10000}


@pytest.mark.parametrize(("tiers", "errors"), [
    ([("10,000,000,001", "1"), ("", "2")], {"tier_0_up_to": AUDIENCE_MESSAGE}),
    ([("١٠٠", "1"), ("", "2")], {"tier_0_up_to": AUDIENCE_MESSAGE}),  # digits, but not ASCII ones
    # an unreadable bound does not make the next one look too small
    ([("ten", "1"), ("1", "2"), ("", "3")], {"tier_0_up_to": AUDIENCE_MESSAGE}),
    ([("", "1"), ("1", "2"), ("", "3")],
     {"tier_0_up_to": "Only the last tier has no upper limit: enter one, e.g. 100,000."}),
    # an unreadable multiplier keeps its own message
    ([("10,000", "abc"), ("", "2")], {"tier_0_factor": FACTOR_MESSAGE}),
])
def test_a_tier_that_cannot_be_read_says_only_what_is_wrong(tiers, errors):
    card, got = read_form(typed(**_tiers(tiers)))
    assert (card, got) == (None, errors)


def _tiers(rows: list[tuple[str, str]]) -> dict[str, str]:
    values = {f"tier_{i}_{part}": "" for i in range(8) for part in ("up_to", "factor")}
    for i, (up_to, factor) in enumerate(rows):
        values[f"tier_{i}_up_to"], values[f"tier_{i}_factor"] = up_to, factor
    return values


def test_a_note_of_exactly_the_column_is_kept():
    card, errors = read_form(typed(note="x" * 500))
    assert errors == {} and card is not None


def test_a_refusal_of_the_pricing_rules_reads_as_a_sentence():
    refusal = pricing_refusal(PricingError("rate_card", "audience tiers must rise strictly"))
    assert refusal == {"rate_card": "Audience tiers must rise strictly."}


def test_the_fingerprint_is_of_the_canonical_json():
    # sha256 of '{"a":2,"b":[1,"x"]}': sorted keys, no spaces (computed with sha256sum, not this code)
    expected = "ff0dbc276228342a8b965009d571339643da1a81e0e29d3182d517184abe2834"
    assert card_fingerprint({"b": [1, "x"], "a": 2}) == card_fingerprint({"a": 2, "b": [1, "x"]}) == expected


def test_each_comparison_names_its_request():
    assert [c.request.name for c in compare(DEMO, DEMO)] == [
        "Small web reprint in the UK", "National print run", "Website in three countries", "Broadcast",
        "Long term: perpetual archive"]
