"""Pricing: every medium x territory scope x term on the demo rate card, checked against an
independent Fraction-based oracle; audience tiers at their edges; refusals; rate card rules."""
from __future__ import annotations

import copy
import itertools
import json
import re
from fractions import Fraction
from math import floor

import pytest

from licensing.pricing.rules import (
    DEMO_RATE_CARD,
    MAX_AUDIENCE,
    MEDIA,
    TERMS,
    TERRITORY_SCOPES,
    PricingError,
    Quote,
    QuoteLine,
    RateCardTerms,
    RequestedUse,
    quote_for,
    territory_scope,
)
from licensing.pricing.rules.steps import (
    factor_label,
)

CARD = RateCardTerms.from_dict(7, DEMO_RATE_CARD)

# Written out by hand from DEMO_RATE_CARD, not read from it: a change to the card must show here.
BASE = {"website": 15000, "print": 20000, "newsletter": 10000, "broadcast": 30000, "social": 7500,
        "syndication_feed": 40000}
TERRITORY = {"one_country": Fraction(1), "up_to_5_countries": Fraction(3, 2), "more_countries": Fraction(2),
             "worldwide": Fraction(3)}
TERM = {"one_off": Fraction(1), "30_days": Fraction(5, 4), "1_year": Fraction(2), "perpetual": Fraction(7, 2)}
LABEL = {"website": "Website", "print": "Print", "newsletter": "E-mail newsletter",
         "broadcast": "Broadcast (TV or radio)", "social": "Social media", "syndication_feed": "Syndication feed"}
TERRITORY_FOR_SCOPE = {
    "one_country": ("GB",),
    "up_to_5_countries": ("GB", "FR", "DE", "IE", "NL"),
    "more_countries": ("GB", "FR", "DE", "IE", "NL", "ES"),
    "worldwide": "worldwide",
}


def demo_audience_factor(audience: int) -> Fraction:
    if audience <= 10_000:
        return Fraction(1)
    if audience <= 100_000:
        return Fraction(3, 2)
    if audience <= 1_000_000:
        return Fraction(5, 2)
    if audience <= 10_000_000:
        return Fraction(4)
    return Fraction(6)


def half_up(value: Fraction) -> int:
    assert value >= 0
    return floor(value + Fraction(1, 2))


def oracle(base: int, factors: list[Fraction], media: int, minimum: int) -> int:
    """The documented rule: each factor applied in turn, each step rounded half up, then add-ons
    and the minimum fee."""
    running = base
    for factor in factors:
        running = half_up(running * factor)
    return max(running + media, minimum)


def use(medium="website", audience=5000, territory=("GB",), term="one_off", **kw) -> RequestedUse:
    return RequestedUse(medium=medium, audience=audience, territory=territory, term=term, **kw)


def refusal(field: str, message: str) -> str:
    """`match=` for the whole text of a PricingError: its field, then its message."""
    return f"^{re.escape(field)}: {re.escape(message)}$"


def card_with(**changes) -> dict:
    data = copy.deepcopy(DEMO_RATE_CARD)
    data.update(changes)
    return data


# ---------------------------------------------------------------- the full grid


@pytest.mark.parametrize("medium", MEDIA)
@pytest.mark.parametrize("scope", TERRITORY_SCOPES)
@pytest.mark.parametrize("term", TERMS)
def test_every_medium_scope_and_term_matches_the_oracle(medium, scope, term):
    audience = 25_000
    quote = quote_for(CARD, use(medium, audience, TERRITORY_FOR_SCOPE[scope], term))
    expected = oracle(BASE[medium], [demo_audience_factor(audience), TERRITORY[scope], TERM[term]], 0, 5000)
    assert quote.amount == expected
    assert type(quote.amount) is int and all(type(line.amount) is int for line in quote.lines)
    assert quote.currency == "GBP"
    assert quote.rate_card_version == 7
    assert sum(line.amount for line in quote.lines) == quote.amount
    assert quote.lines[0] == QuoteLine(f"Base fee: {LABEL[medium]}", BASE[medium], "base")
    assert [line.label.split(":")[0].split(" (")[0] for line in quote.lines[1:4]] == [
        "Audience 10,001 to 100,000", "Territory", "Term"]


