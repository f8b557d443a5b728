"""The lowest price a rate card gives for an article ("Republish this article, from £75.00"): the
cheapest of every use a request may ask for, whatever the card makes cheapest."""
from __future__ import annotations

import copy
import itertools

import pytest

from licensing.pricing.rules import DEMO_RATE_CARD, MEDIA, TERMS, TERRITORY_SCOPES, RateCardTerms, RequestedUse, quote_for
from licensing.pricing.rules.lowest import cheapest_use, lowest_quote


def card(**changes) -> RateCardTerms:
    data = copy.deepcopy(DEMO_RATE_CARD)
    data.update(changes)
    return RateCardTerms.from_dict(4, data)


ONE = ("GB",)
TIERS = [{"up_to": 1000, "factor_bp": 12000}, {"up_to": 50_000, "factor_bp": 9000}, {"up_to": None, "factor_bp": 15000}]


@pytest.mark.parametrize(("changes", "smallest_audience", "use", "amount"), [
    # The demo card: social media, one reader, one country, one-off: £75.00.
    ({}, 1, RequestedUse("social", 1, ONE, "one_off"), 7500),
    # The minimum fee is a floor under the lowest price too.
    ({"minimum_fee": 10000}, 1, RequestedUse("social", 1, ONE, "one_off"), 10000),
    # A cheaper medium.
    ({"base_fees": {**DEMO_RATE_CARD["base_fees"], "newsletter": 6000}}, 1,
     RequestedUse("newsletter", 1, ONE, "one_off"), 6000),
    # The cheapest audience tier is not the first: its first audience is asked for.
    ({"audience_tiers": TIERS}, 1, RequestedUse("social", 1001, ONE, "one_off"), 6750),
    # Tiers the form cannot reach (an audience of at least 20,000) are not offered.
    ({}, 20_000, RequestedUse("social", 20_000, ONE, "one_off"), 11250),
    # The first tier's last audience is still in the first tier; one more is not.
    ({}, 10_000, RequestedUse("social", 10_000, ONE, "one_off"), 7500),
    ({}, 10_001, RequestedUse("social", 10_001, ONE, "one_off"), 11250),
    ({"audience_tiers": [{"up_to": 0, "factor_bp": 1000}, {"up_to": None, "factor_bp": 20000}]}, 1,
     RequestedUse("social", 1, ONE, "one_off"), 15000),
    # A territory or a term the card prices below one country, one-off.
    ({"territory_factors": {"one_country": 10000, "up_to_5_countries": 15000, "more_countries": 20000,
                            "worldwide": 9000}}, 1, RequestedUse("social", 1, "worldwide", "one_off"), 6750),
    ({"territory_factors": {"one_country": 10000, "up_to_5_countries": 15000, "more_countries": 8000,
                            "worldwide": 30000}}, 1,
     RequestedUse("social", 1, ("DE", "ES", "FR", "GB", "IE", "NL"), "one_off"), 6000),
    ({"territory_factors": {"one_country": 10000, "up_to_5_countries": 9000, "more_countries": 20000,
                            "worldwide": 30000}}, 1, RequestedUse("social", 1, ("FR", "GB"), "one_off"), 6750),
    ({"term_factors": {"one_off": 10000, "30_days": 12500, "1_year": 20000, "perpetual": 9500}}, 1,
     RequestedUse("social", 1, ONE, "perpetual"), 7125),
    # Optional factors below one are asked for; at or above one they are left out.
    ({"translation_factor_bp": 8000}, 1, RequestedUse("social", 1, ONE, "one_off", translation=True), 6000),
    ({"exclusivity_factor_bp": 9000, "translation_factor_bp": 10000}, 1,
     RequestedUse("social", 1, ONE, "one_off", exclusive=True), 6750),
    ({"exclusivity_factor_bp": 10000, "translation_factor_bp": 10000}, 1, RequestedUse("social", 1, ONE, "one_off"),
     7500),
    # Everything cheaper at once, down to the minimum fee.
    ({"translation_factor_bp": 5000, "exclusivity_factor_bp": 5000}, 1,
     RequestedUse("social", 1, ONE, "one_off", translation=True, exclusive=True), 5000),
    # On a tie, the first medium, tier, territory and term.
    ({"base_fees": dict.fromkeys(MEDIA, 9999), "territory_factors": dict.fromkeys(TERRITORY_SCOPES, 10000),
      "term_factors": dict.fromkeys(TERMS, 10000)}, 1, RequestedUse("website", 1, ONE, "one_off"), 9999),
])
def test_the_cheapest_use_and_its_price(changes, smallest_audience, use, amount):
    terms = card(**changes)
    assert cheapest_use(terms, smallest_audience) == use
    quote = lowest_quote(terms, smallest_audience)
    assert quote.amount == amount
    assert quote.currency == "GBP" and quote.rate_card_version == 4


AWKWARD = {
    "currency": "EUR", "minimum_fee": 777,
    "base_fees": {m: 2999 - 311 * i for i, m in enumerate(MEDIA)},
    "audience_tiers": [{"up_to": 99, "factor_bp": 10333}, {"up_to": 9999, "factor_bp": 9667},
                       {"up_to": None, "factor_bp": 11111}],
    "territory_factors": {s: 12222 - 1111 * i for i, s in enumerate(TERRITORY_SCOPES)},
    "term_factors": {t: 8889 + 777 * i for i, t in enumerate(TERMS)},
    "translation_factor_bp": 9999, "exclusivity_factor_bp": 10001, "media_fee": 1,
}


@pytest.mark.parametrize("data", [DEMO_RATE_CARD, AWKWARD])
def test_no_use_a_request_may_ask_for_is_cheaper(data):
    """Every medium, tier, territory scope, term and option, priced one by one: none is below it."""
    terms = RateCardTerms.from_dict(1, data)
    territories = (("GB",), ("FR", "GB"), ("DE", "ES", "FR", "GB", "IE", "NL"), "worldwide")
    audiences = (1, 99, 100, 9999, 10_000, 10_001, 100_001, 1_000_001, 10_000_001)
    every = [quote_for(terms, RequestedUse(*choice)).amount for choice in itertools.product(
        MEDIA, audiences, territories, TERMS, (False, True), (False, True), (0, 1))]
    assert lowest_quote(terms, 1).amount == min(every)
