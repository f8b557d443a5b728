"""Invoice tax (invoices/billing/rules/tax.py): the default country table, the decision for each
buyer, and the rounding of tax; rule names, notes and rows are literals here, not the module's own."""
from __future__ import annotations

import pytest

from invoices.billing.rules.tax import DEFAULT_TABLE, CountryTax, TaxDecision, country_name, decide_tax

# The default table, row by row: (country, tax name, rate in basis points, EU member).
DEFAULT_ROWS = [
    ("GB", "UK VAT", 2000, False),
    ("IE", "Irish VAT", 2300, True),
    ("FR", "French VAT", 2000, True),
    ("DE", "German VAT", 1900, True),
    ("NL", "Dutch VAT", 2100, True),
    ("ES", "Spanish VAT", 2100, True),
    ("IT", "Italian VAT", 2200, True),
    ("BE", "Belgian VAT", 2100, True),
]
TABLE = {row[0]: CountryTax(*row) for row in DEFAULT_ROWS}
DOMESTIC, REVERSE_CHARGE, OUTSIDE_SCOPE = "domestic_vat", "eu_reverse_charge", "outside_scope"
REVERSE_CHARGE_NOTE = ("Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive "
                       "2006/112/EC).")
UK_OUTSIDE_NOTE = "Outside the scope of UK VAT: services supplied to a recipient outside the United Kingdom."


def test_the_default_table_row_by_row():
    assert [(t.country, t.name, t.rate_bp, t.eu) for t in DEFAULT_TABLE] == DEFAULT_ROWS


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


# Each EU seller of the default table: (seller, its label and rate, an EU buyer with a checked id, the note
# for a buyer outside the EU).
SELLERS = [
    ("IE", "Irish VAT 23%", 2300, "DE136695976", "Outside the scope of Irish VAT: services supplied to a recipient "
     "outside Ireland."),
    ("FR", "French VAT 20%", 2000, "DE136695976", "Outside the scope of French VAT: services supplied to a "
     "recipient outside France."),
    ("DE", "German VAT 19%", 1900, "FR40303265045", "Outside the scope of German VAT: services supplied to a "
     "recipient outside Germany."),
    ("NL", "Dutch VAT 21%", 2100, "DE136695976", "Outside the scope of Dutch VAT: services supplied to a recipient "
     "outside the Netherlands."),
    ("ES", "Spanish VAT 21%", 2100, "FR40303265045", "Outside the scope of Spanish VAT: services supplied to a "
     "recipient outside Spain."),
    ("IT", "Italian VAT 22%", 2200, "DE136695976", "Outside the scope of Italian VAT: services supplied to a "
     "recipient outside Italy."),
    ("BE", "Belgian VAT 21%", 2100, "FR40303265045", "Outside the scope of Belgian VAT: services supplied to a "
     "recipient outside Belgium."),
]


@pytest.mark.parametrize(("seller", "label", "rate_bp", "eu_id", "outside_note"), SELLERS)
def test_each_eu_seller_in_the_default_table(seller, label, rate_bp, eu_id, outside_note):
    assert decide_tax(seller, seller, "", TABLE) == TaxDecision(DOMESTIC, rate_bp, label, "")
    assert decide_tax(seller, eu_id[:2], eu_id, TABLE) == TaxDecision(
        REVERSE_CHARGE, 0, "Reverse charge 0%", REVERSE_CHARGE_NOTE, "AE", "Reverse charge", "VATEX-EU-AE")
    assert decide_tax(seller, "PL", "", TABLE) == TaxDecision(DOMESTIC, rate_bp, label, "")  # EU, without an id
    assert decide_tax(seller, "US", "", TABLE) == TaxDecision(
        OUTSIDE_SCOPE, 0, "Outside scope", outside_note, "O", "Not subject to VAT", "VATEX-EU-O")


@pytest.mark.parametrize(("country", "eu"), [(row[0], row[3]) for row in DEFAULT_ROWS])
def test_each_rows_eu_flag_decides_whether_an_eu_buyer_without_an_id_pays_its_vat(country, eu):
    # a seller in the EU charges its VAT to an EU buyer without an id; one outside is outside the scope
    rule = decide_tax(country, "PL", "", TABLE).rule
    assert rule == (DOMESTIC if eu else OUTSIDE_SCOPE)