@pytest.mark.parametrize("medium", MEDIA)
@pytest.mark.parametrize("scope", TERRITORY_SCOPES)
@pytest.mark.parametrize("term", TERMS)
def test_every_combination_with_translation_exclusivity_and_media(medium, scope, term):
    audience = 2_000_000
    quote = quote_for(CARD, use(medium, audience, TERRITORY_FOR_SCOPE[scope], term,
                                translation=True, exclusive=True, media_assets=2))
    factors = [demo_audience_factor(audience), TERRITORY[scope], TERM[term], Fraction(5, 4), Fraction(3)]
    assert quote.amount == oracle(BASE[medium], factors, 2 * 7500, 5000)
    assert type(quote.amount) is int and all(type(line.amount) is int for line in quote.lines)
    assert sum(line.amount for line in quote.lines) == quote.amount
    assert len(quote.lines) == 7


# What the breakdown says for each territory scope and term (written out, not read from the module).
SCOPE_LINES = {"one_country": "Territory: One country (x1)", "up_to_5_countries": "Territory: 2 to 5 countries (x1.5)",
               "more_countries": "Territory: More than 5 countries (x2)", "worldwide": "Territory: Worldwide (x3)"}
TERM_LINES = {"one_off": "Term: One-off use (x1)", "30_days": "Term: 30 days (x1.25)", "1_year": "Term: 1 year (x2)",
              "perpetual": "Term: Perpetual archive (x3.5)"}


@pytest.mark.parametrize("scope", TERRITORY_SCOPES)
@pytest.mark.parametrize("term", TERMS)
def test_each_territory_scope_and_term_is_named_in_the_breakdown(scope, term):
    quote = quote_for(CARD, use("website", 5000, TERRITORY_FOR_SCOPE[scope], term))
    assert [line.label for line in quote.lines[2:4]] == [SCOPE_LINES[scope], TERM_LINES[term]]


@pytest.mark.parametrize(("medium", "scope", "term", "amount"), [
    ("website", "one_country", "one_off", 22500),  # 150.00 x1.5
    ("website", "worldwide", "one_off", 67500),  # 150.00 x1.5 x3
    ("print", "up_to_5_countries", "30_days", 56250),  # 200 x1.5 x1.5 x1.25
    ("broadcast", "more_countries", "perpetual", 315000),  # 300 x1.5 x2 x3.5
    ("social", "one_country", "1_year", 22500),  # 75 x1.5 x2
    ("syndication_feed", "worldwide", "perpetual", 630000),  # 400 x1.5 x3 x3.5
    ("newsletter", "one_country", "one_off", 15000),
])
def test_hand_computed_totals(medium, scope, term, amount):
    assert quote_for(CARD, use(medium, 25_000, TERRITORY_FOR_SCOPE[scope], term)).amount == amount


def test_the_worldwide_website_example_has_a_readable_breakdown():
    quote = quote_for(CARD, use("website", 25_000, "worldwide", "1_year", translation=True))
    assert quote.lines == (
        QuoteLine("Base fee: Website", 15000, "base"),
        QuoteLine("Audience 10,001 to 100,000 (x1.5)", 7500, "factor", 15000, "audience 10,001 to 100,000"),
        QuoteLine("Territory: Worldwide (x3)", 45000, "factor", 30000, "worldwide"),
        QuoteLine("Term: 1 year (x2)", 67500, "factor", 20000, "1 year"),
        QuoteLine("Translation (x1.25)", 33750, "factor", 12500, "translation"),
    )
    assert quote.amount == 168750


