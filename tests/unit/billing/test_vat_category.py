"""The VAT category of a sale, table-tested with literal outcomes; the VAT id's validity comes
from check_vat_id (tested in test_vat_ids), and each tax case is run with valid and invalid ids
from several countries."""
from __future__ import annotations

import pytest

from invoices.billing.rules.vat_category import (
    CATEGORIES,
    VatCategoryDecision,
    category_label,
    decide_vat_category,
    percent,
    vat_on,
)
from invoices.billing.rules.vat_ids import check_vat_id

REVERSE_CHARGE_NOTE = ("Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive "
                       "2006/112/EC).")
UK_NOTE = "Outside the scope of UK VAT: services supplied to a recipient outside the United Kingdom."
IE_NOTE = "Outside the scope of Irish VAT: services supplied to a recipient outside Ireland."
UK = {"seller_country": "GB", "seller_rate_bp": 2000, "seller_tax_name": "UK VAT",
      "seller_country_name": "the United Kingdom"}
IE = {"seller_country": "IE", "seller_rate_bp": 2300, "seller_tax_name": "Irish VAT", "seller_country_name": "Ireland"}


@pytest.mark.parametrize(("seller", "buyer_country", "valid_id", "business", "expected"), [
    # a UK seller (outside the EU)
    (UK, "GB", False, True, ("S", 2000, "", "", "", "domestic_vat")),
    (UK, "GB", True, True, ("S", 2000, "", "", "", "domestic_vat")),
    (UK, "gb", False, False, ("S", 2000, "", "", "", "domestic_vat")),
    (UK, "DE", True, True, ("AE", 0, "Reverse charge", "VATEX-EU-AE", REVERSE_CHARGE_NOTE, "eu_reverse_charge")),
    (UK, "DE", False, True, ("O", 0, "Not subject to VAT", "VATEX-EU-O", UK_NOTE, "outside_scope")),
    (UK, "FR", True, False, ("O", 0, "Not subject to VAT", "VATEX-EU-O", UK_NOTE, "outside_scope")),
    (UK, "US", False, True, ("O", 0, "Not subject to VAT", "VATEX-EU-O", UK_NOTE, "outside_scope")),
    (UK, "CH", True, True, ("O", 0, "Not subject to VAT", "VATEX-EU-O", UK_NOTE, "outside_scope")),
    # an EU seller
    (IE, "IE", True, True, ("S", 2300, "", "", "", "domestic_vat")),
    (IE, "NL", True, True, ("AE", 0, "Reverse charge", "VATEX-EU-AE", REVERSE_CHARGE_NOTE, "eu_reverse_charge")),
    (IE, "NL", False, True, ("S", 2300, "", "", "", "domestic_vat")),
    (IE, "GR", False, False, ("S", 2300, "", "", "", "domestic_vat")),
    (IE, "GB", True, True, ("O", 0, "Not subject to VAT", "VATEX-EU-O", IE_NOTE, "outside_scope")),
    (IE, "JP", False, True, ("O", 0, "Not subject to VAT", "VATEX-EU-O", IE_NOTE, "outside_scope")),
    # a seller country with a zero rate: Z, since S may not be 0% (BR-S-05); the lowest rate above it is S
    ({"seller_country": "GB", "seller_rate_bp": 0}, "GB", False, True, ("Z", 0, "", "", "", "domestic_vat")),
    ({"seller_country": "GB", "seller_rate_bp": 1}, "GB", False, True, ("S", 1, "", "", "", "domestic_vat")),
    ({"seller_country": "GB", "seller_rate_bp": 10000}, "GB", False, True, ("S", 10000, "", "", "", "domestic_vat")),
    ({"seller_country": " gb ", "seller_rate_bp": 2000}, " GB", False, True, ("S", 2000, "", "", "", "domestic_vat")),
])
def test_decide_vat_category(seller: dict, buyer_country: str, valid_id: bool, business: bool,
                             expected: tuple) -> None:
    decision = decide_vat_category(**seller, buyer_country=buyer_country, buyer_vat_id_valid=valid_id,
                                   buyer_is_business=business)
    assert (decision.category, decision.rate_bp, decision.exemption_reason, decision.exemption_code,
            decision.note, decision.rule) == expected


def test_the_outside_scope_note_without_names_uses_the_country_code() -> None:
    decision = decide_vat_category(seller_country="GB", seller_rate_bp=2000, buyer_country="US",
                                   buyer_vat_id_valid=False)
    assert decision.note == "Outside the scope of GB VAT: services supplied to a recipient outside GB."