@pytest.mark.parametrize(("code", "name"), [
    ("GB", "the United Kingdom"), ("US", "the United States"), ("AE", "the United Arab Emirates"),
    ("NL", "the Netherlands"), ("PH", "the Philippines"), ("IE", "Ireland"), ("DE", "Germany"),
    ("TW", "Taiwan"), ("BO", "Bolivia"), ("KR", "South Korea"),  # the common name, not the official one
    ("XK", "XK"), ("ZZ", "ZZ"),  # no ISO 3166 entry: the code itself
])
def test_country_name_as_the_outside_scope_note_words_it(code, name):
    assert country_name(code) == name


def test_an_eu_seller_charges_its_own_vat_at_home_and_to_eu_buyers_without_a_valid_id():
    assert decide_tax("DE", "DE", "DE136695976", TABLE) == TaxDecision(DOMESTIC, 1900, "German VAT 19%", "")
    assert decide_tax("IE", "FR", "FR40303265045", TABLE).rule == REVERSE_CHARGE
    # an Irish seller, a French buyer whose id fails its check: Irish VAT at 23%, not reverse charge
    assert decide_tax("IE", "FR", "FR123", TABLE) == TaxDecision(DOMESTIC, 2300, "Irish VAT 23%", "")
    assert decide_tax("IE", "FR", "", TABLE) == TaxDecision(DOMESTIC, 2300, "Irish VAT 23%", "")
    outside = decide_tax("IE", "GB", "GB980780684", TABLE)  # the UK left the EU
    assert (outside.rule, outside.rate_bp, outside.category) == (OUTSIDE_SCOPE, 0, "O")
    assert outside.note == "Outside the scope of Irish VAT: services supplied to a recipient outside Ireland."


def test_a_country_the_admins_marked_eu_is_eu_for_an_eu_seller():
    table = dict(TABLE)
    table["XK"] = CountryTax("XK", "Kosovo VAT", 1800, True)
    # without a valid id, an Irish seller charges Irish VAT to a buyer in a country marked EU...
    assert decide_tax("IE", "XK", "", table) == TaxDecision(DOMESTIC, 2300, "Irish VAT 23%", "")
    # ... and a seller in a country marked EU charges its own VAT to an EU buyer without one
    assert decide_tax("XK", "DE", "", table) == TaxDecision(DOMESTIC, 1800, "Kosovo VAT 18%", "")
    table["XK"] = CountryTax("XK", "Kosovo VAT", 1800, False)
    assert decide_tax("IE", "XK", "", table).rule == OUTSIDE_SCOPE


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
    with pytest.raises(ValueError, match="^no tax entry for the seller's country ZZ$"):
        decide_tax("zz", "GB", "", TABLE)
    with pytest.raises(ValueError, match="^no tax entry for the seller's country GB$"):
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
    (4999, 1, 0),       # 0.4999 -> 0, at the rounding boundary
    (5000, 1, 1),       # 0.5 -> 1
    (14999, 1, 1),      # 1.4999 -> 1
    (15000, 1, 2),      # 1.5 -> 2
    (1234567, 2000, 246913),  # 246913.4
    (10**12, 2000, 2 * 10**11),
    (12345, 0, 0),
])
def test_tax_on_rounds_half_up_in_minor_units(net, rate_bp, tax):
    amount = TaxDecision(DOMESTIC, rate_bp, "x", "").tax_on(net)
    assert amount == tax
    assert type(amount) is int


def test_tax_on_is_exact_integer_arithmetic():
    decision = decide_tax("GB", "GB", "", TABLE)
    assert isinstance(decision.tax_on(67500), int)
    assert decision.tax_on(67500) == 13500
    # reverse charge and outside scope never charge anything
    assert decide_tax("GB", "DE", "DE136695976", TABLE).tax_on(67500) == 0
    assert decide_tax("GB", "US", "", TABLE).tax_on(67500) == 0