def test_lines_always_sum_exactly_to_the_amount_over_many_combinations():
    # An awkward card (odd fees, factors that never divide evenly) so every step rounds.
    odd = RateCardTerms.from_dict(3, {
        "currency": "EUR", "minimum_fee": 4321,
        "base_fees": {m: 999 + 1234 * i for i, m in enumerate(MEDIA)},
        "audience_tiers": [{"up_to": 999, "factor_bp": 10001}, {"up_to": 50_000, "factor_bp": 13333},
                           {"up_to": None, "factor_bp": 27777}],
        "territory_factors": {s: 10007 + 3331 * i for i, s in enumerate(TERRITORY_SCOPES)},
        "term_factors": {t: 9999 + 4447 * i for i, t in enumerate(TERMS)},
        "translation_factor_bp": 11111, "exclusivity_factor_bp": 25555, "media_fee": 333,
    })
    audiences = (0, 999, 1000, 50_000, 50_001, MAX_AUDIENCE)
    checked = 0
    for medium, scope, term, translation, exclusive, assets, audience in itertools.product(
            MEDIA, TERRITORY_SCOPES, TERMS, (False, True), (False, True), (0, 1, 3), audiences):
        quote = quote_for(odd, use(medium, audience, TERRITORY_FOR_SCOPE[scope], term,
                                   translation=translation, exclusive=exclusive, media_assets=assets))
        assert sum(line.amount for line in quote.lines) == quote.amount
        tier = Fraction(10001 if audience <= 999 else 13333 if audience <= 50_000 else 27777, 10000)
        factors = [tier, Fraction(odd.territory_factors[scope], 10000), Fraction(odd.term_factors[term], 10000)]
        factors += [Fraction(11111, 10000)] * translation + [Fraction(25555, 10000)] * exclusive
        assert quote.amount == oracle(odd.base_fees[medium], factors, 333 * assets, 4321)
        assert quote.lines[0].amount == odd.base_fees[medium]
        checked += 1
    assert checked == 6 * 4 * 4 * 2 * 2 * 3 * 6


# ---------------------------------------------------------------- audience tiers


@pytest.mark.parametrize(("audience", "factor", "label"), [
    (0, Fraction(1), "Audience 0 to 10,000 (x1)"),
    (1, Fraction(1), "Audience 0 to 10,000 (x1)"),
    (10_000, Fraction(1), "Audience 0 to 10,000 (x1)"),
    (10_001, Fraction(3, 2), "Audience 10,001 to 100,000 (x1.5)"),
    (100_000, Fraction(3, 2), "Audience 10,001 to 100,000 (x1.5)"),
    (100_001, Fraction(5, 2), "Audience 100,001 to 1,000,000 (x2.5)"),
    (1_000_000, Fraction(5, 2), "Audience 100,001 to 1,000,000 (x2.5)"),
    (1_000_001, Fraction(4), "Audience 1,000,001 to 10,000,000 (x4)"),
    (10_000_000, Fraction(4), "Audience 1,000,001 to 10,000,000 (x4)"),
    (10_000_001, Fraction(6), "Audience over 10,000,000 (x6)"),
    (MAX_AUDIENCE, Fraction(6), "Audience over 10,000,000 (x6)"),
])
def test_audience_tier_boundaries(audience, factor, label):
    quote = quote_for(CARD, use("print", audience))
    assert quote.lines[1].label == label
    assert quote.lines[1].amount == half_up(20000 * factor) - 20000
    assert quote.amount == half_up(20000 * factor)


def test_a_single_open_tier_reads_any_size():
    card = RateCardTerms.from_dict(1, card_with(audience_tiers=[{"up_to": None, "factor_bp": 10000}]))
    assert quote_for(card, use(audience=123)).lines[1].label == "Audience (any size) (x1)"


@pytest.mark.parametrize(("audience", "message"), [
    (-1, "cannot be negative"),
    (-10_001, "cannot be negative"),
    (MAX_AUDIENCE + 1, "cannot exceed 10,000,000,000"),
    (True, "must be a whole number"),
    (False, "must be a whole number"),
    (1000.0, "must be a whole number"),
    (25_000.5, "must be a whole number"),
    ("25000", "must be a whole number"),
    (None, "must be a whole number"),
])
def test_bad_audiences_are_refused(audience, message):
    with pytest.raises(PricingError, match=refusal("audience", message)) as caught:
        quote_for(CARD, use(audience=audience))
    assert caught.value.field == "audience"
    assert caught.value.message == message
    assert str(caught.value) == f"audience: {message}"


