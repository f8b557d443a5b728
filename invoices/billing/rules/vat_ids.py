"""Checking a buyer's VAT id before it may take VAT off an invoice (pure; python-stdnum).

A VAT id is trusted only when its format and check digits are right for its country and its
country prefix is the buyer's country (Greece's prefix is EL, its country code GR; Northern
Ireland's traders use XI, in the United Kingdom). Ids from other countries are kept as typed but
never checked: no rule here gives them any effect. An error is a sentence the person typing can
act on; the caller keeps what was typed, so nothing is lost.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError
from stdnum.gb import vat as gb_vat

from .vat_category import EU_COUNTRIES

# The prefix of a VAT id by the buyer's ISO 3166 country (only Greece differs).
PREFIXES = {country: ("EL",) if country == "GR" else (country,) for country in EU_COUNTRIES}
PREFIXES["GB"] = ("GB", "XI")
CHECKED_COUNTRIES = frozenset(PREFIXES)
_COUNTRY_OF_PREFIX = {prefix: country for country, prefixes in PREFIXES.items() for prefix in prefixes}
_COUNTRY_OF_PREFIX["GR"] = "GR"  # typed by many for Greece; normalised to EL

# What a correct id looks like, for the error message (the VIES and HMRC formats).
SHAPES = {
    "AT": "ATU and 8 digits", "BE": "BE and 10 digits", "BG": "BG and 9 or 10 digits",
    "HR": "HR and 11 digits", "CY": "CY, 8 digits and a letter", "CZ": "CZ and 8 to 10 digits",
    "DK": "DK and 8 digits", "EE": "EE and 9 digits", "FI": "FI and 8 digits",
    "FR": "FR, 2 characters and 9 digits", "DE": "DE and 9 digits", "GR": "EL and 9 digits",
    "HU": "HU and 8 digits", "IE": "IE and 8 or 9 characters", "IT": "IT and 11 digits",
    "LV": "LV and 11 digits", "LT": "LT and 9 or 12 digits", "LU": "LU and 8 digits",
    "MT": "MT and 8 digits", "NL": "NL, 9 digits, B and 2 digits", "PL": "PL and 10 digits",
    "PT": "PT and 9 digits", "RO": "RO and 2 to 10 digits", "SK": "SK and 10 digits",
    "SI": "SI and 8 digits", "ES": "ES and 9 characters", "SE": "SE and 12 digits",
    "GB": "GB and 9 or 12 digits",
}
COUNTRY_NAMES = {
    "AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "HR": "Croatia", "CY": "Cyprus",
    "CZ": "Czechia", "DK": "Denmark", "EE": "Estonia", "FI": "Finland", "FR": "France",
    "DE": "Germany", "GR": "Greece", "HU": "Hungary", "IE": "Ireland", "IT": "Italy",
    "LV": "Latvia", "LT": "Lithuania", "LU": "Luxembourg", "MT": "Malta", "NL": "the Netherlands",
    "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SK": "Slovakia", "SI": "Slovenia",
    "ES": "Spain", "SE": "Sweden", "GB": "the United Kingdom",
}
_NOISE = re.compile(r"[\s.\-/]")


@dataclass(frozen=True)
class VatIdCheck:
    """The outcome: `vat_id` normalised (prefix, upper case, no spaces; as typed, compacted, when
    it fails its check); `error` empty when fine;
    `checked` when the id's country is one whose ids are verified here."""

    vat_id: str
    error: str
    checked: bool

    @property
    def valid(self) -> bool:
        """True only for an id verified here: the one thing that allows reverse charge."""
        return bool(self.vat_id) and self.checked and not self.error


def check_vat_id(typed: str, buyer_country: str) -> VatIdCheck:
    """Check the VAT id a buyer typed against the buyer's country; an empty id is no error."""
    country = (buyer_country or "").strip().upper()
    compact = _NOISE.sub("", typed or "").upper()
    if not compact:
        return VatIdCheck("", "", country in CHECKED_COUNTRIES)
    if country not in CHECKED_COUNTRIES:
        return VatIdCheck(compact, "", False)
    entered, prefix = compact, compact[:2]
    if not (prefix.isalpha() and prefix in _COUNTRY_OF_PREFIX):
        compact, prefix = PREFIXES[country][0] + compact, PREFIXES[country][0]  # typed without prefix
    if prefix == "GR":
        compact, prefix = "EL" + compact[2:], "EL"
    if _COUNTRY_OF_PREFIX[prefix] != country:
        found = _COUNTRY_OF_PREFIX[prefix]
        return VatIdCheck(compact, (
            f"This VAT number starts with {prefix} ({COUNTRY_NAMES[found]}), but the buyer's country is "
            f"{COUNTRY_NAMES[country]}: a VAT number from {COUNTRY_NAMES[country]} starts with "
            f"{' or '.join(PREFIXES[country])}. Correct the number or the country."), True)
    try:
        if country == "GB" and prefix == "GB":
            gb_vat.validate(compact)
        else:
            eu_vat.validate(compact)
    except InvalidChecksum:
        return VatIdCheck(entered, (
            f"{entered} is not a valid VAT number from {COUNTRY_NAMES[country]}: its check digits do not "
            "match. Check it for a typing error."), True)
    except InvalidLength:
        return VatIdCheck(entered, (
            f"{entered} has the wrong length for a VAT number from {COUNTRY_NAMES[country]}, which is "
            f"{SHAPES[country]}."), True)
    except ValidationError:
        return VatIdCheck(entered, (
            f"{entered} is not in the form of a VAT number from {COUNTRY_NAMES[country]}, which is "
            f"{SHAPES[country]}."), True)
    return VatIdCheck(compact, "", True)
