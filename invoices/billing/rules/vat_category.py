"""Which VAT applies to a license sold to a buyer, as an EN 16931 VAT category (pure).

The desk sells the right to republish an article: a service whose place of supply is where a
business customer is established. So:
- a buyer in the seller's own country pays the seller country's VAT (category S; Z when that
  country's rate is zero, since BR-S-05 forbids a zero rate under S);
- a business in another EU country with a VAT id that passed its check (format and check digits,
  and its prefix matching the buyer's country) accounts for the VAT itself: reverse charge,
  category AE, 0% (BR-AE-*). An unchecked or mistyped id never takes VAT off an invoice;
- an EU seller selling to someone in another EU country without a valid VAT id charges its own
  VAT (S): nothing shows that the buyer is a taxable person;
- anyone else is outside the scope of the seller's VAT: category O, no rate (BR-O-*).

The caller says whether the VAT id is valid (see vat_ids.check_vat_id); this module never sees
the id itself. Outcomes of the older invoices.tax.decide_tax are kept where they were right; the
`rule` names are the ones stored on invoice lines today.
"""
from __future__ import annotations

from dataclasses import dataclass

from licensing.core.places import EU_COUNTRIES

STANDARD, ZERO_RATED, REVERSE_CHARGE, OUTSIDE_SCOPE, EXEMPT = "S", "Z", "AE", "O", "E"
CATEGORIES = (STANDARD, ZERO_RATED, REVERSE_CHARGE, OUTSIDE_SCOPE, EXEMPT)

# The rule names stored on invoice lines before categories existed (invoices.tax).
RULE_DOMESTIC, RULE_REVERSE_CHARGE, RULE_OUTSIDE_SCOPE = "domestic_vat", "eu_reverse_charge", "outside_scope"

REVERSE_CHARGE_REASON = "Reverse charge"
REVERSE_CHARGE_CODE = "VATEX-EU-AE"
REVERSE_CHARGE_NOTE = ("Reverse charge: VAT to be accounted for by the recipient "
                       "(Article 196, Council Directive 2006/112/EC).")
OUTSIDE_SCOPE_REASON = "Not subject to VAT"
OUTSIDE_SCOPE_CODE = "VATEX-EU-O"
OUTSIDE_SCOPE_NOTE = "Outside the scope of {tax}: services supplied to a recipient outside {country}."


@dataclass(frozen=True)
class VatCategoryDecision:
    """What an invoice line carries: its category, rate and, where the category needs one, the
    exemption reason (BT-120) and code (BT-121); `note` is the sentence printed on the PDF."""

    category: str
    rate_bp: int  # 2000 = 20.00%; always 0 for AE, O, Z and E
    exemption_reason: str
    exemption_code: str
    note: str
    rule: str

    def vat_on(self, net_minor: int) -> int:
        """VAT on a net amount, rounded half up (as BR-CO-17 computes it)."""
        return vat_on(net_minor, self.rate_bp)


def vat_on(net_minor: int, rate_bp: int) -> int:
    """round-half-up(net * rate) in minor units; symmetric for negative amounts."""
    if net_minor < 0:
        return -vat_on(-net_minor, rate_bp)
    return (net_minor * rate_bp + 5000) // 10000


def decide_vat_category(*, seller_country: str, seller_rate_bp: int, buyer_country: str,
                        buyer_vat_id_valid: bool, buyer_is_business: bool = True,
                        seller_tax_name: str = "", seller_country_name: str = "",
                        eu_countries: frozenset[str] = EU_COUNTRIES) -> VatCategoryDecision:
    """The VAT category of a sale. `seller_rate_bp` is the seller country's standard rate;
    `seller_tax_name` ("UK VAT") and `seller_country_name` ("the United Kingdom") only word the
    outside-scope note."""
    seller_country, buyer_country = seller_country.strip().upper(), buyer_country.strip().upper()
    if len(seller_country) != 2 or len(buyer_country) != 2:
        raise ValueError("countries are ISO 3166 alpha-2 codes")
    if not 0 <= seller_rate_bp <= 10000:
        raise ValueError("a VAT rate is between 0 and 10000 basis points")
    domestic = _domestic(seller_rate_bp)
    if buyer_country == seller_country:
        return domestic
    seller_eu, buyer_eu = seller_country in eu_countries, buyer_country in eu_countries
    if buyer_eu and buyer_is_business and buyer_vat_id_valid:
        return VatCategoryDecision(REVERSE_CHARGE, 0, REVERSE_CHARGE_REASON, REVERSE_CHARGE_CODE,
                                   REVERSE_CHARGE_NOTE, RULE_REVERSE_CHARGE)
    if seller_eu and buyer_eu:
        return domestic
    note = OUTSIDE_SCOPE_NOTE.format(tax=seller_tax_name or f"{seller_country} VAT",
                                     country=seller_country_name or seller_country)
    return VatCategoryDecision(OUTSIDE_SCOPE, 0, OUTSIDE_SCOPE_REASON, OUTSIDE_SCOPE_CODE, note, RULE_OUTSIDE_SCOPE)


def _domestic(rate_bp: int) -> VatCategoryDecision:
    category = STANDARD if rate_bp > 0 else ZERO_RATED
    return VatCategoryDecision(category, rate_bp, "", "", "", RULE_DOMESTIC)


def category_label(category: str, rate_bp: int, tax_name: str = "VAT") -> str:
    """What the PDF prints in a line's tax column: 'UK VAT 20%', 'Reverse charge 0%'."""
    if category == STANDARD:
        return f"{tax_name} {percent(rate_bp)}"
    return {ZERO_RATED: f"{tax_name} 0%", REVERSE_CHARGE: "Reverse charge 0%",
            OUTSIDE_SCOPE: "Outside scope", EXEMPT: "Exempt"}[category]


def percent(rate_bp: int) -> str:
    """2000 -> '20%', 550 -> '5.5%', 1925 -> '19.25%'."""
    whole, frac = divmod(rate_bp, 100)
    return f"{whole}%" if not frac else f"{whole}.{frac:02d}".rstrip("0") + "%"
