"""Pricing: one pure function from a rate card and a requested use to a quote.

Money is integer minor units; factors are integer basis points (10000 = x1.00), so no float
ever touches an amount. Every step of the breakdown is rounded half up, and the lines add up
exactly to the total. How a person reads the breakdown is in `steps`; the lowest price a rate
card gives, in `lowest`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from licensing.pricing.rules.steps import BASE, BP, FACTOR, FEE, MINIMUM, PriceStep, factor_label, price_steps

MEDIA = ("website", "print", "newsletter", "broadcast", "social", "syndication_feed")
MEDIUM_LABELS = {
    "website": "Website",
    "print": "Print",
    "newsletter": "E-mail newsletter",
    "broadcast": "Broadcast (TV or radio)",
    "social": "Social media",
    "syndication_feed": "Syndication feed",
}
TERMS = ("one_off", "30_days", "1_year", "perpetual")
TERM_LABELS = {
    "one_off": "One-off use",
    "30_days": "30 days",
    "1_year": "1 year",
    "perpetual": "Perpetual archive",
}
TERRITORY_SCOPES = ("one_country", "up_to_5_countries", "more_countries", "worldwide")
TERRITORY_LABELS = {
    "one_country": "One country",
    "up_to_5_countries": "2 to 5 countries",
    "more_countries": "More than 5 countries",
    "worldwide": "Worldwide",
}
MAX_AUDIENCE = 10_000_000_000  # more people than there are


class PricingError(ValueError):
    """A requested use or a rate card the pricing cannot accept; `field` names the culprit."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class AudienceTier:
    up_to: int | None  # inclusive upper bound; None for the last, open tier
    factor_bp: int