# ---------------------------------------------------------------- refusals


MEDIA_CHOICES = "choose one of website, print, newsletter, broadcast, social, syndication_feed"
TERM_CHOICES = "choose one of one_off, 30_days, 1_year, perpetual"
TERRITORY_FORM = 'must be "worldwide" or a list of country codes'
MEDIA_COUNT = "must be a whole number, zero or more"


@pytest.mark.parametrize(("field", "changes", "message"), [
    ("medium", {"medium": "podcast"}, f"unknown medium 'podcast'; {MEDIA_CHOICES}"),
    ("medium", {"medium": "Website"}, f"unknown medium 'Website'; {MEDIA_CHOICES}"),
    ("medium", {"medium": ""}, f"unknown medium ''; {MEDIA_CHOICES}"),
    ("term", {"term": "forever"}, f"unknown term 'forever'; {TERM_CHOICES}"),
    ("term", {"term": "1 year"}, f"unknown term '1 year'; {TERM_CHOICES}"),
    ("territory", {"territory": "GB"}, TERRITORY_FORM),
    ("territory", {"territory": "Worldwide"}, TERRITORY_FORM),
    ("territory", {"territory": ""}, TERRITORY_FORM),
    ("territory", {"territory": ()}, TERRITORY_FORM),
    ("territory", {"territory": []}, TERRITORY_FORM),
    ("territory", {"territory": None}, TERRITORY_FORM),
    ("territory", {"territory": 5}, TERRITORY_FORM),
    ("territory", {"territory": ("GB", 5)}, TERRITORY_FORM),
    ("territory", {"territory": [["GB"]]}, TERRITORY_FORM),
    ("media_assets", {"media_assets": -1}, MEDIA_COUNT),
    ("media_assets", {"media_assets": True}, MEDIA_COUNT),
    ("media_assets", {"media_assets": 1.0}, MEDIA_COUNT),
])
def test_unknown_or_malformed_uses_are_refused_naming_the_field(field, changes, message):
    with pytest.raises(PricingError, match=refusal(field, message)) as caught:
        quote_for(CARD, use(**changes))
    assert (caught.value.field, caught.value.message) == (field, message)


def test_pricing_error_is_a_value_error():
    assert issubclass(PricingError, ValueError)


@pytest.mark.parametrize(("territory", "scope"), [
    ("worldwide", "worldwide"),
    (("GB",), "one_country"),
    (["GB"], "one_country"),
    (("GB", "GB"), "one_country"),
    (("GB", "FR"), "up_to_5_countries"),
    (("GB", "FR", "DE", "IE", "NL"), "up_to_5_countries"),
    (("GB", "FR", "DE", "IE", "NL", "NL"), "up_to_5_countries"),
    (("GB", "FR", "DE", "IE", "NL", "ES"), "more_countries"),
    (tuple(f"{a}{b}" for a in "ABCDEFGHIJ" for b in "ABCDEFGHIJ"), "more_countries"),
])
def test_territory_scope(territory, scope):
    assert territory_scope(territory) == scope


# ---------------------------------------------------------------- add-on lines and minimum fee


def test_translation_line():
    quote = quote_for(CARD, use("website", 5000, ("GB",), "one_off", translation=True))
    assert quote.lines[-1] == QuoteLine("Translation (x1.25)", 3750, "factor", 12500, "translation")
    assert quote.amount == 18750


def test_exclusivity_line():
    quote = quote_for(CARD, use("website", 5000, ("GB",), "one_off", exclusive=True))
    assert quote.lines[-1] == QuoteLine("Exclusivity (x3)", 30000, "factor", 30000, "exclusivity")
    assert quote.amount == 45000


def test_translation_comes_before_exclusivity_and_both_compound():
    quote = quote_for(CARD, use("website", 5000, ("GB",), "one_off", translation=True, exclusive=True))
    assert [line.label for line in quote.lines[-2:]] == ["Translation (x1.25)", "Exclusivity (x3)"]
    assert quote.lines[-1].amount == 37500  # x3 on 187.50
    assert quote.amount == 56250


