"""Countries, languages and territory regions (ISO 3166 / ISO 639 names from pycountry), shared by the
request form, the tax table and every page that names a place."""
from __future__ import annotations

from functools import lru_cache

import pycountry

EU_MEMBERS = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
)
EU_COUNTRIES = frozenset(EU_MEMBERS)  # the one list: the territory region and the tax rules both read it

REGIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "eu": ("European Union", EU_MEMBERS),
    "uk_ie": ("United Kingdom and Ireland", ("GB", "IE")),
    "north_america": ("North America", ("US", "CA", "MX")),
    "mena": ("Middle East and North Africa", (
        "DZ", "BH", "EG", "IR", "IQ", "IL", "JO", "KW", "LB", "LY", "MA", "OM", "PS", "QA", "SA",
        "SY", "TN", "TR", "AE", "YE")),
    "gulf": ("Gulf states", ("BH", "KW", "OM", "QA", "SA", "AE")),
}


@lru_cache(maxsize=1)
def countries() -> dict[str, str]:
    return {c.alpha_2: getattr(c, "common_name", None) or c.name
            for c in sorted(pycountry.countries, key=lambda c: getattr(c, "common_name", None) or c.name)}


@lru_cache(maxsize=1)
def languages() -> dict[str, str]:
    found = {lang.alpha_2: lang.name for lang in pycountry.languages if hasattr(lang, "alpha_2")}
    return dict(sorted(found.items(), key=lambda kv: kv[1]))


def territory_label(value: str) -> str:
    """'worldwide' or 'FR,GB' -> 'Worldwide' or 'France, United Kingdom'."""
    if value == "worldwide":
        return "Worldwide"
    return ", ".join(countries().get(c, c) for c in value.split(",") if c)
