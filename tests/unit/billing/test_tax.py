"""The pure rules behind issued documents: invoice tax, license end dates, RightsML JSON-LD and
document numbers."""
from __future__ import annotations

from datetime import date

import pytest

from invoices.billing.rules.tax import (
    DEFAULT_TABLE,
    DOMESTIC,
    OUTSIDE_SCOPE,
    REVERSE_CHARGE,
    REVERSE_CHARGE_NOTE,
    CountryTax,
    TaxDecision,
    decide_tax,
)
from licensing.licenses.rules.terms import credit_line, end_date

TABLE = {t.country: t for t in DEFAULT_TABLE}
UK_OUTSIDE_NOTE = "Outside the scope of UK VAT: services supplied to a recipient outside the United Kingdom."


# --- tax ---------------------------------------------------------------------------------------

CAT_AE = ("AE", "Reverse charge", "VATEX-EU-AE")
CAT_O = ("O", "Not subject to VAT", "VATEX-EU-O")
CAT_S = ("S", "", "")


@pytest.mark.parametrize(("buyer", "vat_id", "rule", "rate_bp", "label", "note", "category"), [
    # domestic: the seller country's VAT, with or without a VAT id, whatever the case of the code
    ("GB", "", DOMESTIC, 2000, "UK VAT 20%", "", CAT_S),
    ("GB", "GB980780684", DOMESTIC, 2000, "UK VAT 20%", "", CAT_S),
    ("gb", "", DOMESTIC, 2000, "UK VAT 20%", "", CAT_S),
    # EU business with a VAT id that passes its check (digits, and prefix = country): reverse charge
    ("DE", "DE136695976", REVERSE_CHARGE, 0, "Reverse charge 0%", REVERSE_CHARGE_NOTE, CAT_AE),
    ("FR", "FR40303265045", REVERSE_CHARGE, 0, "Reverse charge 0%", REVERSE_CHARGE_NOTE, CAT_AE),
    ("PL", "PL5260001246", REVERSE_CHARGE, 0, "Reverse charge 0%", REVERSE_CHARGE_NOTE, CAT_AE),  # EU, not in table
    ("ie", "IE6388047V", REVERSE_CHARGE, 0, "Reverse charge 0%", REVERSE_CHARGE_NOTE, CAT_AE),
    ("NL", "NL004495445B01", REVERSE_CHARGE, 0, "Reverse charge 0%", REVERSE_CHARGE_NOTE, CAT_AE),
    # ... and with one that fails it, or of another country, never: a UK seller is then outside the scope
    # (these ids all took the VAT off before the check existed)
    ("DE", "DE123456789", OUTSIDE_SCOPE, 0, "Outside scope", UK_OUTSIDE_NOTE, CAT_O),
    ("FR", "FR12345678901", OUTSIDE_SCOPE, 0, "Outside scope", UK_OUTSIDE_NOTE, CAT_O),
    ("PL", "PL1234567890", OUTSIDE_SCOPE, 0, "Outside scope", UK_OUTSIDE_NOTE, CAT_O),
    ("ie", "IE6388047W", OUTSIDE_SCOPE, 0, "Outside scope", UK_OUTSIDE_NOTE, CAT_O),
    ("NL", "x", OUTSIDE_SCOPE, 0, "Outside scope", UK_OUTSIDE_NOTE, CAT_O),
    ("DE", "FR40303265045", OUTSIDE_SCOPE, 0, "Outside scope", UK_OUTSIDE_NOTE, CAT_O),  # France's id, German buyer
    # EU without a VAT id (a consumer or an unregistered body): outside the scope here
    ("DE", "", OUTSIDE_SCOPE, 0, "Outside scope", UK_OUTSIDE_NOTE, CAT_O),
    ("DE", "   ", OUTSIDE_SCOPE, 0, "Outside scope", UK_OUTSIDE_NOTE, CAT_O),
    ("FR", None, OUTSIDE_SCOPE, 0, "Outside scope", UK_OUTSIDE_NOTE, CAT_O),
    # outside the EU, with or without a tax id
    ("US", "", OUTSIDE_SCOPE, 0, "Outside scope", UK_OUTSIDE_NOTE, CAT_O),
    ("US", "12-3456789", OUTSIDE_SCOPE, 0, "Outside scope", UK_OUTSIDE_NOTE, CAT_O),
    ("CH", "CHE-123.456.789", OUTSIDE_SCOPE, 0, "Outside scope", UK_OUTSIDE_NOTE, CAT_O),
    ("NO", "NO123456789MVA", OUTSIDE_SCOPE, 0, "Outside scope", UK_OUTSIDE_NOTE, CAT_O),
])
def test_decide_tax_for_a_uk_seller(buyer, vat_id, rule, rate_bp, label, note, category):
    decision = decide_tax("GB", buyer, vat_id, TABLE)
    assert decision == TaxDecision(rule, rate_bp, label, note, *category)


