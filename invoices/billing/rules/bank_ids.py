"""Checking the seller's bank account before it is printed on every invoice (pure; python-stdnum).

A mistyped IBAN sends every customer's payment astray, so the admin form refuses one whose
check digits fail, and a BIC that is not in the form of a bank identifier code."""
from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")


@dataclass(frozen=True)
class BankIdCheck:
    value: str  # normalised (no spaces, upper case); as typed, compacted, on error
    error: str  # "" when fine

    @property
    def valid(self) -> bool:
        return bool(self.value) and not self.error


def check_iban(typed: str) -> BankIdCheck:
    """An IBAN: its country's length and format, and its check digits (ISO 13616). Optional
    (a seller may take cards only): empty is no error."""
    compact = stdnum_iban.compact(typed or "")
    if not compact:
        return BankIdCheck("", "")
    if not _IBAN_SHAPE.fullmatch(compact):
        return BankIdCheck(compact, f"{compact} is not in the form of an IBAN: two letters for the country, "
                                    "two check digits, then the account.")
    try:
        return BankIdCheck(stdnum_iban.validate(compact), "")
    except InvalidChecksum:
        return BankIdCheck(compact, f"{compact} is not a valid IBAN: its check digits do not match. "
                                    "Check it for a typing error.")
    except InvalidLength:
        return BankIdCheck(compact, f"{compact} has the wrong length for an IBAN from {compact[:2]}.")
    except ValidationError:
        return BankIdCheck(compact, f"{compact} is not in the form of an IBAN: two letters for the country, "
                                    "two check digits, then the account.")


def check_bic(typed: str) -> BankIdCheck:
    """A BIC (ISO 9362): 8 or 11 characters, a known country. Optional: empty is no error."""
    compact = stdnum_bic.compact(typed or "")
    if not compact:
        return BankIdCheck("", "")
    try:
        return BankIdCheck(stdnum_bic.validate(compact), "")
    except ValidationError:
        return BankIdCheck(compact, f"{compact} is not in the form of a BIC: 4 letters for the bank, 2 for the "
                                    "country, 2 letters or digits for the place, and an optional 3 for the branch.")


def iban_country(iban: str) -> str:
    return iban[:2].upper()
