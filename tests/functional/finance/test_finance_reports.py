"""Finance reports through the test client: ageing with a frozen clock (every bucket boundary, and
each bucket's link opens exactly its invoices), revenue by month (table and SVG chart), by medium
and by territory, and reconciliation with a Stripe double (up, down and not set up)."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.documents_helpers import no_rendering
from tests.finance_helpers import FakeGateway, approved, finance_client, invoice, issue, read_csv, set_invoice
from tests.functional.conftest import parse
from tests.staff_fixtures import add_user

TODAY = date(2026, 6, 30)


@pytest.fixture
def app_config() -> dict:
    return {"TODAY_FUNC": lambda: TODAY}


@pytest.fixture
def client(app, monkeypatch):
    no_rendering(monkeypatch)
    return finance_client(app)


def cells(table) -> dict[str, dict[str, str]]:  # noqa: ANN001
    """{row header: {data-bucket or column index: text}}"""
    found = {}
    for row in table.find("tbody").find_all("tr"):
        found[row.find("th").text] = {td.attrs.get("data-bucket") or str(i): td.text
                                      for i, td in enumerate(row.find_all("td"))}
    return found


def listed(client, url: str) -> list[str]:  # noqa: ANN001
    table = parse(client.get(url).data).find("table", cls="invoices")
    return sorted(row.find("a").text for row in table.find("tbody").find_all("tr") if row.find("a"))


# ---------------------------------------------------------------------------------------- ageing

def test_ageing_buckets_at_their_boundaries_and_their_links(app, client):
    days_past_due = [-5, 0, 1, 30, 31, 60, 61, 90, 91, 400]
    numbers = {}
    for i, days in enumerate(days_past_due):  # $1, $2, $4, ... so each sum names its invoices
        due = TODAY - timedelta(days=days)
        numbers[days] = issue(app, min(due, TODAY), 100 * 2 ** i, "USD", terms=max(0, (due - TODAY).days))
    euro = issue(app, TODAY - timedelta(days=45), 100_000, "EUR", terms=0)
    paid = issue(app, TODAY - timedelta(days=45), 777, "USD", terms=0)
    set_invoice(app, paid, status="paid")
    assert invoice(app, numbers[-5]).due_date == TODAY + timedelta(days=5)

    response = client.get("/finance/reports/ageing")
    assert response.status_code == 200
    table = parse(response.data).find("table", cls="ageing")
    got = cells(table)
    assert list(got) == ["EUR", "USD"]
    usd = got["USD"]
    assert usd["current"] == "$3.00 2 invoices"
    assert usd["1_30"] == "$12.00 2 invoices"
    assert usd["31_60"] == "$48.00 2 invoices"
    assert usd["61_90"] == "$192.00 2 invoices"
    assert usd["over_90"] == "$768.00 2 invoices"
    assert usd["total"] == "$1,023.00 10 invoices"
    assert got["EUR"]["31_60"] == "€1,000.00 1 invoice" and got["EUR"]["current"] == "€0.00"

    expected = {"current": [-5, 0], "1_30": [1, 30], "31_60": [31, 60], "61_90": [61, 90], "over_90": [91, 400]}
    usd_row = [r for r in table.find("tbody").find_all("tr") if r.find("th").text == "USD"][0]
    for bucket, days in expected.items():
        link = [td for td in usd_row.find_all("td") if td.attrs.get("data-bucket") == bucket][0]
        href = link.find("a").attrs["href"]
        assert "tab=open" in href and "currency=USD" in href
        assert listed(client, href) == sorted(numbers[d] for d in days), bucket
    total_link = [td for td in usd_row.find_all("td") if td.attrs.get("data-bucket") == "total"][0].find("a")
    assert listed(client, total_link.attrs["href"]) == sorted(numbers.values())
    eur_row = [r for r in table.find("tbody").find_all("tr") if r.find("th").text == "EUR"][0]
    eur_link = [td for td in eur_row.find_all("td") if td.attrs.get("data-bucket") == "31_60"][0].find("a")
    assert listed(client, eur_link.attrs["href"]) == [euro]


def test_ageing_moves_with_the_clock(app, client):
    number = issue(app, TODAY - timedelta(days=30), 500, "USD", terms=0)
    got = cells(parse(client.get("/finance/reports/ageing").data).find("table", cls="ageing"))
    assert got["USD"]["1_30"] == "$5.00 1 invoice"
    app.config["TODAY_FUNC"] = lambda: TODAY + timedelta(days=1)
    got = cells(parse(client.get("/finance/reports/ageing").data).find("table", cls="ageing"))
    assert got["USD"]["31_60"] == "$5.00 1 invoice" and got["USD"]["1_30"] == "$0.00"
    set_invoice(app, number, status="paid")
    assert parse(client.get("/finance/reports/ageing").data).find("table", cls="ageing") is None


# -------------------------------------------------------------------------------- revenue by month

def test_revenue_by_month_table_and_chart(app, client):
    from invoices.finance import services as finance
    from licensing.core.db import get_session

    a = issue(app, date(2026, 3, 5), 10000, "GBP")
    issue(app, date(2026, 4, 10), 5000, "GBP")
    c = issue(app, date(2026, 4, 20), 20000, "EUR")
    d = issue(app, date(2026, 5, 3), 3000, "GBP")
    with app.test_request_context("/"):
        s = get_session()
        finance.mark_paid(s, a, "fay@desk.test", "BACS-A", "2026-04-02")
        finance.mark_paid(s, c, "fay@desk.test", "SEPA-C", "2026-04-21")
        finance.refund(s, c, "fay@desk.test", "partial", "20", "Goodwill")
        finance.void(s, d, "fay@desk.test", "Duplicate")
    refund_month = invoice(app, c).credit_notes[0].issue_date.strftime("%Y-%m")
    last = max("2026-06", refund_month)
    response = client.get("/finance/reports/revenue", query_string={"from": "2026-03", "to": last})
    assert response.status_code == 200
    tree = parse(response.data)

    def months(currency: str) -> dict[str, list[str]]:
        table = [t for t in tree.find_all("table") if t.attrs.get("data-currency") == currency][0]
        return {r.attrs["data-month"]: [td.text for td in r.find_all("td")] for r in table.find("tbody").find_all("tr")}

    gbp, eur = months("GBP"), months("EUR")
    assert list(gbp)[0] == "2026-03" and list(gbp)[-1] == last
    # each figure excluding, then including VAT (these buyers are outside the UK: no VAT)
    assert gbp["2026-03"][:4] == ["£100.00", "£100.00", "£0.00", "£0.00"]  # invoiced, collected
    assert gbp["2026-04"][:4] == ["£50.00", "£50.00", "£100.00", "£100.00"]
    assert gbp["2026-05"][1] == "£30.00"
    assert gbp[refund_month][7] == "£30.00"  # voided, in the month of its credit note
    assert eur["2026-04"][:4] == ["€200.00", "€200.00", "€200.00", "€200.00"]
    assert eur[refund_month][5] == "€20.00"  # refunded
    net = sum(int(re.sub(r"[^\d]", "", row[9])) * (-1 if row[9].startswith("-") else 1) for row in eur.values())
    assert net == 18000  # €200 collected less €20 refunded

    svg = tree.find("svg", cls="chart")
    assert svg.attrs["role"] == "img"
    title_id, desc_id = svg.attrs["aria-labelledby"].split()
    assert svg.find("title", id=title_id).text.startswith("Revenue by month in")
    assert "The table lists the same figures, excluding and including VAT." in svg.find("desc", id=desc_id).text
    bars = [r for r in svg.find_all("rect") if r.find("title") is not None]
    assert len(bars) == 3 * len(gbp)
    # the chart needs no script: the only one is the app's form helper every page has
    scripts = re.findall(r"<script[^>]*>", response.data.decode())
    assert len(scripts) == 1 and re.fullmatch(r'<script src="/static/js/forms\.js\?v=\w+" defer>', scripts[0]), scripts


def vat_book(app) -> str:  # noqa: ANN001
    """April 2026: £100 + 20% UK VAT paid, then £30 of it refunded; £50 to the US (no VAT); £20 + VAT
    voided. Returns the month of the credit notes (today's: they are dated when issued)."""
    from invoices.finance import services as finance
    from licensing.core.db import get_session

    uk = issue(app, date(2026, 4, 10), 10000, "GBP", country="GB")
    issue(app, date(2026, 4, 20), 5000, "GBP", country="US")
    voided = issue(app, date(2026, 4, 25), 2000, "GBP", country="GB")
    with app.test_request_context("/"):
        s = get_session()
        finance.mark_paid(s, uk, "fay@desk.test", "BACS-UK", "2026-04-30")
        finance.refund(s, uk, "fay@desk.test", "partial", "30", "Goodwill")
        finance.void(s, voided, "fay@desk.test", "Duplicate")
    assert (invoice(app, uk).total, invoice(app, voided).total) == (12000, 2400)
    return invoice(app, uk).credit_notes[0].issue_date.strftime("%Y-%m")


def test_revenue_by_month_shows_net_of_vat_beside_gross(app, client):
    notes_month = vat_book(app)
    response = client.get("/finance/reports/revenue", query_string={"from": "2026-04", "to": max("2026-06", notes_month)})
    table = parse(response.data).find("table", cls="revenue")
    head = table.find("thead").find_all("tr")
    assert [th.text for th in head[0].find_all("th")] == ["Month", "Invoiced", "Collected", "Refunded", "Voided", "Net"]
    assert [th.text for th in head[1].find_all("th")] == ["excl. VAT", "incl. VAT"] * 5
    rows = {r.attrs["data-month"]: [td.text for td in r.find_all("td")] for r in table.find("tbody").find_all("tr")}
    assert rows["2026-04"][:4] == ["£170.00", "£194.00", "£100.00", "£120.00"]  # invoiced, collected
    assert rows[notes_month][4:8] == ["£25.00", "£30.00", "£20.00", "£24.00"]  # refunded, voided
    totals = [td.text for td in table.find("tfoot").find_all("td")]
    assert totals == ["£170.00", "£194.00", "£100.00", "£120.00", "£25.00", "£30.00", "£20.00", "£24.00",
                      "£75.00", "£90.00"]


def test_revenue_by_month_as_csv_with_net_of_vat_beside_gross(app, client):
    notes_month = vat_book(app)
    period = {"from": "2026-04", "to": max("2026-06", notes_month)}
    page = parse(client.get("/finance/reports/revenue", query_string=period).data)
    link = page.find("a", cls="csv").attrs["href"]
    assert link.startswith("/finance/reports/revenue.csv?") and "from=2026-04" in link
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="revenue-by-month-2026-04-{period["to"]}.csv"'
    rows = {(r["currency"], r["month"]): r for r in read_csv(response.data)}
    assert list(read_csv(response.data)[0]) == [
        "currency", "month", "invoices", "invoiced_excl_vat", "invoiced_incl_vat", "collected_excl_vat",
        "collected_incl_vat", "refunded_excl_vat", "refunded_incl_vat", "voided_excl_vat", "voided_incl_vat",
        "net_excl_vat", "net_incl_vat"]
    april = rows[("GBP", "2026-04")]
    assert [april[k] for k in ("invoices", "invoiced_excl_vat", "invoiced_incl_vat", "collected_excl_vat",
                               "collected_incl_vat")] == ["3", "170.00", "194.00", "100.00", "120.00"]
    later = rows[("GBP", notes_month)]
    assert [later[k] for k in ("refunded_excl_vat", "refunded_incl_vat", "voided_excl_vat", "voided_incl_vat",
                               "net_excl_vat", "net_incl_vat")] == ["25.00", "30.00", "20.00", "24.00", "-25.00", "-30.00"]
    excel = client.get(link + "&for=excel")
    assert excel.data.startswith("\ufeff".encode()) and excel.data[3:] == response.data
    bad = client.get("/finance/reports/revenue.csv", query_string={"from": "2026-13"})
    assert bad.status_code == 400 and bad.mimetype == "text/html"


def test_revenue_period_typed_wrong_is_shown_again(client):
    response = client.get("/finance/reports/revenue", query_string={"from": "2026-13", "to": "2026-06"})
    assert response.status_code == 400
    tree = parse(response.data)
    assert tree.by_id("p-from").attrs["value"] == "2026-13"
    assert tree.by_id("p-from-error").text == "Enter a month as YYYY-MM, e.g. 2026-01."
    backwards = parse(client.get("/finance/reports/revenue", query_string={"from": "2026-06", "to": "2026-01"}).data)
    assert backwards.by_id("p-to-error").text == "The last month is before the first."


def test_revenue_by_medium_and_by_territory(seeded, client):
    from invoices.finance import services as finance
    from licensing.core.db import get_session

    app = seeded  # the demo catalog and rate card: requests can be submitted and approved
    app.config["TODAY_FUNC"] = date.today  # approvals date their invoices today
    staff_id = add_user(app, "sam@desk.test", "Sam Staff", ["staff"])

    web = approved(app, staff_id)  # website, France + UK
    printed = approved(app, staff_id, medium="print", territory=["FR"], email="print@paper.example")
    with app.test_request_context("/"):
        finance.mark_paid(get_session(), web.invoice_number, "fay@desk.test", "BACS-W", date.today().isoformat())
        finance.refund(get_session(), web.invoice_number, "fay@desk.test", "partial", "81", "Print only")
    month = date.today().strftime("%Y-%m")
    by_medium = parse(client.get("/finance/reports/revenue/by-medium", query_string={"from": month, "to": month}).data)
    rows = {r.find("th").text: [td.text for td in r.find_all("td")]
            for r in by_medium.find("table", cls="revenue-by").find("tbody").find_all("tr")}
    # licenses; then invoiced, collected, refunded, net and outstanding, each excluding and including VAT
    assert (web.total, printed.total) == (81000, 72000)  # £675.00 and £600.00 + 20% UK VAT
    assert rows["Website"] == ["1", "£675.00", "£810.00", "£675.00", "£810.00", "£67.50", "£81.00", "£607.50",
                               "£729.00", "£0.00", "£0.00"]
    assert rows["Print"] == ["1", "£600.00", "£720.00", "£0.00", "£0.00", "£0.00", "£0.00", "£0.00", "£0.00",
                             "£600.00", "£720.00"]
    head = by_medium.find("table", cls="revenue-by").find("thead").find_all("tr")
    assert [th.text for th in head[0].find_all("th")] == [
        "Medium", "Licences", "Invoiced", "Collected", "Refunded", "Net", "Outstanding"]
    assert [th.text for th in head[1].find_all("th")] == ["excl. VAT", "incl. VAT"] * 5
    csv_link = by_medium.find("a", cls="csv").attrs["href"]
    exported = {r["medium"]: r for r in read_csv(client.get(csv_link).data)}
    assert list(exported["website"]) == [
        "currency", "medium", "label", "licenses", "invoiced_excl_vat", "invoiced_incl_vat", "collected_excl_vat",
        "collected_incl_vat", "refunded_excl_vat", "refunded_incl_vat", "net_excl_vat", "net_incl_vat",
        "outstanding_excl_vat", "outstanding_incl_vat"]
    assert list(exported["website"].values()) == ["GBP", "website", "Website", "1", "675.00", "810.00", "675.00",
                                                  "810.00", "67.50", "81.00", "607.50", "729.00", "0.00", "0.00"]
    assert exported["print"]["outstanding_excl_vat"] == "600.00"
    by_territory = parse(client.get("/finance/reports/revenue/by-territory",
                                    query_string={"from": month, "to": month}).data)
    labels = [r.find("th").text for r in by_territory.find("table", cls="revenue-by").find("tbody").find_all("tr")]
    assert sorted(labels) == ["France", "France, United Kingdom"]
    territory_csv = by_territory.find("a", cls="csv").attrs["href"]
    assert territory_csv.startswith("/finance/reports/revenue/by-territory.csv?")
    assert sorted(r["territory"] for r in read_csv(client.get(territory_csv).data)) == ["FR", "FR,GB"]
    assert by_territory.find("svg", cls="chart").attrs["role"] == "img"
    empty = parse(client.get("/finance/reports/revenue/by-medium", query_string={"from": "2020-01", "to": "2020-02"}).data)
    assert "No licence was invoiced in this period." in empty.find("main").text


# -------------------------------------------------------------------------------- reconciliation

@pytest.fixture
def stripe(app):
    fake = FakeGateway()
    app.extensions["stripe_gateway"] = fake
    return fake


def test_reconciliation_lists_disagreements_unrecorded_payments_and_flags(app, client, stripe):
    paid_at_stripe = issue(app, date(2026, 6, 1), 10000, "USD")
    unknown = issue(app, date(2026, 6, 2), 2000, "USD")
    agreeing = issue(app, date(2026, 6, 3), 3000, "USD")
    wrong_amount = issue(app, date(2026, 6, 4), 4000, "USD")
    paid_twice = issue(app, date(2026, 6, 5), 5000, "USD")
    flagged = issue(app, date(2026, 6, 6), 6000, "USD")
    for number, intent in ((paid_at_stripe, "pi_paid"), (unknown, "pi_gone"), (agreeing, "pi_wait"),
                           (wrong_amount, "pi_wrong"), (paid_twice, "pi_twice")):
        set_invoice(app, number, payment_intent_id=intent)
    stripe.add("pi_paid", "succeeded", 10000, "USD", paid_at_stripe)
    stripe.add("pi_wait", "requires_payment_method", 3000, "USD", agreeing)
    stripe.add("pi_wrong", "requires_payment_method", 4500, "USD", wrong_amount)
    stripe.add("pi_twice", "succeeded", 5000, "USD", paid_twice)
    stripe.add("pi_stray", "succeeded", 999, "USD")
    from invoices.finance import services as finance
    from licensing.core.db import get_session

    with app.test_request_context("/"):
        finance.mark_paid(get_session(), paid_twice, "fay@desk.test", "BACS-2", "2026-06-20")
    set_invoice(app, flagged, flagged=True, flag_reason="Stripe reports 5000 USD paid, the invoice is for 6000 USD.")

    response = client.get("/finance/reconciliation")
    assert response.status_code == 200
    tree = parse(response.data)
    rows = {r.find("a").text: r.text for r in tree.find("table", cls="disagreements").find("tbody").find_all("tr")}
    assert set(rows) == {paid_at_stripe, unknown, wrong_amount}
    assert "Paid in Stripe, still open here" in rows[paid_at_stripe]
    assert "Stripe does not know this PaymentIntent." in rows[unknown]
    assert "Stripe's amount differs from the invoice's." in rows[wrong_amount] and "$45.00" in rows[wrong_amount]
    unrecorded = tree.find("table", cls="unrecorded").text
    assert "pi_stray" in unrecorded and "no invoice matches" in unrecorded
    assert "pi_twice" in unrecorded and paid_twice in unrecorded  # paid by bank AND by card: refund one
    assert "pi_paid" not in unrecorded  # listed above already
    flags = tree.find("table", cls="flagged").text
    assert flagged in flags and "the invoice is for 6000 USD" in flags

    refused = client.post("/finance/reconciliation", data={})
    assert refused.status_code == 422
    assert parse(refused.data).by_id("confirm-error").text == "Tick this box to confirm."
    assert invoice(app, paid_at_stripe).status == "open"

    done = client.post("/finance/reconciliation", data={"confirm": "y"})
    assert done.status_code == 302
    page = parse(client.get(done.headers["Location"]).data)
    messages = [n.text for n in page.find_all("div", cls="flash")]
    assert messages[0].startswith("Reconciliation done: 4 open invoice(s) checked, 1 changed")
    assert messages[1] == f"Changed: {paid_at_stripe} (paid)"
    settled = invoice(app, paid_at_stripe)
    assert settled.status == "paid" and settled.payments[0].payment_intent_id == "pi_paid"
    rows = {r.find("a").text for r in page.find("table", cls="disagreements").find("tbody").find_all("tr")}
    assert rows == {unknown, wrong_amount}


def test_reconciliation_when_stripe_is_down(app, client, stripe):
    number = issue(app, date(2026, 6, 1), 10000, "USD")
    set_invoice(app, number, payment_intent_id="pi_1", flagged=True, flag_reason="Check me")
    stripe.down = True
    response = client.get("/finance/reconciliation")
    assert response.status_code == 503
    tree = parse(response.data)
    alert = tree.find("div", cls="panel")
    assert "Stripe is unavailable." in alert.text and "Nothing was changed" in alert.text
    assert number in tree.find("table", cls="flagged").text  # what the app knows is still shown
    run = client.post("/finance/reconciliation", data={"confirm": "y"})
    assert run.status_code == 302
    flash = parse(client.get(run.headers["Location"]).data).find("div", cls="flash").text
    assert flash == "Reconciliation done: 1 open invoice(s) checked, 0 changed; Stripe could not be reached for 1."
    assert invoice(app, number).status == "open"


def test_reconciliation_without_stripe_set_up(app, client):
    response = client.get("/finance/reconciliation")
    assert response.status_code == 200
    assert "Stripe is not set up" in parse(response.data).find("div", cls="panel").text
    run = client.post("/finance/reconciliation", data={"confirm": "y"})
    assert run.status_code == 409
    assert parse(run.data).find("div", cls="flash").text == (
        "Not done: Stripe is not set up (no STRIPE_SECRET_KEY): nothing to reconcile.")
