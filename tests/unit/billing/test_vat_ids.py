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
    assert (result.error, result.valid) == (error, False)


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
