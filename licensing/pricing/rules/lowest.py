"""The lowest price a rate card gives for republishing an article: what the article page says
("Republish this article, from £75.00")."""
from __future__ import annotations

from licensing.pricing.rules import BP, MEDIA, TERMS, TERRITORY_SCOPES, Quote, RateCardTerms, RequestedUse, quote_for

_ONE_OF_EACH_SCOPE = {  # any countries will do: only how many matters to the price
    "one_country": ("GB",),
    "up_to_5_countries": ("FR", "GB"),
    "more_countries": ("DE", "ES", "FR", "GB", "IE", "NL"),
    "worldwide": "worldwide",
}


def cheapest_use(terms: RateCardTerms, smallest_audience: int) -> RequestedUse:
    """The use the rate card prices lowest, among those a request may ask for (an audience of at
    least `smallest_audience`, any medium, territory and term, translation, exclusivity and media
    each optional): the cheapest choice at every step. That is the cheapest quote overall because
    every step of `quote_for` gives no less for a larger running amount or a larger factor (each
    rounds half up, media are added, the minimum fee is a floor), and an optional factor left out
    is a factor of exactly 1."""
    reachable = []
    lower = 0
    for tier in terms.audience_tiers:
        audience = max(lower, smallest_audience)
        if tier.up_to is None or audience <= tier.up_to:
            reachable.append((tier.factor_bp, audience))
        lower = (tier.up_to or 0) + 1
    _factor, audience = min(reachable)  # (factor, audience): on a tie, the smaller audience, the first tier
    scope = min(TERRITORY_SCOPES, key=lambda s: terms.territory_factors[s])
    return RequestedUse(
        medium=min(MEDIA, key=lambda m: terms.base_fees[m]),
        audience=audience,
        territory=_ONE_OF_EACH_SCOPE[scope],
        term=min(TERMS, key=lambda t: terms.term_factors[t]),
        translation=terms.translation_factor_bp < BP,
        exclusive=terms.exclusivity_factor_bp < BP,
    )  # and no media: each adds a fee


def lowest_quote(terms: RateCardTerms, smallest_audience: int) -> Quote:
    """The lowest price this rate card gives for republishing an article ("from £75.00")."""
    return quote_for(terms, cheapest_use(terms, smallest_audience))
