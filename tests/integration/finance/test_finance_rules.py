"""Pure pieces of the finance workspace: machine-readable amounts and typed amounts, the SVG chart,
which overdue reminder applies, CSV injection guard, list filter parsing and the reminder setting."""
from datetime import date
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from invoices.finance.queries import InvoiceFilters, exact_search, needs_scan
from invoices.finance.reminders import reminder_due
from invoices.finance.reports import add_months, months_between, parse_month
from licensing.core.charts import bar_chart, nice_step
from licensing.core.csvstream import csv_safe
from licensing.core.money import decimal_string, minor_bound, parse_major, to_minor
from licensing.core.settings import Settings


@pytest.mark.parametrize("amount, currency, text", [
    (0, "GBP", "0.00"), (5, "GBP", "0.05"), (123456789, "GBP", "1234567.89"), (-1050, "EUR", "-10.50"),
    (5000, "JPY", "5000"), (1234567, "JPY", "1234567"), (1234, "BHD", "1.234"),
])
def test_decimal_string_has_no_grouping_and_a_dot(amount, currency, text):
    assert decimal_string(amount, currency) == text


@pytest.mark.parametrize("text, currency, minor", [
    ("350", "GBP", 35000), ("350.5", "GBP", 35050), ("1,250.50", "GBP", 125050), (" 12 ", "EUR", 1200),
    (".5", "GBP", 50), ("5000", "JPY", 5000), ("1.234", "BHD", 1234), ("0", "GBP", 0),
])
def test_to_minor(text, currency, minor):
    assert to_minor(text, currency) == minor


@pytest.mark.parametrize("text, currency, message", [
    ("", "GBP", "Enter an amount such as 350 or 350.00."),
    ("-5", "GBP", "Enter an amount such as 350 or 350.00."),
    ("1e3", "GBP", "Enter an amount such as 350 or 350.00."),
    ("12,5", "GBP", "Enter an amount such as 350 or 350.00."),
    ("NaN", "GBP", "Enter an amount such as 350 or 350.00."),
    ("10.001", "GBP", "GBP amounts have at most 2 decimal places."),
    ("10.5", "JPY", "JPY amounts have at most 0 decimal places."),
    ("1" * 20, "GBP", "That amount is too large."),
])
def test_to_minor_refuses(text, currency, message):
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        to_minor(text, currency)


def test_parse_major_and_bounds():
    assert parse_major("1,000.25") == Decimal("1000.25")
    assert minor_bound(Decimal("12.345"), 2, lower=True) == 1235
    assert minor_bound(Decimal("12.345"), 2, lower=False) == 1234
    assert minor_bound(Decimal("12.5"), 0, lower=True) == 13
    assert minor_bound(Decimal("12"), 2, lower=True) == 1200


@pytest.mark.parametrize("top, step", [(0, 1), (1, 1), (4, 1), (5, 2), (9, 5), (100, 50), (81000, 50000),
                                       (40000, 10000), (40001, 20000), (10**12, 5 * 10**11)])
def test_nice_step(top, step):
    assert nice_step(top) == step
    assert step * 4 >= top


def test_bar_chart_is_an_accessible_svg_without_script_or_style():
    svg = bar_chart("rev", "Revenue <GBP>", "Three months & more", ["01/26", "02/26", "03/26"],
                    [("Invoiced", [1000, 0, 250]), ("Collected", [500, 750, -5])], lambda v: f"£{v / 100:.2f}")
    root = ElementTree.fromstring(svg)  # well-formed XML, text escaped
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img" and root.get("aria-labelledby") == "rev-title rev-desc"
    assert root.find(f"{ns}title").get("id") == "rev-title" and root.find(f"{ns}title").text == "Revenue <GBP>"
    assert root.find(f"{ns}desc").text == "Three months & more"
    bars = [r for r in root.iter(f"{ns}rect") if r.find(f"{ns}title") is not None]
    assert len(bars) == 6
    heights = [int(b.get("height")) for b in bars]
    assert heights[0] == max(heights) and heights[0] > heights[3] > heights[1] > heights[4] > 0
    assert heights[2] == 0 and heights[5] == 0  # zero and negative: no bar
    assert [b.find(f"{ns}title").text for b in bars][:2] == ["01/26, Invoiced: £10.00", "01/26, Collected: £5.00"]
    assert "<script" not in svg and "style=" not in svg
    legend = [t.text for t in root.iter(f"{ns}text")]
    assert "Invoiced" in legend and "Collected" in legend


@pytest.mark.parametrize("days_overdue, due", [(0, None), (2, None), (3, 3), (9, 3), (10, 10), (29, 10), (30, 30),
                                               (400, 30)])
def test_which_overdue_reminder_applies(days_overdue, due):
    assert reminder_due(days_overdue, (3, 10, 30)) == due
    assert reminder_due(days_overdue, ()) is None


@pytest.mark.parametrize("value, safe", [("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2", "'-2"),
                                         ("@cmd", "'@cmd"), ("\tx", "'\tx"), ("Plain Ltd", "Plain Ltd"), ("", ""),
                                         (None, "")])
def test_csv_safe(value, safe):
    assert csv_safe(value) == safe


def test_filters_keep_what_was_typed_and_say_what_is_wrong():
    filters = InvoiceFilters.from_args({"tab": "nonsense", "issued_from": "2026-02-30", "amount_min": "1.5.0",
                                                  "currency": "gb", "country": "France", "sort": "x", "page": "-3"})
    assert (filters.tab, filters.sort, filters.page) == ("open", "newest", 1)
    assert filters.issued_from == "2026-02-30" and filters.amount_min == "1.5.0"
    assert set(filters.errors) == {"issued_from", "amount_min", "currency", "country"}
    assert filters.country == "FRANCE" and filters.errors["country"] == "Enter a two-letter country code such as FR."
    assert filters.as_args(page=2) == {"issued_from": "2026-02-30", "currency": "GB", "country": "FRANCE",
                                       "amount_min": "1.5.0", "tab": "open", "page": 2}


def test_which_filters_need_a_scan():
    assert not needs_scan(InvoiceFilters(currency="GBP", issued_from="2026-01-01", amount_min="5"))
    assert not needs_scan(InvoiceFilters(q="INV-2026-00001"))
    assert needs_scan(InvoiceFilters(q="herald")) and needs_scan(InvoiceFilters(customer="x"))
    assert needs_scan(InvoiceFilters(country="FR"))
    assert exact_search("cn-2026-00001") and not exact_search("INV-2026")


def test_months():
    assert parse_month("2026-02") == date(2026, 2, 1)
    assert parse_month("2026-13") is None and parse_month("26-01") is None and parse_month("") is None
    assert add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert months_between(date(2025, 11, 1), date(2026, 2, 1)) == ["2025-11", "2025-12", "2026-01", "2026-02"]


@pytest.mark.parametrize("raw, days", [("3,10,30", (3, 10, 30)), ("30, 3,10,10", (3, 10, 30)), ("", ()),
                                       ("7", (7,))])
def test_reminder_days_setting(raw, days):
    assert Settings("sqlite://", "k", overdue_reminder_days=raw).reminder_days() == days


@pytest.mark.parametrize("raw", ["3,ten", "0,5", "-1", "99999"])
def test_a_wrong_reminder_days_setting_stops_the_app_at_start(raw):
    with pytest.raises(ValueError, match="OVERDUE_REMINDER_DAYS"):
        Settings("sqlite://", "k", overdue_reminder_days=raw).check()
