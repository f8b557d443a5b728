"""VAT ids: format and check digits per country (python-stdnum), the prefix matching the buyer's
country, and messages a person can act on; literal ids and sentences."""
from __future__ import annotations

import pytest

from invoices.billing.rules.vat_ids import check_vat_id

VALID = [
    ("DE136695976", "DE", "DE136695976"),
    ("de 136 695 976", "DE", "DE136695976"),
    ("136695976", "DE", "DE136695976"),  # typed without its prefix
    ("FR40303265045", "FR", "FR40303265045"),
    ("FR 40 303 265 045", "FR", "FR40303265045"),
    ("NL004495445B01", "NL", "NL004495445B01"),
    ("ATU13585627", "AT", "ATU13585627"),
    ("IE6388047V", "IE", "IE6388047V"),
    ("EL094259216", "GR", "EL094259216"),
    ("GR094259216", "GR", "EL094259216"),  # Greece's VAT prefix is EL
    ("IT00743110157", "IT", "IT00743110157"),
    ("ESB58378431", "ES", "ESB58378431"),
    ("BE0403019261", "BE", "BE0403019261"),
    ("BE 0403.019.261", "BE", "BE0403019261"),
    ("PL5260001246", "PL", "PL5260001246"),
    ("GB980780684", "GB", "GB980780684"),
    ("GB 980 7806 84", "GB", "GB980780684"),
    ("XI980780684", "GB", "XI980780684"),  # Northern Ireland
]


@pytest.mark.parametrize(("typed", "country", "normalised"), VALID)
def test_valid_ids_are_normalised(typed: str, country: str, normalised: str) -> None:
    result = check_vat_id(typed, country)
    assert (result.vat_id, result.error, result.checked, result.valid) == (normalised, "", True, True)


@pytest.mark.parametrize(("typed", "country", "error"), [
    ("DE136695978", "DE", "DE136695978 is not a valid VAT number from Germany: its check digits do not match. "
                          "Check it for a typing error."),
    ("FR40303265046", "FR", "FR40303265046 is not a valid VAT number from France: its check digits do not match. "
                            "Check it for a typing error."),
    ("NL004495446B01", "NL", "NL004495446B01 is not a valid VAT number from the Netherlands: its check digits do "
                             "not match. Check it for a typing error."),
    ("ATU13585626", "AT", "ATU13585626 is not a valid VAT number from Austria: its check digits do not match. "
                          "Check it for a typing error."),
    ("EL094259217", "GR", "EL094259217 is not a valid VAT number from Greece: its check digits do not match. "
                          "Check it for a typing error."),
    ("GB123456789", "GB", "GB123456789 is not a valid VAT number from the United Kingdom: its check digits do not "
                          "match. Check it for a typing error."),
    ("DE1234", "DE", "DE1234 has the wrong length for a VAT number from Germany, which is DE and 9 digits."),
    ("x", "DE", "X is not in the form of a VAT number from Germany, which is DE and 9 digits."),
    ("IT0074311015A", "IT", "IT0074311015A is not in the form of a VAT number from Italy, which is IT and 11 digits."),
    ("FR40303265045", "DE", "This VAT number starts with FR (France), but the buyer's country is Germany: a VAT "
                            "number from Germany starts with DE. Correct the number or the country."),
    ("EL094259216", "CY", "This VAT number starts with EL (Greece), but the buyer's country is Cyprus: a VAT number "
                          "from Cyprus starts with CY. Correct the number or the country."),
    ("DE136695976", "GB", "This VAT number starts with DE (Germany), but the buyer's country is the United Kingdom: "
                          "a VAT number from the United Kingdom starts with GB or XI. Correct the number or the "
                          "country."),
    ("GB980780684", "IE", "This VAT number starts with GB (the United Kingdom), but the buyer's country is Ireland: "
                          "a VAT number from Ireland starts with IE. Correct the number or the country."),
])
def test_invalid_ids_get_a_sentence_to_act_on(typed: str, country: str, error: str) -> None:
    result = check_vat_id(typed, country)
    assert (result.error, result.checked, result.valid) == (error, True, False)
    assert result.vat_id == typed.upper()  # kept as typed (upper case, no spaces)