@dataclass(frozen=True)
class RateCardTerms:
    version: int
    currency: str
    minimum_fee: int
    base_fees: Mapping[str, int]
    audience_tiers: tuple[AudienceTier, ...]
    territory_factors: Mapping[str, int]
    term_factors: Mapping[str, int]
    translation_factor_bp: int
    exclusivity_factor_bp: int
    media_fee: int  # per licensable photo or video wanted

    @classmethod
    def from_dict(cls, version: int, data: Mapping) -> RateCardTerms:
        try:
            terms = cls(
                version=version,
                currency=str(data["currency"]),
                minimum_fee=int(data["minimum_fee"]),
                base_fees={str(k): int(v) for k, v in data["base_fees"].items()},
                audience_tiers=tuple(
                    AudienceTier(None if t["up_to"] is None else int(t["up_to"]), int(t["factor_bp"]))
                    for t in data["audience_tiers"]
                ),
                territory_factors={str(k): int(v) for k, v in data["territory_factors"].items()},
                term_factors={str(k): int(v) for k, v in data["term_factors"].items()},
                translation_factor_bp=int(data["translation_factor_bp"]),
                exclusivity_factor_bp=int(data["exclusivity_factor_bp"]),
                media_fee=int(data.get("media_fee", 0)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PricingError("rate_card", f"is malformed ({exc})") from exc
        terms.validate()
        return terms

    def to_dict(self) -> dict:
        return {
            "currency": self.currency,
            "minimum_fee": self.minimum_fee,
            "base_fees": dict(self.base_fees),
            "audience_tiers": [{"up_to": t.up_to, "factor_bp": t.factor_bp} for t in self.audience_tiers],
            "territory_factors": dict(self.territory_factors),
            "term_factors": dict(self.term_factors),
            "translation_factor_bp": self.translation_factor_bp,
            "exclusivity_factor_bp": self.exclusivity_factor_bp,
            "media_fee": self.media_fee,
        }

    def validate(self) -> None:
        if (len(self.currency) != 3 or not self.currency.isascii() or not self.currency.isalpha()
                or not self.currency.isupper()):
            raise PricingError("rate_card", f"currency {self.currency!r} is not an ISO 4217 code")
        if self.minimum_fee < 0 or self.media_fee < 0:
            raise PricingError("rate_card", "fees cannot be negative")
        for name, keys, table in (
            ("base fee", MEDIA, self.base_fees),
            ("territory factor", TERRITORY_SCOPES, self.territory_factors),
            ("term factor", TERMS, self.term_factors),
        ):
            missing = [k for k in keys if k not in table]
            if missing:
                raise PricingError("rate_card", f"has no {name} for {', '.join(missing)}")
            if any(v < 0 for v in table.values()):
                raise PricingError("rate_card", f"a {name} is negative")
        tiers = self.audience_tiers
        if not tiers or tiers[-1].up_to is not None:
            raise PricingError("rate_card", "audience tiers must end with an open tier")
        bounds = [t.up_to for t in tiers[:-1]]
        if any(b is None for b in bounds) or bounds != sorted(set(bounds)):  # type: ignore[type-var]
            raise PricingError("rate_card", "audience tiers must rise strictly")
        if any(t.factor_bp < 0 for t in tiers) or self.translation_factor_bp < 0 or self.exclusivity_factor_bp < 0:
            raise PricingError("rate_card", "a factor is negative")


@dataclass(frozen=True)
class RequestedUse:
    medium: str
    audience: int
    territory: str | tuple[str, ...]  # "worldwide" or ISO 3166 alpha-2 codes
    term: str
    translation: bool = False
    exclusive: bool = False
    media_assets: int = 0  # licensable photos or videos wanted


@dataclass(frozen=True)
class QuoteLine:
    """One step of a quote: `amount` is what it adds (a factor's line: the running amount times
    the factor, less the running amount), so the lines add up to the quote."""

    label: str
    amount: int
    kind: str = ""  # BASE, FACTOR, FEE or MINIMUM; "" on lines stored before kinds were
    factor_bp: int | None = None  # a FACTOR line's factor
    reason: str = ""  # what the step is for, in words ("two countries")

    def to_dict(self) -> dict:
        return {"label": self.label, "amount": self.amount, "kind": self.kind, "factor_bp": self.factor_bp,
                "reason": self.reason}


@dataclass(frozen=True)
class Quote:
    amount: int
    currency: str
    lines: tuple[QuoteLine, ...]
    rate_card_version: int

    @property
    def steps(self) -> tuple[PriceStep, ...]:
        return price_steps([line.to_dict() for line in self.lines], self.currency)

    def to_dict(self) -> dict:
        return {
            "amount": self.amount,
            "currency": self.currency,
            "breakdown": [line.to_dict() for line in self.lines],
            "steps": [step.to_dict() for step in self.steps],
            "rate_card_version": self.rate_card_version,
        }


def territory_scope(territory: str | tuple[str, ...]) -> str:
    if territory == "worldwide":
        return "worldwide"
    if (not isinstance(territory, (tuple, list)) or not territory
            or not all(isinstance(code, str) for code in territory)):
        raise PricingError("territory", 'must be "worldwide" or a list of country codes')
    count = len(set(territory))
    if count == 1:
        return "one_country"
    return "up_to_5_countries" if count <= 5 else "more_countries"


def _apply(amount: int, factor_bp: int) -> int:
    """amount x factor, rounded half up; amounts here are never negative."""
    return (amount * factor_bp + BP // 2) // BP


def _audience_tier(terms: RateCardTerms, audience: int) -> tuple[AudienceTier, int]:
    lower = 0
    for tier in terms.audience_tiers:
        if tier.up_to is None or audience <= tier.up_to:
            return tier, lower
        lower = tier.up_to + 1
    raise AssertionError("validated rate cards end with an open tier")  # pragma: no cover


def _audience_label(tier: AudienceTier, lower: int) -> str:
    if tier.up_to is None:
        return f"Audience over {lower - 1:,}" if lower else "Audience (any size)"
    return f"Audience {lower:,} to {tier.up_to:,}"


def check_use(use: RequestedUse) -> None:
    if use.medium not in MEDIA:
        raise PricingError("medium", f"unknown medium {use.medium!r}; choose one of {', '.join(MEDIA)}")
    if use.term not in TERMS:
        raise PricingError("term", f"unknown term {use.term!r}; choose one of {', '.join(TERMS)}")
    if isinstance(use.audience, bool) or not isinstance(use.audience, int):
        raise PricingError("audience", "must be a whole number")
    if use.audience < 0:
        raise PricingError("audience", "cannot be negative")
    if use.audience > MAX_AUDIENCE:
        raise PricingError("audience", f"cannot exceed {MAX_AUDIENCE:,}")
    if isinstance(use.media_assets, bool) or not isinstance(use.media_assets, int) or use.media_assets < 0:
        raise PricingError("media_assets", "must be a whole number, zero or more")
    territory_scope(use.territory)


def quote_for(terms: RateCardTerms, use: RequestedUse) -> Quote:
    """Price a requested use on a rate card: base fee, then each factor, then add-ons and minimum."""
    check_use(use)
    lines: list[QuoteLine] = []
    running = terms.base_fees[use.medium]
    lines.append(QuoteLine(f"Base fee: {MEDIUM_LABELS[use.medium]}", running, BASE))

    tier, lower = _audience_tier(terms, use.audience)
    scope = territory_scope(use.territory)
    term_label = TERM_LABELS[use.term]
    factors = [
        (_audience_label(tier, lower), tier.factor_bp, _audience_reason(tier, lower)),
        (f"Territory: {TERRITORY_LABELS[scope]}", terms.territory_factors[scope], _territory_reason(use.territory)),
        (f"Term: {term_label}", terms.term_factors[use.term], term_label[0].lower() + term_label[1:]),
    ]
    if use.translation:
        factors.append(("Translation", terms.translation_factor_bp, "translation"))
    if use.exclusive:
        factors.append(("Exclusivity", terms.exclusivity_factor_bp, "exclusivity"))
    for label, factor_bp, reason in factors:
        after = _apply(running, factor_bp)
        lines.append(QuoteLine(f"{label} ({factor_label(factor_bp)})", after - running, FACTOR, factor_bp, reason))
        running = after

    if use.media_assets:
        media = terms.media_fee * use.media_assets
        items = _count(use.media_assets, "licensable item", "licensable items")
        lines.append(QuoteLine(f"Photos and media: {use.media_assets} licensable item(s)", media, FEE,
                               reason=f"photos and media: {items}"))
        running += media
    if running < terms.minimum_fee:
        lines.append(QuoteLine("Minimum fee adjustment", terms.minimum_fee - running, MINIMUM,
                               reason="up to the minimum fee"))
        running = terms.minimum_fee
    return Quote(amount=running, currency=terms.currency, lines=tuple(lines), rate_card_version=terms.version)


_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def _count(n: int, one: str, many: str) -> str:
    return f"{_NUMBER_WORDS.get(n, f'{n:,}')} {one if n == 1 else many}"


def _territory_reason(territory: str | tuple[str, ...]) -> str:
    return "worldwide" if territory == "worldwide" else _count(len(set(territory)), "country", "countries")


def _audience_reason(tier: AudienceTier, lower: int) -> str:
    if tier.up_to is None and not lower:
        return "any audience size"
    return "audience " + _audience_label(tier, lower).removeprefix("Audience ")


DEMO_RATE_CARD = {
    "currency": "GBP",
    "minimum_fee": 5000,
    "base_fees": {
        "website": 15000,
        "print": 20000,
        "newsletter": 10000,
        "broadcast": 30000,
        "social": 7500,
        "syndication_feed": 40000,
    },
    "audience_tiers": [
        {"up_to": 10_000, "factor_bp": 10000},
        {"up_to": 100_000, "factor_bp": 15000},
        {"up_to": 1_000_000, "factor_bp": 25000},
        {"up_to": 10_000_000, "factor_bp": 40000},
        {"up_to": None, "factor_bp": 60000},
    ],
    "territory_factors": {
        "one_country": 10000,
        "up_to_5_countries": 15000,
        "more_countries": 20000,
        "worldwide": 30000,
    },
    "term_factors": {"one_off": 10000, "30_days": 12500, "1_year": 20000, "perpetual": 35000},
    "translation_factor_bp": 12500,
    "exclusivity_factor_bp": 30000,
    "media_fee": 7500,
}
