"""The finance invoice list (tabs, filters, search, sorting, pagination, totals per currency) and
the CSV exports, parsed back with the csv module and checked column by column."""
from __future__ import annotations

from datetime import date

import pytest

from tests.documents_helpers import no_rendering
from tests.finance_helpers import finance_client, issue, read_csv, set_invoice
from tests.functional.conftest import parse

TODAY = date(2026, 6, 30)


@pytest.fixture
def app_config() -> dict:
    return {"TODAY_FUNC": lambda: TODAY}


@pytest.fixture
def book(app, monkeypatch):
    """Six invoices, one per state, in four currencies (amounts in minor units, totals with tax)."""
    no_rendering(monkeypatch)
    numbers = {
        "alpha": issue(app, date(2026, 6, 25), 10000, "USD", "Alpha Media", "ap@alpha.example", "US",
                       reference="LIC-2026-00101"),  # open, due 9 July: current
        "beta": issue(app, date(2026, 5, 1), 25050, "EUR", "Beta Press", "ap@beta.example", "FR",
                      reference="LIC-2026-00102"),  # open, due 15 May: overdue
        "gamma": issue(app, date(2026, 3, 10), 9999, "GBP", "Gamma Herald", "ap@gamma.example", "US",
                       reference="LIC-2026-00103"),
        "delta": issue(app, date(2026, 2, 1), 5000, "JPY", "Delta Shimbun", "ap@delta.example", "JP",
                       reference="LIC-2026-00104"),
        "epsilon": issue(app, date(2026, 1, 15), 123456, "GBP", "=HYPERLINK(\"http://x\")", "ap@eps.example", "GB",
                         vat_id="", reference="LIC-2026-00105"),  # UK VAT: 1,234.56 + 246.91
        "zeta": issue(app, date(2025, 12, 20), 7500, "USD", "Zeta Weekly", "ap@zeta.example", "US",
                      reference="LIC-2025-00106"),
    }
    set_invoice(app, numbers["gamma"], status="paid")
    set_invoice(app, numbers["epsilon"], status="paid", refunded_amount=10000)
    set_invoice(app, numbers["delta"], status="void")
    set_invoice(app, numbers["zeta"], status="uncollectible")
    return numbers


@pytest.fixture
def client(app):
    return finance_client(app)


def listed(client, **args) -> list[str]:  # noqa: ANN001, ANN003
    response = client.get("/finance/invoices", query_string=args)
    assert response.status_code == 200, response.status_code
    table = parse(response.data).find("table", cls="invoices")
    return [row.find("a").text for row in table.find("tbody").find_all("tr") if row.find("a")]


def totals(client, **args) -> dict[str, list[str]]:  # noqa: ANN001, ANN003
    table = parse(client.get("/finance/invoices", query_string=args).data).find("table", cls="totals")
    if table is None:
        return {}
    return {row.find("th").text: [td.text for td in row.find_all("td")] for row in table.find("tbody").find_all("tr")}


@pytest.mark.parametrize("tab, names", [
    ("open", ["alpha", "beta"]),
    ("overdue", ["beta"]),
    ("paid", ["gamma", "epsilon"]),
    ("refunded", ["epsilon"]),
    ("uncollectible", ["zeta"]),
    ("void", ["delta"]),
    ("all", ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]),
])
def test_each_tab_lists_its_invoices_newest_first(client, book, tab, names):
    assert listed(client, tab=tab) == [book[n] for n in names]


def test_the_open_tab_is_the_default_and_marks_overdue_rows(client, book):
    response = client.get("/finance/invoices")
    tree = parse(response.data)
    current = tree.find("nav", cls="tabs").find("a", **{"aria-current": "page"})
    assert current.text == "Open 2"
    overdue = tree.find("tr", cls="overdue")
    assert book["beta"] in overdue.text and "46 d overdue" in overdue.text


