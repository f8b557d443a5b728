"""The rate card editor's pure rules: a rate card as its form shows it (amounts in major units,
factors as multipliers), the typed form read back into a rate card with a message for each field
that cannot be read, the five typical requests a new version is previewed on, and what a new
version changes. Plain values in and out; the pricing rules still validate the card they make."""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from licensing.core.money import decimal_string, parse_major, to_minor
from licensing.core.places import territory_label
from licensing.pricing.rules import (
    BP,
    MAX_AUDIENCE,
    MEDIA,
    MEDIUM_LABELS,
    TERM_LABELS,
    TERMS,
    TERRITORY_LABELS,
    TERRITORY_SCOPES,
    PricingError,
    Quote,
    RateCardTerms,
    RequestedUse,
    quote_for,
)

MAX_TIERS = 8  # rows of the form; the demo card has five tiers
MAX_FACTOR_BP = 100 * BP
NOTE_LIMIT = 500  # rate_cards.note
FACTOR = re.compile(r"[x×]?\s*(\d{0,3})(?:\.(\d{1,4}))?", re.IGNORECASE)
FACTOR_MESSAGE = "Enter a multiplier such as 1.5 (× 1.5), with at most four decimals, up to 100."
AUDIENCE_MESSAGE = "Enter a whole number of people, e.g. 100,000."


@dataclass(frozen=True)
class Field:
    name: str
    group: str  # the fieldset it sits in ("" for none)
    label: str  # within its group

    @property
    def full_label(self) -> str:
        return f"{self.group}: {self.label}" if self.group else self.label


FIELDS: tuple[Field, ...] = (
    Field("currency", "", "Currency"),
    Field("minimum_fee", "", "Minimum fee"),
    *(Field(f"base_{m}", "Base fee", MEDIUM_LABELS[m]) for m in MEDIA),
    *(f for i in range(MAX_TIERS) for f in (Field(f"tier_{i}_up_to", f"Audience tier {i + 1}", "up to"),
                                           Field(f"tier_{i}_factor", f"Audience tier {i + 1}", "multiplier"))),
    *(Field(f"territory_{s}", "Territory multiplier", TERRITORY_LABELS[s]) for s in TERRITORY_SCOPES),
    *(Field(f"term_{t}", "Term multiplier", TERM_LABELS[t]) for t in TERMS),
    Field("translation", "", "Translation multiplier"),
    Field("exclusivity", "", "Exclusivity multiplier"),
    Field("media_fee", "", "Each licensable photo or video"),
)
AMOUNT_FIELDS = ("minimum_fee", "media_fee", *(f"base_{m}" for m in MEDIA))


def factor_text(factor_bp: int) -> str:
    """15000 -> '1.5', 10000 -> '1'."""
    whole, frac = divmod(factor_bp, BP)
    return f"{whole}.{frac:04d}".rstrip("0") if frac else str(whole)


def parse_factor(text: str) -> int:
    """'1.5', 'x1.5' or '× 1.5' -> 15000 basis points, exactly; anything else is refused."""
    match = FACTOR.fullmatch(text.strip())
    if not match or not (match.group(1) or match.group(2)):
        raise ValueError(FACTOR_MESSAGE)
    value = int(match.group(1) or "0") * BP + int((match.group(2) or "0").ljust(4, "0"))
    if value > MAX_FACTOR_BP:
        raise ValueError(FACTOR_MESSAGE)
    return value


def _audience(text: str) -> int:
    digits = re.sub(r"[,\s]", "", text)  # \s covers the no-break spaces (U+00A0, U+202F) too
    if not digits.isascii() or not digits.isdigit() or not 0 < int(digits) <= MAX_AUDIENCE:
        raise ValueError(AUDIENCE_MESSAGE)
    return int(digits)