def test_the_notes_say_what_applies():
    assert "Reverse charge" in REVERSE_CHARGE_NOTE and "Article 196" in REVERSE_CHARGE_NOTE
    assert "2006/112/EC" in REVERSE_CHARGE_NOTE
    assert UK_OUTSIDE_NOTE.startswith("Outside the scope of UK VAT")


def test_an_eu_seller_charges_its_own_vat_at_home_and_to_eu_buyers_without_a_valid_id():
    assert decide_tax("DE", "DE", "DE136695976", TABLE) == TaxDecision(DOMESTIC, 1900, "German VAT 19%", "")
    assert decide_tax("IE", "FR", "FR40303265045", TABLE).rule == REVERSE_CHARGE
    # an Irish seller, a French buyer whose id fails its check: Irish VAT at 23%, not reverse charge
    assert decide_tax("IE", "FR", "FR123", TABLE) == TaxDecision(DOMESTIC, 2300, "Irish VAT 23%", "")
    assert decide_tax("IE", "FR", "", TABLE) == TaxDecision(DOMESTIC, 2300, "Irish VAT 23%", "")
    outside = decide_tax("IE", "GB", "GB980780684", TABLE)  # the UK left the EU
    assert (outside.rule, outside.rate_bp, outside.category) == (OUTSIDE_SCOPE, 0, "O")
    assert outside.note == "Outside the scope of Irish VAT: services supplied to a recipient outside Ireland."


def test_a_country_the_admins_marked_eu_is_reverse_charged_only_with_an_id_checked_here():
    table = dict(TABLE)
    assert decide_tax("GB", "XK", "XK123", table).rule == OUTSIDE_SCOPE
    table["XK"] = CountryTax("XK", "Kosovo VAT", 1800, True)
    # python-stdnum checks no Kosovan ids: an unchecked id never takes the VAT off
    assert decide_tax("GB", "XK", "XK123", table) == TaxDecision(
        OUTSIDE_SCOPE, 0, "Outside scope", UK_OUTSIDE_NOTE, *CAT_O)
    assert decide_tax("GB", "XK", "", table).rule == OUTSIDE_SCOPE
    table["CH"] = CountryTax("CH", "Swiss VAT", 810, False)  # in the table but not EU
    assert decide_tax("GB", "CH", "CHE-1", table).rule == OUTSIDE_SCOPE


def test_an_edited_seller_rate_is_the_one_charged():
    table = dict(TABLE)
    table["GB"] = CountryTax("GB", "UK VAT", 1750, False)
    decision = decide_tax("GB", "GB", "", table)
    assert (decision.rate_bp, decision.label) == (1750, "UK VAT 17.5%")
    assert decision.tax_on(10000) == 1750


@pytest.mark.parametrize(("rate_bp", "label"), [
    (0, "UK VAT 0%"), (500, "UK VAT 5%"), (550, "UK VAT 5.5%"), (2050, "UK VAT 20.5%"),
    (1205, "UK VAT 12.05%"), (1000, "UK VAT 10%"), (10000, "UK VAT 100%"),
])
def test_the_label_prints_the_rate_without_trailing_zeros(rate_bp, label):
    table = {"GB": CountryTax("GB", "UK VAT", rate_bp, False)}
    assert decide_tax("GB", "GB", "", table).label == label