# Every country whose ids are checked: its name and the shape of its ids, as the messages word them.
COUNTRIES = [
    ("AT", "ATU", "Austria", "ATU and 8 digits", "form"),
    ("BE", "BE", "Belgium", "BE and 10 digits", "length"),
    ("BG", "BG", "Bulgaria", "BG and 9 or 10 digits", "length"),
    ("HR", "HR", "Croatia", "HR and 11 digits", "length"),
    ("CY", "CY", "Cyprus", "CY, 8 digits and a letter", "form"),
    ("CZ", "CZ", "Czechia", "CZ and 8 to 10 digits", "length"),
    ("DK", "DK", "Denmark", "DK and 8 digits", "length"),
    ("EE", "EE", "Estonia", "EE and 9 digits", "length"),
    ("FI", "FI", "Finland", "FI and 8 digits", "length"),
    ("FR", "FR", "France", "FR, 2 characters and 9 digits", "form"),
    ("DE", "DE", "Germany", "DE and 9 digits", "length"),
    ("GR", "EL", "Greece", "EL and 9 digits", "length"),
    ("HU", "HU", "Hungary", "HU and 8 digits", "length"),
    ("IE", "IE", "Ireland", "IE and 8 or 9 characters", "form"),
    ("IT", "IT", "Italy", "IT and 11 digits", "length"),
    ("LV", "LV", "Latvia", "LV and 11 digits", "length"),
    ("LT", "LT", "Lithuania", "LT and 9 or 12 digits", "length"),
    ("LU", "LU", "Luxembourg", "LU and 8 digits", "length"),
    ("MT", "MT", "Malta", "MT and 8 digits", "length"),
    ("NL", "NL", "the Netherlands", "NL, 9 digits, B and 2 digits", "form"),
    ("PL", "PL", "Poland", "PL and 10 digits", "length"),
    ("PT", "PT", "Portugal", "PT and 9 digits", "length"),
    ("RO", "RO", "Romania", "RO and 2 to 10 digits", "length"),
    ("SK", "SK", "Slovakia", "SK and 10 digits", "length"),
    ("SI", "SI", "Slovenia", "SI and 8 digits", "length"),
    ("ES", "ES", "Spain", "ES and 9 characters", "form"),
    ("SE", "SE", "Sweden", "SE and 12 digits", "form"),
    ("GB", "GB", "the United Kingdom", "GB and 9 or 12 digits", "length"),
]


@pytest.mark.parametrize(("country", "prefix", "name", "shape", "fault"), COUNTRIES)
def test_each_country_names_the_shape_of_its_ids(country: str, prefix: str, name: str, shape: str, fault: str) -> None:
    typed = prefix[:2] + "1"
    said = {"length": "has the wrong length for", "form": "is not in the form of"}[fault]
    result = check_vat_id(typed, country)
    assert (result.vat_id, result.error, result.checked) == (
        typed, f"{typed} {said} a VAT number from {name}, which is {shape}.", True)


@pytest.mark.parametrize(("country", "prefix", "name", "shape", "fault"), COUNTRIES)
def test_each_country_names_its_prefix_when_the_id_is_another_countrys(country, prefix, name, shape, fault) -> None:
    other, other_name = ("DE136695976", "Germany") if country != "DE" else ("FR40303265045", "France")
    prefixes = "GB or XI" if country == "GB" else prefix[:2]
    result = check_vat_id(other, country)
    assert (result.vat_id, result.error, result.checked, result.valid) == (other, (
        f"This VAT number starts with {other[:2]} ({other_name}), but the buyer's country is {name}: a VAT number "
        f"from {name} starts with {prefixes}. Correct the number or the country."), True, False)


@pytest.mark.parametrize("country", [row[0] for row in COUNTRIES])
def test_the_ids_of_every_eu_country_and_the_uk_are_checked(country: str) -> None:
    assert check_vat_id("", country).checked is True


def test_an_invalid_id_keeps_what_was_typed() -> None:
    assert check_vat_id("de 136 695 978", "DE").vat_id == "DE136695978"
    assert check_vat_id("x", "DE").vat_id == "X"


@pytest.mark.parametrize(("typed", "country", "kept"), [
    ("12-3456789", "US", "123456789"), ("CHE-123.456.788 MWST", "CH", "CHE123456788MWST"), ("", "US", ""),
])
def test_ids_from_countries_we_do_not_check_are_kept_but_never_valid(typed: str, country: str, kept: str) -> None:
    result = check_vat_id(typed, country)
    assert (result.vat_id, result.error, result.checked, result.valid) == (kept, "", False, False)


def test_no_id_is_no_error() -> None:
    result = check_vat_id("  ", "FR")
    assert (result.vat_id, result.error, result.valid) == ("", "", False)
    for typed, country in ((None, "FR"), ("", None), (None, None)):
        assert check_vat_id(typed, country).error == ""