def form_values(card: Mapping) -> dict[str, str]:
    """A stored rate card (RateCardTerms.to_dict) as the form shows it; the note starts empty."""
    currency = card["currency"]
    values = {"currency": currency, "minimum_fee": decimal_string(card["minimum_fee"], currency),
              "media_fee": decimal_string(card.get("media_fee", 0), currency),
              "translation": factor_text(card["translation_factor_bp"]),
              "exclusivity": factor_text(card["exclusivity_factor_bp"]), "note": ""}
    values.update({f"base_{m}": decimal_string(card["base_fees"][m], currency) for m in MEDIA})
    values.update({f"territory_{s}": factor_text(card["territory_factors"][s]) for s in TERRITORY_SCOPES})
    values.update({f"term_{t}": factor_text(card["term_factors"][t]) for t in TERMS})
    tiers = list(card["audience_tiers"])
    for i in range(MAX_TIERS):
        tier = tiers[i] if i < len(tiers) else None
        values[f"tier_{i}_up_to"] = f"{tier['up_to']:,}" if tier and tier["up_to"] is not None else ""
        values[f"tier_{i}_factor"] = factor_text(tier["factor_bp"]) if tier else ""
    return values


def _read_tiers(values: Mapping[str, str], errors: dict[str, str]) -> list[dict]:
    rows = [(i, values.get(f"tier_{i}_up_to", "").strip(), values.get(f"tier_{i}_factor", "").strip())
            for i in range(MAX_TIERS)]
    rows = [row for row in rows if row[1] or row[2]]
    if not rows:
        errors["tier_0_factor"] = "Enter at least one tier: an empty “up to” and its multiplier."
        return []
    tiers: list[dict] = []
    below = 0
    for position, (i, up_to_text, factor_text_) in enumerate(rows):
        last = position == len(rows) - 1
        up_to = None
        try:
            if up_to_text:
                up_to = _audience(up_to_text)
        except ValueError as exc:
            errors[f"tier_{i}_up_to"] = str(exc)
        else:
            if up_to is None and not last:
                errors[f"tier_{i}_up_to"] = "Only the last tier has no upper limit: enter one, e.g. 100,000."
            elif up_to is not None and last:
                errors[f"tier_{i}_up_to"] = "Leave the last tier's “up to” empty: it covers every larger audience."
            elif up_to is not None and up_to <= below:
                errors[f"tier_{i}_up_to"] = f"Enter more than the tier above ({below:,})."
            below = max(below, up_to or 0)
        try:
            factor = parse_factor(factor_text_) if factor_text_ else None
        except ValueError as exc:
            errors[f"tier_{i}_factor"] = str(exc)
            factor = None
        if factor is None and f"tier_{i}_factor" not in errors:
            errors[f"tier_{i}_factor"] = "Enter this tier's multiplier, e.g. 1.5."
        tiers.append({"up_to": up_to, "factor_bp": factor})
    return tiers


def read_form(values: Mapping[str, str]) -> tuple[dict | None, dict[str, str]]:
    """The typed form -> (a rate card as RateCardTerms.to_dict gives it, {}), or (None, a message per
    field name). With an unknown currency, amounts are checked for their form only (their decimals
    depend on the currency)."""
    errors: dict[str, str] = {}
    currency = (values.get("currency") or "").strip().upper()
    known_currency = bool(re.fullmatch(r"[A-Z]{3}", currency))
    if not known_currency:
        errors["currency"] = "Enter a three-letter ISO 4217 currency code, e.g. GBP."
    amounts: dict[str, int] = {}
    for name in AMOUNT_FIELDS:
        text = values.get(name, "")
        try:
            if known_currency:
                amounts[name] = to_minor(text, currency)
            else:
                parse_major(text)  # how many decimals depends on the currency: the form only
        except ValueError as exc:
            errors[name] = str(exc)
    factors: dict[str, int] = {}
    for name in ("translation", "exclusivity", *(f"territory_{s}" for s in TERRITORY_SCOPES),
                 *(f"term_{t}" for t in TERMS)):
        try:
            factors[name] = parse_factor(values.get(name, ""))
        except ValueError as exc:
            errors[name] = str(exc)
    tiers = _read_tiers(values, errors)
    if len((values.get("note") or "").strip()) > NOTE_LIMIT:
        errors["note"] = f"Keep the note to {NOTE_LIMIT} characters."
    if errors:
        return None, errors
    card = {
        "currency": currency, "minimum_fee": amounts["minimum_fee"],
        "base_fees": {m: amounts[f"base_{m}"] for m in MEDIA}, "audience_tiers": tiers,
        "territory_factors": {s: factors[f"territory_{s}"] for s in TERRITORY_SCOPES},
        "term_factors": {t: factors[f"term_{t}"] for t in TERMS},
        "translation_factor_bp": factors["translation"], "exclusivity_factor_bp": factors["exclusivity"],
        "media_fee": amounts["media_fee"],
    }
    try:  # what the fields cannot tell alone is still the pricing rules' to refuse
        return RateCardTerms.from_dict(0, card).to_dict(), {}
    except PricingError as exc:
        return None, pricing_refusal(exc)