def test_totals_per_currency_of_the_filtered_set(client, book):
    assert totals(client, tab="all") == {
        "EUR": ["1", "€250.50", "€0.00", "€250.50", "€250.50"],
        "GBP": ["2", "£1,581.46", "£100.00", "£1,481.46", "£0.00"],
        "JPY": ["1", "¥5,000", "¥0", "¥5,000", "¥0"],
        "USD": ["2", "$175.00", "$0.00", "$175.00", "$100.00"],
    }
    assert totals(client, tab="open") == {"EUR": ["1", "€250.50", "€0.00", "€250.50", "€250.50"],
                                          "USD": ["1", "$100.00", "$0.00", "$100.00", "$100.00"]}
    assert totals(client, tab="refunded") == {"GBP": ["1", "£1,481.47", "£100.00", "£1,381.47", "£0.00"]}
    assert totals(client, tab="all", currency="USD", issued_from="2026-01-01") == {
        "USD": ["1", "$100.00", "$0.00", "$100.00", "$100.00"]}


@pytest.mark.parametrize("args, names", [
    ({"issued_from": "2026-02-01", "issued_to": "2026-05-01"}, ["beta", "gamma", "delta"]),
    ({"due_to": "2026-02-15"}, ["delta", "epsilon", "zeta"]),
    ({"currency": "gbp"}, ["gamma", "epsilon"]),
    ({"customer": "HERALD"}, ["gamma"]),
    ({"customer": "ap@zeta"}, ["zeta"]),
    ({"country": "fr"}, ["beta"]),
    ({"amount_min": "100", "amount_max": "300"}, ["alpha", "beta"]),
    ({"amount_min": "1,000"}, ["delta", "epsilon"]),  # ¥5,000 is 5,000 in major units too
    ({"amount_min": "99.99", "amount_max": "99.99"}, ["gamma"]),
    ({"amount_min": "4999.5", "amount_max": "5000.4", "currency": "JPY"}, ["delta"]),
    ({"currency": "USD", "amount_max": "80"}, ["zeta"]),
], ids=["issued", "due", "currency", "customer-name", "customer-email", "country", "amount-range", "amount-min",
        "amount-exact", "amount-yen", "currency-and-amount"])
def test_filters(client, book, args, names):
    assert listed(client, tab="all", **args) == [book[n] for n in names]


def test_search_by_number_license_credit_note_email_or_customer(app, client, book):
    from invoices.finance import services as finance
    from licensing.core.db import get_session

    with app.test_request_context("/"):
        finance.add_note(get_session(), book["delta"], "fay@desk.test", "before the void")
        set_invoice(app, book["delta"], status="open")
        finance.void(get_session(), book["delta"], "fay@desk.test", "Duplicate")
    from tests.finance_helpers import invoice

    [note] = invoice(app, book["delta"]).credit_notes
    assert listed(client, tab="all", q=book["gamma"]) == [book["gamma"]]
    assert listed(client, tab="all", q=book["gamma"].lower()) == [book["gamma"]]
    assert listed(client, tab="all", q="LIC-2026-00104") == [book["delta"]]
    assert listed(client, tab="all", q=note.number) == [book["delta"]]
    assert listed(client, tab="all", q="AP@BETA.example") == [book["beta"]]
    assert listed(client, tab="all", q="weekly") == [book["zeta"]]
    assert listed(client, tab="all", q=book["beta"][-5:]) == [book["beta"]]
    assert listed(client, tab="all", q="INV-2025-") == [book["zeta"]]
    assert listed(client, tab="all", q="nobody at all") == []


@pytest.mark.parametrize("sort, names", [
    ("oldest", ["zeta", "epsilon", "delta", "gamma", "beta", "alpha"]),
    # amounts compare in each invoice's minor units (no exchange rates): ¥5,000 is 5000, £1,481.47 is 148147
    ("amount_high", ["epsilon", "beta", "alpha", "gamma", "zeta", "delta"]),
    ("amount_low", ["delta", "zeta", "gamma", "alpha", "beta", "epsilon"]),
    ("due_soonest", ["zeta", "epsilon", "delta", "gamma", "beta", "alpha"]),
    ("customer", ["epsilon", "alpha", "beta", "delta", "gamma", "zeta"]),
])
def test_sorting(client, book, sort, names):
    assert listed(client, tab="all", sort=sort) == [book[n] for n in names]


