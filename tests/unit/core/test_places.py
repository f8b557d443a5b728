"""Places (licensing/core/places.py): the EU's members, the regions a request may name, and how a
territory is written out; literal codes and names."""
from __future__ import annotations

import pytest

from licensing.core.places import EU_COUNTRIES, EU_MEMBERS, REGIONS, territory_label

# The 27 member states of the European Union, by ISO 3166 code (written out here).
EU = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV",
      "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK")


def test_the_eu_members():
    assert sorted(EU_MEMBERS) == list(EU)
    assert frozenset(EU) == EU_COUNTRIES


@pytest.mark.parametrize(("key", "name", "codes"), [
    ("eu", "European Union", EU),
    ("uk_ie", "United Kingdom and Ireland", ("GB", "IE")),
    ("north_america", "North America", ("CA", "MX", "US")),
    ("mena", "Middle East and North Africa", ("AE", "BH", "DZ", "EG", "IL", "IQ", "IR", "JO", "KW", "LB", "LY", "MA",
                                              "OM", "PS", "QA", "SA", "SY", "TN", "TR", "YE")),
    ("gulf", "Gulf states", ("AE", "BH", "KW", "OM", "QA", "SA")),
])
def test_each_region(key, name, codes):
    region_name, region_codes = REGIONS[key]
    assert (region_name, tuple(sorted(region_codes))) == (name, codes)


def test_there_are_five_regions():
    assert list(REGIONS) == ["eu", "uk_ie", "north_america", "mena", "gulf"]


@pytest.mark.parametrize(("value", "label"), [
    ("worldwide", "Worldwide"),
    ("FR,GB", "France, United Kingdom"),
    ("GB", "United Kingdom"),
    ("GB,,FR,", "United Kingdom, France"),  # empty codes are skipped, the order kept
    ("XK,FR", "XK, France"),  # a code without a name is shown as it is
    ("", ""),
])
def test_territory_label(value, label):
    assert territory_label(value) == label