@pytest.mark.parametrize(("assets", "items"), [(1, "one licensable item"), (2, "two licensable items"),
                                               (5, "five licensable items")])
def test_media_line_is_a_flat_fee_per_licensable_item(assets, items):
    quote = quote_for(CARD, use("website", 5000, ("GB",), "one_off", media_assets=assets))
    assert quote.lines[-1] == QuoteLine(f"Photos and media: {assets} licensable item(s)", 7500 * assets, "fee",
                                        None, f"photos and media: {items}")
    assert quote.amount == 15000 + 7500 * assets


def test_no_media_line_without_media():
    quote = quote_for(CARD, use("website", 5000, ("GB",), "one_off", media_assets=0))
    assert len(quote.lines) == 4
    assert not any("media" in line.label.lower() for line in quote.lines)


def test_media_is_added_after_the_factors_so_exclusivity_does_not_multiply_it():
    quote = quote_for(CARD, use("website", 5000, ("GB",), "one_off", exclusive=True, media_assets=1))
    assert quote.amount == 45000 + 7500


def test_minimum_fee_adjustment_line():
    card = RateCardTerms.from_dict(2, card_with(minimum_fee=100_000))
    quote = quote_for(card, use("website", 5000, ("GB",), "one_off"))
    assert quote.lines[-1] == QuoteLine("Minimum fee adjustment", 85000, "minimum", None, "up to the minimum fee")
    assert quote.amount == 100_000
    assert sum(line.amount for line in quote.lines) == 100_000


def test_one_unit_under_the_minimum_is_adjusted():
    card = RateCardTerms.from_dict(2, card_with(minimum_fee=15001))
    quote = quote_for(card, use("website", 5000, ("GB",), "one_off"))
    assert quote.lines[-1] == QuoteLine("Minimum fee adjustment", 1, "minimum", None, "up to the minimum fee")
    assert quote.amount == 15001


def test_minimum_fee_counts_media():
    card = RateCardTerms.from_dict(2, card_with(minimum_fee=20000))
    quote = quote_for(card, use("website", 5000, ("GB",), "one_off", media_assets=1))
    assert quote.amount == 22500
    assert "Minimum fee adjustment" not in [line.label for line in quote.lines]


def test_no_adjustment_when_exactly_the_minimum():
    card = RateCardTerms.from_dict(2, card_with(minimum_fee=15000))
    quote = quote_for(card, use("website", 5000, ("GB",), "one_off"))
    assert quote.amount == 15000
    assert [line.label for line in quote.lines][-1] == "Term: One-off use (x1)"


def test_minimum_fee_on_a_zero_factor_card():
    card = RateCardTerms.from_dict(2, card_with(term_factors={"one_off": 0, "30_days": 1, "1_year": 1,
                                                              "perpetual": 1}))
    quote = quote_for(card, use("website", 5000, ("GB",), "one_off"))
    assert quote.lines[3] == QuoteLine("Term: One-off use (x0)", -15000, "factor", 0, "one-off use")
    assert quote.lines[-1] == QuoteLine("Minimum fee adjustment", 5000, "minimum", None, "up to the minimum fee")
    assert quote.amount == 5000


# ---------------------------------------------------------------- rounding


def _single_factor_card(base: int, factor_bp: int) -> RateCardTerms:
    return RateCardTerms.from_dict(1, card_with(
        minimum_fee=0, base_fees={m: base for m in MEDIA},
        audience_tiers=[{"up_to": None, "factor_bp": factor_bp}],
        territory_factors={s: 10000 for s in TERRITORY_SCOPES},
        term_factors={t: 10000 for t in TERMS}))


@pytest.mark.parametrize(("base", "factor_bp", "expected"), [
    (1, 5000, 1),  # 0.5 -> 1 (half up, not to even)
    (5, 5000, 3),  # 2.5 -> 3 (banker's rounding would give 2)
    (3, 5000, 2),  # 1.5 -> 2
    (1, 4999, 0),  # 0.4999 -> 0
    (1, 15000, 2),  # 1.5 -> 2
    (7, 12500, 9),  # 8.75 -> 9
    (9, 12500, 11),  # 11.25 -> 11
    (2, 12500, 3),  # 2.5 -> 3
    (10001, 5, 5),  # 5.0005 -> 5
    (9999, 5, 5),  # 4.9995 -> 5
    (0, 30000, 0),
])
def test_each_step_rounds_half_up(base, factor_bp, expected):
    assert quote_for(_single_factor_card(base, factor_bp), use()).amount == expected