def test_pagination_keeps_the_filters(app, client, monkeypatch):
    no_rendering(monkeypatch)
    numbers = [issue(app, date(2026, 4, 1 + i % 28), 1000 + i, "USD", f"Pager {i:02d}", f"p{i}@x.example", "US")
               for i in range(55)]
    first = client.get("/finance/invoices", query_string={"tab": "all", "sort": "amount_low", "currency": "USD"})
    tree = parse(first.data)
    assert len(listed(client, tab="all", sort="amount_low", currency="USD")) == 50
    assert "Page 1 of 2" in tree.find("nav", cls="pager").text
    next_link = tree.find("a", rel="next").attrs["href"]
    assert "currency=USD" in next_link and "sort=amount_low" in next_link and "page=2" in next_link
    second = parse(client.get(next_link).data).find("table", cls="invoices")
    assert [r.find("a").text for r in second.find("tbody").find_all("tr")] == numbers[50:]
    assert listed(client, tab="all", sort="amount_low", currency="USD", page="99") == numbers[50:]  # clamped


def test_a_mistyped_filter_is_shown_with_its_value_and_a_message(client, book):
    response = client.get("/finance/invoices", query_string={"tab": "all", "issued_from": "2026-13-01",
                                                              "amount_min": "ten", "currency": "GBP"})
    assert response.status_code == 400
    tree = parse(response.data)
    assert tree.by_id("f-issued-from").attrs["value"] == "2026-13-01"
    assert tree.by_id("f-issued-from-error").text == "Enter a date as YYYY-MM-DD, e.g. 2026-03-31."
    assert tree.by_id("f-amount-min").attrs["value"] == "ten"
    assert tree.by_id("f-amount-min-error").text == "Enter an amount such as 350 or 350.00."
    summary = tree.find("div", cls="error-summary")
    assert summary.find("a", href="#f-issued-from") is not None
    table = tree.find("table", cls="invoices")  # the valid filters still apply
    assert [r.find("a").text for r in table.find("tbody").find_all("tr")] == [book["gamma"], book["epsilon"]]


# --------------------------------------------------------------------------------------- exports

