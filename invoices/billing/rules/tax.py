"""Tax rules for an invoice line (pure; table-tested).

- A buyer in the seller's country pays the seller country's VAT.
- A business buyer in another EU country with a VAT id: reverse charge at 0%, with the note.
- Anyone else: outside the scope of the seller's VAT, with the note.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pycountry

from licensing.core.places import EU_COUNTRIES

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

    def tax_on(self, net_minor: int) -> int:
        """Tax on a net amount, rounded half up."""
        return (net_minor * self.rate_bp + 5000) // 10000


def _pct(rate_bp: int) -> str:
    whole, frac = divmod(rate_bp, 100)
    return f"{whole}%" if not frac else f"{whole}.{frac:02d}".rstrip("0") + "%"


def decide_tax(seller_country: str, buyer_country: str, buyer_vat_id: str,
               table: Mapping[str, CountryTax]) -> TaxDecision:
    seller_country, buyer_country = seller_country.upper(), buyer_country.upper()
    seller = table.get(seller_country)
    if seller is None:
        raise ValueError(f"no tax entry for the seller's country {seller_country}")
    if buyer_country == seller_country:
        return TaxDecision(DOMESTIC, seller.rate_bp, f"{seller.name} {_pct(seller.rate_bp)}", "")
    buyer_eu = buyer_country in EU_COUNTRIES or (buyer_country in table and table[buyer_country].eu)
    if buyer_eu and (buyer_vat_id or "").strip():
        return TaxDecision(REVERSE_CHARGE, 0, "Reverse charge 0%", REVERSE_CHARGE_NOTE)
    note = OUTSIDE_SCOPE_NOTE.format(tax=seller.name or f"{seller_country} VAT",
                                     country=_country_name(seller_country))
    return TaxDecision(OUTSIDE_SCOPE, 0, "Outside scope 0%", note)


def _country_name(code: str) -> str:
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
