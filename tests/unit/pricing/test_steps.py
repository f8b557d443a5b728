"""The breakdown as a person reads it: multipliers as multipliers, add-ons as sums, the running
price after each step, steps that change nothing left out, and the last subtotal the quote itself."""
from __future__ import annotations

import copy
import itertools

import pytest

from licensing.pricing.rules import DEMO_RATE_CARD, MEDIA, TERMS, TERRITORY_SCOPES, RateCardTerms, RequestedUse, quote_for
from licensing.pricing.rules.steps import PriceStep, factor_label, multiplier, price_steps

CARD = RateCardTerms.from_dict(7, DEMO_RATE_CARD)


def card_with(**changes) -> RateCardTerms:
    data = copy.deepcopy(DEMO_RATE_CARD)
    data.update(changes)
    return RateCardTerms.from_dict(2, data)


def shown(lines, currency="GBP") -> list[tuple[str, int]]:  # noqa: ANN001
    return [(step.text, step.subtotal) for step in price_steps(lines, currency)]


def fresh(card: RateCardTerms, **use) -> list[dict]:  # noqa: ANN003
    return [line.to_dict() for line in quote_for(card, RequestedUse(**use)).lines]


@pytest.mark.parametrize(("factor_bp", "text"), [
    (10000, "× 1"), (15000, "× 1.5"), (12500, "× 1.25"), (12345, "× 1.2345"), (30000, "× 3"), (5000, "× 0.5"),
    (0, "× 0"),
])
def test_a_factor_reads_as_a_multiplier(factor_bp, text):
    assert multiplier(factor_bp) == text


@pytest.mark.parametrize(("factor_bp", "label"), [
    (10000, "x1"), (100000, "x10"), (15000, "x1.5"), (10001, "x1.0001"), (12340, "x1.234"), (5000, "x0.5"),
])
def test_a_factor_label_keeps_its_digits_and_drops_trailing_zeros(factor_bp, label):
    assert factor_label(factor_bp) == label


def test_a_step_as_json_names_its_fields():
    step = PriceStep("× 1.5 — two countries", "factor", 15000, 11250, 33750)
    assert step.to_dict() == {"text": "× 1.5 — two countries", "kind": "factor", "factor_bp": 15000,
                              "change": 11250, "subtotal": 33750}


@pytest.mark.parametrize(("use", "steps"), [
    # the request form's example: 25,000 readers in two countries for a year
    ({"medium": "website", "audience": 25_000, "territory": ("FR", "GB"), "term": "1_year"},
     [("Base fee: Website", 15000), ("× 1.5 — audience 10,001 to 100,000", 22500), ("× 1.5 — two countries", 33750),
      ("× 2 — 1 year", 67500)]),
    # every factor × 1: only the base fee is left
    ({"medium": "website", "audience": 5000, "territory": ("GB",), "term": "one_off"},
     [("Base fee: Website", 15000)]),
    ({"medium": "print", "audience": 2_000_000, "territory": "worldwide", "term": "perpetual", "translation": True,
      "exclusive": True, "media_assets": 2},
     [("Base fee: Print", 20000), ("× 4 — audience 1,000,001 to 10,000,000", 80000), ("× 3 — worldwide", 240000),
      ("× 3.5 — perpetual archive", 840000), ("× 1.25 — translation", 1050000), ("× 3 — exclusivity", 3150000),
      ("+ £150.00 — photos and media: two licensable items", 3165000)]),
    ({"medium": "social", "audience": 20_000_000, "territory": tuple(f"A{c}" for c in "BCDEFGH"), "term": "30_days"},
     [("Base fee: Social media", 7500), ("× 6 — audience over 10,000,000", 45000), ("× 2 — 7 countries", 90000),
      ("× 1.25 — 30 days", 112500)]),
    ({"medium": "newsletter", "audience": 1, "territory": ("DE", "FR", "GB", "IE", "NL"), "term": "one_off"},
     [("Base fee: E-mail newsletter", 10000), ("× 1.5 — five countries", 15000)]),
])
def test_steps_of_a_quote_on_the_demo_card(use, steps):
    assert shown(fresh(CARD, **use)) == steps


def test_the_minimum_fee_is_a_sum_that_reaches_the_minimum():
    card = card_with(minimum_fee=100_000)
    assert shown(fresh(card, medium="website", audience=25_000, territory=("GB",), term="one_off")) == [
        ("Base fee: Website", 15000), ("× 1.5 — audience 10,001 to 100,000", 22500),
        ("+ £775.00 — up to the minimum fee", 100_000)]


def test_a_factor_below_one_lowers_the_price_and_says_so():
    card = card_with(term_factors={"one_off": 5000, "30_days": 10000, "1_year": 10000, "perpetual": 10000})
    steps = price_steps(fresh(card, medium="print", audience=10, territory=("GB",), term="one_off"), "GBP")
    assert [(s.text, s.change, s.subtotal) for s in steps] == [
        ("Base fee: Print", 20000, 20000), ("× 0.5 — one-off use", -10000, 10000)]