def test_the_invoice_csv_is_the_filtered_list_with_machine_readable_columns(client, book):
    response = client.get("/finance/invoices.csv", query_string={"tab": "all", "sort": "oldest"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="invoices-all-2026-06-30.csv"'
    rows = read_csv(response.data)
    assert list(rows[0]) == ["number", "issue_date", "due_date", "status", "currency", "net", "tax", "total", "paid",
                             "refunded", "outstanding", "tax_rule", "tax_label", "customer", "customer_email",
                             "customer_country", "customer_vat_id", "reference", "paid_on"]
    by_number = {r["number"]: r for r in rows}
    assert [r["number"] for r in rows] == [book[n] for n in ("zeta", "epsilon", "delta", "gamma", "beta", "alpha")]
    eps = by_number[book["epsilon"]]
    assert (eps["issue_date"], eps["due_date"], eps["status"], eps["currency"]) == (
        "2026-01-15", "2026-01-29", "paid", "GBP")
    assert (eps["net"], eps["tax"], eps["total"], eps["paid"], eps["refunded"], eps["outstanding"]) == (
        "1234.56", "246.91", "1481.47", "1481.47", "100.00", "0.00")
    assert (eps["tax_rule"], eps["tax_label"]) == ("domestic_vat", "UK VAT 20%")
    assert eps["customer"] == "'=HYPERLINK(\"http://x\")"  # never a formula in a spreadsheet
    assert by_number[book["delta"]]["total"] == "5000" and by_number[book["delta"]]["status"] == "void"
    beta = by_number[book["beta"]]
    assert (beta["total"], beta["outstanding"], beta["tax_rule"], beta["customer_country"]) == (
        "250.50", "250.50", "outside_scope", "FR")
    for row in rows:
        for column in ("net", "tax", "total", "paid", "refunded", "outstanding"):
            assert "," not in row[column] and row[column].replace(".", "", 1).isdigit(), (column, row[column])
        date.fromisoformat(row["issue_date"])


def test_the_invoice_csv_follows_the_filters(client, book):
    rows = read_csv(client.get("/finance/invoices.csv", query_string={"tab": "open"}).data)
    assert [r["number"] for r in rows] == [book["alpha"], book["beta"]]
    rows = read_csv(client.get("/finance/invoices.csv", query_string={"tab": "all", "customer": "herald"}).data)
    assert [r["number"] for r in rows] == [book["gamma"]]
    bad = client.get("/finance/invoices.csv", query_string={"tab": "all", "due_from": "soon"})
    assert bad.status_code == 400 and bad.mimetype == "text/html"


def _pay_and_credit(app, book) -> None:  # noqa: ANN001
    """Payments by bank transfer and credit notes through the real services."""
    from invoices.finance import services as finance
    from licensing.core.db import get_session

    with app.test_request_context("/"):
        s = get_session()
        finance.mark_paid(s, book["alpha"], "fay@desk.test", "=cmd|' /C calc'!A0", "2026-06-28")
        finance.mark_paid(s, book["beta"], "fay@desk.test", "SEPA-991", "2026-05-20")
        finance.refund(s, book["alpha"], "fay@desk.test", "partial", "12.34", "+SUM(1) goodwill")
        finance.void(s, book["zeta"], "fay@desk.test", "Written off, then voided")


def test_the_payments_csv(app, client, book):
    _pay_and_credit(app, book)
    response = client.get("/finance/payments.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="payments-all.csv"'
    rows = read_csv(response.data)
    assert list(rows[0]) == ["payment_id", "paid_on", "recorded_at", "invoice_number", "customer", "method",
                             "reference", "payment_intent", "charge", "currency", "amount"]
    assert [(r["paid_on"], r["invoice_number"], r["method"], r["reference"], r["currency"], r["amount"])
            for r in rows] == [
        ("2026-05-20", book["beta"], "bank_transfer", "SEPA-991", "EUR", "250.50"),
        ("2026-06-28", book["alpha"], "bank_transfer", "'=cmd|' /C calc'!A0", "USD", "100.00"),
    ]
    assert rows[0]["recorded_at"].endswith("Z")
    only_june = read_csv(client.get("/finance/payments.csv", query_string={"from": "2026-06-01",
                                                                           "to": "2026-06-28"}).data)
    assert [r["invoice_number"] for r in only_june] == [book["alpha"]]
    only_eur = read_csv(client.get("/finance/payments.csv", query_string={"currency": "eur"}).data)
    assert [r["invoice_number"] for r in only_eur] == [book["beta"]]


def test_the_credit_notes_csv(app, client, book):
    _pay_and_credit(app, book)
    rows = read_csv(client.get("/finance/credit-notes.csv").data)
    assert list(rows[0]) == ["number", "issue_date", "kind", "invoice_number", "customer", "customer_vat_id",
                             "currency", "net", "tax", "total", "reason", "refund_status"]
    assert [(r["kind"], r["invoice_number"], r["currency"], r["net"], r["tax"], r["total"], r["reason"],
             r["refund_status"]) for r in rows] == [
        ("refund", book["alpha"], "USD", "12.34", "0.00", "12.34", "'+SUM(1) goodwill", "succeeded"),
        ("void", book["zeta"], "USD", "75.00", "0.00", "75.00", "Written off, then voided", ""),
    ]
    for row in rows:
        date.fromisoformat(row["issue_date"])
        assert row["number"].startswith("CN-")


def test_an_export_period_typed_wrong_is_shown_again(client, book):
    response = client.get("/finance/credit-notes.csv", query_string={"from": "2026-02-30", "to": "2026-01-01",
                                                                      "currency": "EUR"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    tree = parse(response.data)
    assert tree.by_id("credit_notes-from").attrs["value"] == "2026-02-30"
    assert tree.by_id("credit_notes-from-error").text == "Enter the 'from' date as YYYY-MM-DD."
    assert tree.by_id("credit_notes-currency").attrs["value"] == "EUR"
    backwards = client.get("/finance/payments.csv", query_string={"from": "2026-03-01", "to": "2026-01-01"})
    assert parse(backwards.data).by_id("payments-to-error").text == "The 'to' date is before the 'from' date."


def test_an_invoice_due_today_is_open_but_not_yet_overdue(app, client, book):
    due_today = issue(app, date(2026, 6, 16), 4200, "USD", "Eta Daily", "ap@eta.example", "US", terms=14)
    assert listed(client, tab="open") == [book["alpha"], due_today, book["beta"]]
    assert listed(client, tab="overdue") == [book["beta"]]
    row = [r for r in parse(client.get("/finance/invoices").data).find("table", cls="invoices").find_all("tr")
           if due_today in r.text][0]
    assert "overdue" not in row.classes and "overdue" not in row.text


def test_each_row_links_to_its_invoice_page(client, book):
    rows = parse(client.get("/finance/invoices?tab=all").data).find("table", cls="invoices").find("tbody").find_all("tr")
    assert len(rows) == len(book)
    for row in rows:
        link = row.find("a")
        page = client.get(link.attrs["href"])
        assert page.status_code == 200 and link.text in page.get_data(as_text=True)


def test_date_filters_use_the_date_picker_and_a_bad_date_stays_visible(client):
    doc = parse(client.get("/finance/invoices?tab=all&issued_from=2026-01-01").data)
    types = {i.attrs["name"]: i.attrs["type"] for i in doc.find("form", cls="filters").find_all("input")
             if i.attrs.get("name") in ("issued_from", "issued_to", "due_from", "due_to")}
    assert types == {"issued_from": "date", "issued_to": "date", "due_from": "date", "due_to": "date"}
    assert doc.by_id("f-issued-from").attrs["value"] == "2026-01-01"

    bad = parse(client.get("/finance/invoices?tab=all&issued_from=2026-13-01").data)
    assert bad.by_id("f-issued-from").attrs["type"] == "text"
    assert bad.by_id("f-issued-from").attrs["value"] == "2026-13-01"


def test_csv_for_excel_starts_with_a_byte_order_mark_so_accents_survive(client):
    doc = parse(client.get("/finance/invoices?tab=all").data)
    [excel] = [a.attrs["href"] for a in doc.find_all("a") if a.text == "for Excel"]
    plain = client.get("/finance/invoices.csv?tab=all").data
    for_excel = client.get(excel).data

    assert not plain.startswith(b"\xef\xbb\xbf")
    assert for_excel == b"\xef\xbb\xbf" + plain
    exports = parse(client.get("/finance/exports").data)
    assert [b.attrs.get("value") for b in exports.find_all("button") if b.attrs.get("name") == "for"] == [
        "excel", "excel"]
    assert client.get("/finance/payments.csv?for=excel").data.startswith(b"\xef\xbb\xbf")


def test_the_needs_attention_filter_lists_flagged_invoices_and_failed_card_payments(app, client, book):
    from invoices.payments.services import apply_intent
    from licensing.core.db import new_session
    from tests.finance_helpers import invoice
    from tests.stripe_fixtures import make_intent

    set_invoice(app, book["gamma"], flagged=True, flag_reason="Stripe reports £50.00 paid.")
    alpha = invoice(app, book["alpha"])
    with app.app_context(), new_session() as s:
        apply_intent(s, alpha.id, make_intent("pi_alpha", "requires_payment_method", alpha.total,
                                              error="Your card was declined."), "webhook")
    assert listed(client, tab="all", attention="flagged") == [book["gamma"]]
    assert listed(client, tab="open", attention="payment_failed") == [book["alpha"]]
    assert listed(client, tab="paid", attention="payment_failed") == []
    assert listed(client, tab="all", attention="nonsense") == [book[n] for n in (
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta")]
    page = parse(client.get("/finance/invoices", query_string={"tab": "all", "attention": "flagged"}).data)
    chosen = [o.attrs["value"] for o in page.by_id("f-attention").find_all("option") if "selected" in o.attrs]
    assert chosen == ["flagged"]
    assert [o.text for o in page.by_id("f-attention").find_all("option")] == [
        "Any", "Flagged for checking", "Card payment failed"]
    open_tab = page.find("nav", cls="tabs").find_all("a")[0].attrs["href"]
    assert "attention=flagged" in open_tab  # the tabs keep the filter
    exported = read_csv(client.get("/finance/invoices.csv", query_string={"tab": "all", "attention": "flagged"}).data)
    assert [r["number"] for r in exported] == [book["gamma"]]