def test_rounding_happens_at_each_step_not_once_at_the_end():
    # 5 x0.5 = 2.5 -> 3; then x0.5 = 1.5 -> 2. One rounding at the end would give 1.25 -> 1.
    card = RateCardTerms.from_dict(1, card_with(
        minimum_fee=0, base_fees={m: 5 for m in MEDIA}, audience_tiers=[{"up_to": None, "factor_bp": 5000}],
        territory_factors={s: 5000 for s in TERRITORY_SCOPES}, term_factors={t: 10000 for t in TERMS}))
    quote = quote_for(card, use())
    assert [line.amount for line in quote.lines] == [5, -2, -1, 0]
    assert quote.amount == 2


@pytest.mark.parametrize(("factor_bp", "label"), [
    (10000, "x1"), (20000, "x2"), (15000, "x1.5"), (12500, "x1.25"), (12345, "x1.2345"),
    (10500, "x1.05"), (10050, "x1.005"), (10001, "x1.0001"), (5000, "x0.5"), (5, "x0.0005"), (0, "x0"),
    (60000, "x6"),
])
def test_factor_labels(factor_bp, label):
    assert factor_label(factor_bp) == label


# ---------------------------------------------------------------- rate card


def test_demo_card_round_trips():
    assert CARD.to_dict() == DEMO_RATE_CARD
    again = RateCardTerms.from_dict(7, CARD.to_dict())
    assert again == CARD
    assert again.version == 7
    assert json.loads(json.dumps(CARD.to_dict())) == DEMO_RATE_CARD


def test_from_dict_does_not_share_the_callers_dicts():
    data = copy.deepcopy(DEMO_RATE_CARD)
    card = RateCardTerms.from_dict(1, data)
    data["base_fees"]["website"] = 1
    assert card.base_fees["website"] == 15000


def test_media_fee_defaults_to_zero():
    data = copy.deepcopy(DEMO_RATE_CARD)
    del data["media_fee"]
    card = RateCardTerms.from_dict(1, data)
    assert card.media_fee == 0
    assert quote_for(card, use(media_assets=3)).lines[-1] == QuoteLine(
        "Photos and media: 3 licensable item(s)", 0, "fee", None, "photos and media: three licensable items")


@pytest.mark.parametrize("key", [k for k in DEMO_RATE_CARD if k != "media_fee"])
def test_a_missing_key_is_refused(key):
    data = copy.deepcopy(DEMO_RATE_CARD)
    del data[key]
    with pytest.raises(PricingError, match=refusal("rate_card", f"is malformed ('{key}')")) as caught:
        RateCardTerms.from_dict(1, data)
    assert caught.value.field == "rate_card"


@pytest.mark.parametrize(("table", "keys", "message"), [
    ("base_fees", ("broadcast",), "has no base fee for broadcast"),
    ("base_fees", ("print", "social"), "has no base fee for print, social"),
    ("territory_factors", ("worldwide",), "has no territory factor for worldwide"),
    ("term_factors", ("perpetual",), "has no term factor for perpetual"),
])
def test_a_missing_entry_is_refused_by_name(table, keys, message):
    data = copy.deepcopy(DEMO_RATE_CARD)
    for key in keys:
        del data[table][key]
    with pytest.raises(PricingError, match=refusal("rate_card", message)) as caught:
        RateCardTerms.from_dict(1, data)
    assert caught.value.field == "rate_card"