def test_the_seller_missing_from_the_table_is_an_error():
    with pytest.raises(ValueError, match="seller's country ZZ"):
        decide_tax("ZZ", "GB", "", TABLE)
    with pytest.raises(ValueError):
        decide_tax("GB", "GB", "", {})


@pytest.mark.parametrize(("net", "rate_bp", "tax"), [
    (67500, 2000, 13500),
    (0, 2000, 0),
    (1, 2000, 0),       # 0.2 -> 0
    (2, 2000, 0),       # 0.4 -> 0
    (3, 2000, 1),       # 0.6 -> 1
    (5, 1000, 1),       # 0.5 exactly -> rounds half up
    (15, 1000, 2),      # 1.5 -> 2
    (25, 1000, 3),      # 2.5 -> 3 (half up, not to even)
    (24, 1000, 2),      # 2.4 -> 2
    (999, 1750, 175),   # 174.825 -> 175
    (1234567, 2000, 246913),  # 246913.4
    (10**12, 2000, 2 * 10**11),
    (12345, 0, 0),
])
def test_tax_on_rounds_half_up_in_minor_units(net, rate_bp, tax):
    assert TaxDecision(DOMESTIC, rate_bp, "x", "").tax_on(net) == tax


def test_tax_on_is_exact_integer_arithmetic():
    decision = decide_tax("GB", "GB", "", TABLE)
    assert isinstance(decision.tax_on(67500), int)
    assert decision.tax_on(67500) == 13500
    # reverse charge and outside scope never charge anything
    assert decide_tax("GB", "DE", "DE136695976", TABLE).tax_on(67500) == 0
    assert decide_tax("GB", "US", "", TABLE).tax_on(67500) == 0


# --- license terms -----------------------------------------------------------------------------

@pytest.mark.parametrize(("term", "start", "end"), [
    ("one_off", date(2026, 1, 1), None),  # no end of display: one publication, then the archive
    ("one_off", date(2026, 2, 15), None),
    ("30_days", date(2026, 1, 1), date(2026, 1, 30)),
    ("30_days", date(2024, 2, 15), date(2024, 3, 15)),   # through a 29 February
    ("30_days", date(2026, 12, 15), date(2027, 1, 13)),  # across a year end
    ("1_year", date(2026, 1, 1), date(2026, 12, 31)),
    ("1_year", date(2026, 7, 15), date(2027, 7, 14)),
    ("1_year", date(2024, 2, 29), date(2025, 2, 28)),    # starts on 29 February
    ("1_year", date(2023, 3, 1), date(2024, 2, 29)),     # ends on 29 February
    ("1_year", date(2027, 2, 28), date(2028, 2, 27)),
    ("1_year", date(2027, 3, 1), date(2028, 2, 29)),
    ("perpetual", date(2026, 5, 1), None),
    ("perpetual", date(2024, 2, 29), None),
])
def test_end_date_of_every_term(term, start, end):
    assert end_date(term, start) == end


@pytest.mark.parametrize("term", ["30_days", "1_year"])
def test_a_term_never_ends_before_it_starts(term):
    for start in (date(2024, 2, 29), date(2025, 12, 31), date(2026, 1, 1)):
        assert end_date(term, start) > start


def test_unknown_term_is_refused():
    with pytest.raises(ValueError, match="unknown term"):
        end_date("2_years", date(2026, 1, 1))


def test_credit_line():
    assert credit_line("Middle East Eye Ltd", "MEE and agencies") == \
        "By MEE and agencies, Middle East Eye Ltd. Republished under license."
    assert credit_line("Middle East Eye Ltd", "", "licence") == "By Middle East Eye Ltd. Republished under licence."
    assert credit_line("Middle East Eye Ltd", "") == "By Middle East Eye Ltd. Republished under license."

# RightsML: tests/unit/licenses/test_rightsml.py (the ODRL validator on every kind of license)