def pricing_refusal(exc: PricingError) -> dict[str, str]:
    """The pricing rules' refusal of a whole card, as a sentence above the form. The form's own checks
    come first and cover every field, so this is a guard for a rule added to pricing later."""
    return {"rate_card": exc.message[0].upper() + exc.message[1:] + "."}


def card_fingerprint(card: Mapping) -> str:
    """What a preview showed: a new version is saved only with the values it was previewed with."""
    return hashlib.sha256(json.dumps(card, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def changes(before: Mapping, after: Mapping) -> list[tuple[str, str, str]]:
    """(label, before, after) of every field a new version changes, in the form's order."""
    old, new = form_values(before), form_values(after)
    return [(f.full_label, old[f.name], new[f.name]) for f in FIELDS if old[f.name] != new[f.name]]


# ------------------------------------------------------------------------------ typical requests

@dataclass(frozen=True)
class TypicalRequest:
    name: str
    use: RequestedUse

    @property
    def description(self) -> str:
        territory = self.use.territory if isinstance(self.use.territory, str) else ",".join(self.use.territory)
        return (f"{MEDIUM_LABELS[self.use.medium]}, audience {self.use.audience:,}, {territory_label(territory)}, "
                f"{TERM_LABELS[self.use.term].lower()}")


TYPICAL_REQUESTS = (
    TypicalRequest("Small web reprint in the UK", RequestedUse("website", 5_000, ("GB",), "one_off")),
    TypicalRequest("National print run", RequestedUse("print", 250_000, ("GB",), "one_off")),
    TypicalRequest("Website in three countries", RequestedUse("website", 200_000, ("DE", "ES", "FR"), "1_year")),
    TypicalRequest("Broadcast", RequestedUse("broadcast", 1_500_000, ("GB",), "30_days")),
    TypicalRequest("Long term: perpetual archive", RequestedUse("website", 50_000, ("GB",), "perpetual")),
)


@dataclass(frozen=True)
class Comparison:
    request: TypicalRequest
    before: Quote | None  # None: there was no rate card before
    after: Quote

    @property
    def difference(self) -> int | None:
        """After less before, in minor units; None across currencies or with nothing before."""
        if self.before is None or self.after.currency != self.before.currency:
            return None
        return self.after.amount - self.before.amount

    @property
    def percent(self) -> str | None:
        """The difference as a share of before, to a tenth of a percent rounded half up ('+10.0%')."""
        diff = self.difference
        if diff is None or self.before is None or self.before.amount == 0:
            return None
        tenths, rest = divmod(abs(diff) * 1000, self.before.amount)
        tenths += 2 * rest >= self.before.amount
        sign = "+" if diff > 0 else "-" if diff < 0 else ""
        return f"{sign}{tenths // 10}.{tenths % 10}%"


def compare(before: RateCardTerms | None, after: RateCardTerms,
            requests: tuple[TypicalRequest, ...] = TYPICAL_REQUESTS) -> list[Comparison]:
    return [Comparison(r, quote_for(before, r.use) if before else None, quote_for(after, r.use)) for r in requests]
