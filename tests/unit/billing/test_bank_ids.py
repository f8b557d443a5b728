"""The seller's IBAN and BIC, checked before they are printed on every invoice; literal values."""
from __future__ import annotations

import pytest

from invoices.billing.rules.bank_ids import BankIdCheck, check_bic, check_iban, iban_country

IBAN_FORM = "is not in the form of an IBAN: two letters for the country, two check digits, then the account."
BIC_FORM = ("is not in the form of a BIC: 4 letters for the bank, 2 for the country, 2 letters or digits for the "
            "place, and an optional 3 for the branch.")


@pytest.mark.parametrize(("typed", "value"), [
    ("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432"),
    ("gb82west12345698765432", "GB82WEST12345698765432"),
    ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
    ("FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606"),
    ("IE29 AIBK 9311 5212 3456 78", "IE29AIBK93115212345678"),
])
def test_valid_ibans(typed: str, value: str) -> None:
    assert (check_iban(typed).value, check_iban(typed).error, check_iban(typed).valid) == (value, "", True)


@pytest.mark.parametrize(("typed", "error"), [
    ("GB82WEST12345698765433", "GB82WEST12345698765433 is not a valid IBAN: its check digits do not match. "
                               "Check it for a typing error."),
    ("DE89370400440532013001", "DE89370400440532013001 is not a valid IBAN: its check digits do not match. "
                               "Check it for a typing error."),
    ("xx", f"XX {IBAN_FORM}"),
    ("12345678", f"12345678 {IBAN_FORM}"),
])
def test_invalid_ibans(typed: str, error: str) -> None:
    assert check_iban(typed) == BankIdCheck(typed.upper(), error)
    assert check_iban(typed).valid is False


@pytest.mark.parametrize("typed", [
    "GB88WEST1234569876543",  # check digits right, one character short for the United Kingdom
    "ZZ33WEST12345698765432",  # check digits right, no such country
])
def test_an_iban_with_right_check_digits_but_the_wrong_form(typed: str) -> None:
    assert check_iban(typed) == BankIdCheck(typed, f"{typed} {IBAN_FORM}")


@pytest.mark.parametrize(("typed", "value"), [("NWBKGB2L", "NWBKGB2L"), ("nwbk gb 2l", "NWBKGB2L"),
                                              ("DEUTDEFF500", "DEUTDEFF500"), ("AIBKIE2D", "AIBKIE2D")])
def test_valid_bics(typed: str, value: str) -> None:
    assert (check_bic(typed).value, check_bic(typed).error) == (value, "")


@pytest.mark.parametrize("typed", ["NWBK1B2L", "NWB", "NWBKGB2LX"])
def test_invalid_bics(typed: str) -> None:
    assert check_bic(typed) == BankIdCheck(typed, f"{typed} {BIC_FORM}")
    assert check_bic(typed).valid is False


@pytest.mark.parametrize("typed", [" ", "", None])
def test_both_are_optional(typed) -> None:
    assert check_iban(typed) == BankIdCheck("", "")
    assert check_bic(typed) == BankIdCheck("", "")
    assert (check_iban(typed).valid, check_bic(typed).valid) == (False, False)


@pytest.mark.parametrize(("iban", "country"), [("GB82WEST12345698765432", "GB"), ("de89370400440532013000", "DE")])
def test_iban_country(iban: str, country: str) -> None:
    assert iban_country(iban) == country