@pytest.mark.parametrize(("changes", "message"), [
    ({"minimum_fee": -1}, "fees cannot be negative"),
    ({"media_fee": -1}, "fees cannot be negative"),
    ({"base_fees": {**DEMO_RATE_CARD["base_fees"], "print": -1}}, "a base fee is negative"),
    ({"territory_factors": {**DEMO_RATE_CARD["territory_factors"], "worldwide": -1}}, "a territory factor is negative"),
    ({"term_factors": {**DEMO_RATE_CARD["term_factors"], "one_off": -10000}}, "a term factor is negative"),
    ({"translation_factor_bp": -1}, "a factor is negative"),
    ({"exclusivity_factor_bp": -1}, "a factor is negative"),
    ({"audience_tiers": [{"up_to": 10, "factor_bp": -1}, {"up_to": None, "factor_bp": 1}]}, "a factor is negative"),
])
def test_negative_fees_and_factors_are_refused(changes, message):
    with pytest.raises(PricingError, match=refusal("rate_card", message)) as caught:
        RateCardTerms.from_dict(1, card_with(**changes))
    assert (caught.value.field, caught.value.message) == ("rate_card", message)


@pytest.mark.parametrize("tiers", [
    [{"up_to": 100, "factor_bp": 1}, {"up_to": 100, "factor_bp": 2}, {"up_to": None, "factor_bp": 3}],
    [{"up_to": 100, "factor_bp": 1}, {"up_to": 50, "factor_bp": 2}, {"up_to": None, "factor_bp": 3}],
    [{"up_to": None, "factor_bp": 1}, {"up_to": 50, "factor_bp": 2}, {"up_to": None, "factor_bp": 3}],
])
def test_tiers_must_rise_strictly(tiers):
    with pytest.raises(PricingError, match=refusal("rate_card", "audience tiers must rise strictly")) as caught:
        RateCardTerms.from_dict(1, card_with(audience_tiers=tiers))
    assert caught.value.field == "rate_card"


@pytest.mark.parametrize("tiers", [
    [],
    [{"up_to": 100, "factor_bp": 1}],
    [{"up_to": None, "factor_bp": 1}, {"up_to": 100, "factor_bp": 1}],
])
def test_tiers_must_end_with_an_open_tier(tiers):
    with pytest.raises(PricingError, match=refusal("rate_card", "audience tiers must end with an open tier")) as caught:
        RateCardTerms.from_dict(1, card_with(audience_tiers=tiers))
    assert caught.value.field == "rate_card"


def test_factors_of_zero_are_allowed():
    card = RateCardTerms.from_dict(1, card_with(
        audience_tiers=[{"up_to": 10, "factor_bp": 0}, {"up_to": None, "factor_bp": 0}], translation_factor_bp=0,
        exclusivity_factor_bp=0, minimum_fee=0))
    quote = quote_for(card, use(translation=True, exclusive=True))
    assert quote.amount == 0
    assert [line.label for line in quote.lines[-2:]] == ["Translation (x0)", "Exclusivity (x0)"]


@pytest.mark.parametrize("currency", ["gbp", "GB", "GBPX", "G1P", "", "ÄBC", "G P", 123, None])
def test_bad_currency_is_refused(currency):
    with pytest.raises(PricingError, match=refusal("rate_card", f"currency {str(currency)!r} is not an ISO 4217 code")):
        RateCardTerms.from_dict(1, card_with(currency=currency))


@pytest.mark.parametrize("currency", ["EUR", "JPY", "KWD", "USD"])
def test_good_currencies_are_kept(currency):
    card = RateCardTerms.from_dict(1, card_with(currency=currency))
    assert quote_for(card, use()).currency == currency


@pytest.mark.parametrize("changes", [
    {"base_fees": ["website"]},
    {"base_fees": {"website": "lots"}},
    {"audience_tiers": [5]},
    {"audience_tiers": [{"factor_bp": 1}]},
    {"audience_tiers": None},
    {"minimum_fee": None},
    {"term_factors": "none"},
])
def test_malformed_structures_are_refused(changes):
    with pytest.raises(PricingError, match=r"^rate_card: is malformed \(.+\)$") as caught:
        RateCardTerms.from_dict(1, card_with(**changes))
    assert caught.value.field == "rate_card"


# ---------------------------------------------------------------- the quote itself


