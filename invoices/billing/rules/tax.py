"""Tax rules for an invoice line (pure; table-tested): the admins' country table applied through
vat_category.decide_vat_category, with the buyer's VAT id checked by vat_ids.check_vat_id.

- A buyer in the seller's country pays the seller country's VAT (S; Z at a zero rate).
- A business buyer in another EU country with a VAT id that passes its check: reverse charge
  (AE) at 0%, with the note. An id that fails its check, or none, never takes VAT off: an EU
  seller then charges its own VAT (S), a seller outside the EU is outside the scope (O).
- Anyone else: outside the scope of the seller's VAT (O), with the note.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pycountry

from licensing.core.places import EU_COUNTRIES

from .vat_category import category_label, decide_vat_category
from .vat_ids import check_vat_id

DOMESTIC = "domestic_vat"
REVERSE_CHARGE = "eu_reverse_charge"
OUTSIDE_SCOPE = "outside_scope"

REVERSE_CHARGE_NOTE = ("Reverse charge: VAT to be accounted for by the recipient "
                       "(Article 196, Council Directive 2006/112/EC).")
OUTSIDE_SCOPE_NOTE = "Outside the scope of {tax}: services supplied to a recipient outside {country}."


@dataclass(frozen=True)
class CountryTax:
    country: str
    name: str  # e.g. "UK VAT"
    rate_bp: int  # 2000 = 20.00%
    eu: bool


@dataclass(frozen=True)
class TaxDecision:
    rule: str
    rate_bp: int
    label: str  # e.g. "UK VAT 20%"
    note: str
    category: str = "S"  # EN 16931 VAT category: S, Z, AE, O (E is never decided here)
    exemption_reason: str = ""  # BT-120, for AE and O
    exemption_code: str = ""  # BT-121

    def tax_on(self, net_minor: int) -> int:
        """Tax on a net amount, rounded half up."""
        return (net_minor * self.rate_bp + 5000) // 10000


def decide_tax(seller_country: str, buyer_country: str, buyer_vat_id: str,
               table: Mapping[str, CountryTax]) -> TaxDecision:
    seller_country, buyer_country = seller_country.upper(), buyer_country.upper()
    seller = table.get(seller_country)
    if seller is None:
        raise ValueError(f"no tax entry for the seller's country {seller_country}")
    eu = EU_COUNTRIES | {code for code, entry in table.items() if entry.eu}
    decision = decide_vat_category(
        seller_country=seller_country, seller_rate_bp=seller.rate_bp, buyer_country=buyer_country,
        buyer_vat_id_valid=check_vat_id(buyer_vat_id, buyer_country).valid,
        seller_tax_name=seller.name, seller_country_name=country_name(seller_country), eu_countries=frozenset(eu))
    return TaxDecision(decision.rule, decision.rate_bp, category_label(decision.category, decision.rate_bp, seller.name),
                       decision.note, decision.category, decision.exemption_reason, decision.exemption_code)


def country_name(code: str) -> str:
    """'GB' -> 'the United Kingdom' (the first word of the tax name gave "outside Irish")."""
    found = pycountry.countries.get(alpha_2=code)
    name = (getattr(found, "common_name", None) or found.name) if found else code
    return f"the {name}" if name.startswith(("United ", "Netherlands", "Philippines")) else name


DEFAULT_TABLE = (
    CountryTax("GB", "UK VAT", 2000, False),
    CountryTax("IE", "Irish VAT", 2300, True),
    CountryTax("FR", "French VAT", 2000, True),
    CountryTax("DE", "German VAT", 1900, True),
    CountryTax("NL", "Dutch VAT", 2100, True),
    CountryTax("ES", "Spanish VAT", 2100, True),
    CountryTax("IT", "Italian VAT", 2200, True),
    CountryTax("BE", "Belgian VAT", 2100, True),
)
