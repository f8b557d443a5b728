"""Document numbers: the format, and each owner's prefix."""
from __future__ import annotations

import pytest

from licensing.core.numbering import PATTERN, format_number


@pytest.mark.parametrize(("prefix", "year", "value", "number"), [
    ("LIC", 2026, 1, "LIC-2026-00001"),
    ("LIC", 2026, 42, "LIC-2026-00042"),
    ("INV", 2027, 99999, "INV-2027-99999"),
    ("INV", 2026, 100000, "INV-2026-100000"),
    ("CN", 2026, 7, "CN-2026-00007"),
])
def test_format_number(prefix, year, value, number):
    assert format_number(prefix, year, value) == number
    assert PATTERN.match(number)


@pytest.mark.parametrize("prefix", ["", "L", "lic", "LICEN", "L-1"])
def test_format_number_refuses_a_malformed_prefix(prefix):
    with pytest.raises(ValueError, match="2 to 4 capital letters"):
        format_number(prefix, 2026, 1)


def test_each_owner_names_its_prefix():
    from invoices.billing.services import INVOICE_PREFIX
    from invoices.payments.refunds import CREDIT_NOTE_PREFIX
    from licensing.licenses.services import LICENSE_PREFIX

    assert (LICENSE_PREFIX, INVOICE_PREFIX, CREDIT_NOTE_PREFIX) == ("LIC", "INV", "CN")