def test_quote_to_dict_shape():
    quote = quote_for(CARD, use("website", 25_000, "worldwide", "one_off", media_assets=1))
    data = quote.to_dict()
    assert data == {
        "amount": 75000,
        "currency": "GBP",
        "breakdown": [
            {"label": "Base fee: Website", "amount": 15000, "kind": "base", "factor_bp": None, "reason": ""},
            {"label": "Audience 10,001 to 100,000 (x1.5)", "amount": 7500, "kind": "factor", "factor_bp": 15000,
             "reason": "audience 10,001 to 100,000"},
            {"label": "Territory: Worldwide (x3)", "amount": 45000, "kind": "factor", "factor_bp": 30000,
             "reason": "worldwide"},
            {"label": "Term: One-off use (x1)", "amount": 0, "kind": "factor", "factor_bp": 10000,
             "reason": "one-off use"},
            {"label": "Photos and media: 1 licensable item(s)", "amount": 7500, "kind": "fee", "factor_bp": None,
             "reason": "photos and media: one licensable item"},
        ],
        # added beside the breakdown: as a person reads it, the × 1 term left out
        "steps": [
            {"text": "Base fee: Website", "kind": "base", "factor_bp": None, "change": 15000, "subtotal": 15000},
            {"text": "× 1.5 — audience 10,001 to 100,000", "kind": "factor", "factor_bp": 15000, "change": 7500,
             "subtotal": 22500},
            {"text": "× 3 — worldwide", "kind": "factor", "factor_bp": 30000, "change": 45000, "subtotal": 67500},
            {"text": "+ £75.00 — photos and media: one licensable item", "kind": "fee", "factor_bp": None,
             "change": 7500, "subtotal": 75000},
        ],
        "rate_card_version": 7,
    }
    assert json.loads(json.dumps(data)) == data


def test_quote_is_immutable():
    quote = quote_for(CARD, use())
    with pytest.raises(AttributeError, match="^cannot assign to field 'amount'$"):
        quote.amount = 1  # type: ignore[misc]
    assert isinstance(quote, Quote)
    assert isinstance(quote.lines, tuple)


# ---------------------------------------------------------------- the reasons a person reads ("× 1.5 — two countries")


def reasons(quote: Quote) -> list[str]:
    return [line.reason for line in quote.lines if line.kind == "factor"]


@pytest.mark.parametrize(("territory", "reason"), [
    (("GB",), "one country"), (("GB", "GB"), "one country"), (("GB", "FR"), "two countries"),
    (("GB", "FR", "DE"), "three countries"), (("GB", "FR", "DE", "IE"), "four countries"),
    (("GB", "FR", "DE", "IE", "NL"), "five countries"), (("GB", "FR", "DE", "IE", "NL", "ES"), "6 countries"),
    (tuple(f"{a}{b}" for a in "ABCDEFGHIJK" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"), "286 countries"),
    ("worldwide", "worldwide"),
])
def test_the_territory_reads_as_a_count_of_countries(territory, reason):
    assert reasons(quote_for(CARD, use("website", 10, territory, "one_off")))[1] == reason


@pytest.mark.parametrize(("tiers", "audience", "reason"), [
    (None, 0, "audience 0 to 10,000"), (None, 10_000, "audience 0 to 10,000"),
    (None, 10_001, "audience 10,001 to 100,000"), (None, 10_000_001, "audience over 10,000,000"),
    ([{"up_to": None, "factor_bp": 10000}], 5, "any audience size"),
    ([{"up_to": 0, "factor_bp": 10000}, {"up_to": None, "factor_bp": 20000}], 1, "audience over 0"),
    ([{"up_to": 0, "factor_bp": 10000}, {"up_to": None, "factor_bp": 20000}], 0, "audience 0 to 0"),
])
def test_the_audience_reads_as_its_tier(tiers, audience, reason):
    data = copy.deepcopy(DEMO_RATE_CARD)
    if tiers is not None:
        data["audience_tiers"] = tiers
    quote = quote_for(RateCardTerms.from_dict(1, data), use("website", audience, ("GB",), "one_off"))
    assert reasons(quote)[0] == reason