# (buyer country, a valid id, an invalid id): through the id check into the decision
IDS = [
    ("DE", "DE136695976", "DE136695978"),
    ("FR", "FR40303265045", "FR40303265046"),
    ("NL", "NL004495445B01", "NL004495446B01"),
    ("AT", "ATU13585627", "ATU13585626"),
    ("GR", "EL094259216", "EL094259217"),
    ("IT", "IT00743110157", "IT00743110158"),
    ("ES", "ESB58378431", "ESB58378432"),
]


@pytest.mark.parametrize(("country", "valid", "invalid"), IDS)
def test_reverse_charge_only_with_a_valid_id_from_the_buyers_country(country: str, valid: str, invalid: str) -> None:
    def category(typed: str, buyer_country: str = country) -> str:
        checked = check_vat_id(typed, buyer_country)
        return decide_vat_category(**UK, buyer_country=buyer_country, buyer_vat_id_valid=checked.valid).category

    assert category(valid) == "AE"
    assert category(invalid) == "O"
    assert category("x") == "O"
    assert category("") == "O"
    assert category(valid, "BE" if country != "BE" else "DE") == "O"  # someone else's country


@pytest.mark.parametrize(("country", "valid", "invalid"), IDS[:5])
def test_an_eu_seller_charges_its_own_vat_without_a_valid_id(country: str, valid: str, invalid: str) -> None:
    def decision(typed: str):  # noqa: ANN202
        return decide_vat_category(**IE, buyer_country=country,
                                   buyer_vat_id_valid=check_vat_id(typed, country).valid)

    assert (decision(valid).category, decision(valid).rate_bp) == ("AE", 0)
    assert (decision(invalid).category, decision(invalid).rate_bp) == ("S", 2300)


@pytest.mark.parametrize(("net", "rate_bp", "vat"), [
    (35000, 2000, 7000), (1, 2000, 0), (2, 2500, 1),  # 0.5 rounds up
    (50, 1900, 10), (49, 1900, 9),  # 9.5 -> 10; 9.31 -> 9
    (4999, 1, 0), (5000, 1, 1),  # 0.4999 -> 0; 0.5 -> 1
    (14999, 1, 1), (15000, 1, 2), (10050, 2300, 2312), (20100, 2300, 4623), (0, 2000, 0),
    (-2, 2500, -1),  # a negative amount rounds half away from zero, like its positive
])
def test_vat_on_rounds_half_up(net: int, rate_bp: int, vat: int) -> None:
    amount = vat_on(net, rate_bp)
    assert amount == vat
    assert type(amount) is int
    decision = VatCategoryDecision("S", rate_bp, "", "", "", "domestic_vat")
    assert decision.vat_on(net) == vat


def test_the_categories_of_en16931_the_desk_knows():
    assert CATEGORIES == ("S", "Z", "AE", "O", "E")


@pytest.mark.parametrize(("category", "rate_bp", "label"), [
    ("S", 2000, "UK VAT 20%"), ("S", 550, "UK VAT 5.5%"), ("AE", 0, "Reverse charge 0%"),
    ("O", 0, "Outside scope"), ("Z", 0, "UK VAT 0%"), ("E", 0, "Exempt"),
])
def test_category_label(category: str, rate_bp: int, label: str) -> None:
    assert category_label(category, rate_bp, "UK VAT") == label


def test_category_label_without_a_tax_name_says_vat() -> None:
    assert (category_label("S", 2000), category_label("Z", 0)) == ("VAT 20%", "VAT 0%")


@pytest.mark.parametrize(("rate_bp", "text"), [(2000, "20%"), (550, "5.5%"), (1925, "19.25%"), (5, "0.05%")])
def test_percent(rate_bp: int, text: str) -> None:
    assert percent(rate_bp) == text


@pytest.mark.parametrize(("bad", "message"), [
    ({"seller_country": "GBR"}, "countries are ISO 3166 alpha-2 codes"),
    ({"buyer_country": ""}, "countries are ISO 3166 alpha-2 codes"),
    ({"buyer_country": "D"}, "countries are ISO 3166 alpha-2 codes"),
    ({"seller_rate_bp": 10001}, "a VAT rate is between 0 and 10000 basis points"),
    ({"seller_rate_bp": -1}, "a VAT rate is between 0 and 10000 basis points"),
])
def test_bad_inputs_are_refused(bad: dict, message: str) -> None:
    arguments = {**UK, "buyer_country": "DE", "buyer_vat_id_valid": True} | bad
    with pytest.raises(ValueError, match=f"^{message}$"):
        decide_vat_category(**arguments)
