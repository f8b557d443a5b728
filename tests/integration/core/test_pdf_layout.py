"""The widths of the invoice's amount columns (a table of fixed layout, see templates/pdf/v2/invoice.html)."""
from __future__ import annotations

from licensing.core.templating import invoice_columns


def _line(amount: int, tax: int = 0) -> dict:
    return {"unit_amount": amount, "net_amount": amount, "tax_amount": tax}


def test_columns_are_at_least_as_wide_as_their_headings():
    assert invoice_columns([_line(500)], [500, 0, 500], "GBP") == {"unit": 12, "net": 12, "tax": 12}


def test_each_column_follows_its_longest_amount_and_the_last_holds_the_larger_totals():
    widths = invoice_columns([_line(999_999, 199_999)], [999_999, 199_999, 1_199_998], "GBP")
    # "£9,999.99" is 9 characters, "£11,999.98" 10, shown bold and larger in the total line
    assert widths == {"unit": 12, "net": 12, "tax": 14}


def test_amounts_that_would_squeeze_the_description_get_the_automatic_layout():
    assert invoice_columns([_line(99_999_999)], [99_999_999, 0, 99_999_999], "GBP") is None  # £999,999.99


def test_currencies_without_minor_units_count_their_own_characters():
    # "¥1,000,000" is 10 characters: as many as "£10,000.00"
    assert invoice_columns([_line(1_000_000)], [1_000_000, 0, 1_000_000], "JPY") == \
        invoice_columns([_line(1_000_000)], [1_000_000, 0, 1_000_000], "GBP") == {"unit": 12, "net": 12, "tax": 14}