def test_a_base_fee_of_nothing_is_still_where_the_price_starts():
    card = card_with(base_fees={m: 0 for m in MEDIA}, minimum_fee=2500)
    assert shown(fresh(card, medium="website", audience=50_000, territory="worldwide", term="1_year")) == [
        ("Base fee: Website", 0), ("+ £25.00 — up to the minimum fee", 2500)]


def test_the_add_on_is_written_in_the_quotes_currency():
    data = copy.deepcopy(DEMO_RATE_CARD)
    data.update(currency="JPY", base_fees={m: 9000 for m in MEDIA}, media_fee=1500)
    card = RateCardTerms.from_dict(1, data)
    assert shown(fresh(card, medium="print", audience=10, territory=("JP",), term="one_off", media_assets=1),
                 "JPY") == [("Base fee: Print", 9000), ("+ ¥1,500 — photos and media: one licensable item", 10500)]


def test_a_breakdown_stored_before_kinds_reads_by_its_labels_without_the_lines_that_add_nothing():
    stored = [{"label": "Base fee: Website", "amount": 15000}, {"label": "Audience 0 to 10,000 (x1)", "amount": 0},
              {"label": "Territory: Worldwide (x3)", "amount": 30000}, {"label": "Term: One-off use (x1)", "amount": 0},
              {"label": "Minimum fee adjustment", "amount": 5000}]
    steps = price_steps(stored, "GBP")
    assert [(s.text, s.kind, s.factor_bp, s.change, s.subtotal) for s in steps] == [
        ("Base fee: Website", "", None, 15000, 15000), ("Territory: Worldwide (x3)", "", None, 30000, 45000),
        ("Minimum fee adjustment", "", None, 5000, 50000)]


def test_each_step_keeps_its_kind_and_factor():
    steps = price_steps(fresh(CARD, medium="website", audience=25_000, territory=("FR", "GB"), term="1_year"), "GBP")
    assert [(s.kind, s.factor_bp, s.change) for s in steps] == [
        ("base", None, 15000), ("factor", 15000, 7500), ("factor", 15000, 11250), ("factor", 20000, 33750)]


@pytest.mark.parametrize(("line", "text"), [
    # a factor or an add-on without its reason reads by its label
    ({"label": "Territory: two countries (x1.5)", "amount": 5000, "kind": "factor", "factor_bp": 15000},
     "Territory: two countries (x1.5)"),
    ({"label": "Minimum fee adjustment", "amount": 5000, "kind": "minimum"}, "Minimum fee adjustment"),
    # a factor line that lost its factor reads by its label, not as "× ?"
    ({"label": "Territory (x1.5)", "amount": 5000, "kind": "factor", "reason": "two countries"}, "Territory (x1.5)"),
    # the base fee reads by its label even with a reason
    ({"label": "Base fee: Website", "amount": 5000, "kind": "base", "reason": "website"}, "Base fee: Website"),
    ({"label": "Photos", "amount": 5000, "kind": "fee", "reason": "one photo"}, "+ £50.00 — one photo"),
])
def test_a_line_reads_as_a_step_only_with_what_that_needs(line, text):
    first = {"label": "Base fee: Print", "amount": 20000}
    assert shown([first, line]) == [("Base fee: Print", 20000), (text, 25000)]


def test_the_steps_lead_exactly_to_the_total_on_an_awkward_card():
    # Odd fees and factors that never divide evenly, so that every step rounds.
    odd = RateCardTerms.from_dict(3, {
        "currency": "EUR", "minimum_fee": 4321,
        "base_fees": {m: 999 + 1234 * i for i, m in enumerate(MEDIA)},
        "audience_tiers": [{"up_to": 999, "factor_bp": 10001}, {"up_to": None, "factor_bp": 13333}],
        "territory_factors": {s: 10000 + 3331 * i for i, s in enumerate(TERRITORY_SCOPES)},
        "term_factors": {t: 7777 + 4447 * i for i, t in enumerate(TERMS)},
        "translation_factor_bp": 11111, "exclusivity_factor_bp": 10000, "media_fee": 333,
    })
    territories = {"one_country": ("GB",), "up_to_5_countries": ("FR", "GB"),
                   "more_countries": ("DE", "ES", "FR", "GB", "IE", "NL"), "worldwide": "worldwide"}
    for medium, scope, term, translation, exclusive, assets, audience in itertools.product(
            MEDIA, TERRITORY_SCOPES, TERMS, (False, True), (False, True), (0, 2), (5, 5000)):
        quote = quote_for(odd, RequestedUse(medium, audience, territories[scope], term, translation, exclusive, assets))
        steps = price_steps([line.to_dict() for line in quote.lines], quote.currency)
        assert steps[-1].subtotal == quote.amount
        assert sum(step.change for step in steps) == quote.amount
        assert all(step.change for step in steps[1:])  # none that changes nothing
        assert not any(step.text.startswith("× 1 ") for step in steps)
