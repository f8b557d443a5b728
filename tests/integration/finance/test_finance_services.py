"""Finance services on SQLite and PostgreSQL: the invoice list's counts, totals and pages against a
plain recount of a random book of invoices, ageing against the pure rule, revenue by month, by
medium and by territory, the CSV export, every action with the license side, and two people
acting on one invoice at once."""
from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from licensing.core.forms import FieldError
from tests.documents_helpers import no_rendering
from tests.finance_helpers import approved, invoice, issue, issue_many, license_by_invoice, read_csv
from tests.staff_fixtures import add_user, events_of, mails

TODAY = date(2026, 6, 30)
NAMES = ("Leeds Herald", "Bristol Post", "herald of the north", "Café Médias", "Gulf Times", "100% News")


@pytest.fixture
def app_config() -> dict:
    return {"TODAY_FUNC": lambda: TODAY}


@dataclass
class Row:
    number: str
    issue_date: date
    due_date: date
    currency: str
    total: int
    status: str
    refunded: int
    name: str
    email: str
    country: str


@pytest.fixture
def book(app, monkeypatch) -> list[Row]:
    """120 invoices with a fixed seed: statuses, currencies, dates, customers and refunds mixed."""
    no_rendering(monkeypatch)
    rng = random.Random(7)
    specs = []
    for i in range(120):
        currency = rng.choice(("GBP", "GBP", "EUR", "USD", "JPY"))
        amount = rng.randrange(1, 3000) * (1 if currency == "JPY" else 100) + rng.randrange(0, 100)
        name = rng.choice(NAMES)
        status = rng.choice(("open", "open", "paid", "paid", "void", "uncollectible"))
        specs.append(dict(issue_date=TODAY - timedelta(days=rng.randrange(0, 200)), amount=amount, currency=currency,
                          buyer=name, email=f"ap{i % 9}@{name.split()[0].lower()}.example",
                          country=rng.choice(("US", "FR", "JP", "AE")),  # outside the UK: total = amount
                          terms=rng.choice((0, 14, 30)), status=status,
                          refunded_amount=rng.choice((0, 0, amount // 3, amount)) if status == "paid" else 0))
    for days, terms in ((0, 0), (14, 14), (15, 14)):  # due today (not overdue yet), and due yesterday
        specs.append(dict(issue_date=TODAY - timedelta(days=days), amount=4242, currency="USD", buyer="Due Today",
                          email="ap@due.example", country="US", terms=terms, status="open", refunded_amount=0))
    numbers = issue_many(app, specs)
    return [Row(number, sp["issue_date"], sp["issue_date"] + timedelta(days=sp["terms"]), sp["currency"], sp["amount"],
                sp["status"], sp["refunded_amount"], sp["buyer"], sp["email"], sp["country"])
            for number, sp in zip(numbers, specs, strict=False)]


def in_tab(row: Row, tab: str) -> bool:
    return {"open": row.status == "open", "overdue": row.status == "open" and row.due_date < TODAY,
            "paid": row.status == "paid", "refunded": row.refunded > 0, "uncollectible": row.status == "uncollectible",
            "void": row.status == "void", "all": True}[tab]


FILTERS = [
    ({}, lambda r: True),
    ({"currency": "GBP"}, lambda r: r.currency == "GBP"),
    ({"issued_from": "2026-03-01", "issued_to": "2026-05-31"},
     lambda r: date(2026, 3, 1) <= r.issue_date <= date(2026, 5, 31)),
    ({"due_to": "2026-04-30"}, lambda r: r.due_date <= date(2026, 4, 30)),
    ({"customer": "HERALD"}, lambda r: "herald" in r.name.lower()),
    ({"customer": "100%"}, lambda r: "100%" in r.name),  # a LIKE wildcard typed literally
    ({"country": "fr"}, lambda r: r.country == "FR"),
    ({"q": "herald"}, lambda r: "herald" in r.name.lower()),
    ({"amount_min": "10", "amount_max": "1500.5"},
     lambda r: (10 <= r.total <= 1500) if r.currency == "JPY" else (1000 <= r.total <= 150050)),
    ({"currency": "EUR", "country": "US", "amount_min": "5"},
     lambda r: r.currency == "EUR" and r.country == "US" and r.total >= 500),
]


@pytest.mark.parametrize("args, keep", FILTERS, ids=[str(i) for i in range(len(FILTERS))])
def test_the_list_counts_totals_and_pages_agree_with_a_recount(app, db_kind, book, args, keep):
    from invoices.finance.queries import TABS, InvoiceFilters, invoice_page
    from licensing.core.db import get_session

    with app.app_context():
        session = get_session()
        for tab in TABS:
            filters = InvoiceFilters.from_args(MultiDict({**args, "tab": tab, "sort": "oldest"}))
            assert filters.errors == {}
            expected = sorted((r for r in book if keep(r) and in_tab(r, tab)), key=lambda r: (r.issue_date, r.number))
            first = invoice_page(session, filters, TODAY, page_size=7)
            assert first.total == len(expected), (tab, args)
            sums: dict[str, list[int]] = {}
            for r in expected:
                s = sums.setdefault(r.currency, [0, 0, 0, 0])
                s[0] += 1
                s[1] += r.total
                s[2] += r.refunded
                s[3] += r.total if r.status == "open" else 0
            assert {t.currency: [t.count, t.total, t.refunded, t.outstanding] for t in first.totals} == sums, tab
            seen = []
            for page in range(1, first.pages + 1):
                filters.page = page
                seen += [row.number for row in invoice_page(session, filters, TODAY, page_size=7).rows]
            assert sorted(seen) == sorted(r.number for r in expected), (tab, args)
            issue_order = [next(r for r in book if r.number == n).issue_date for n in seen]
            assert issue_order == sorted(issue_order)


def test_ageing_agrees_with_the_pure_rule(app, db_kind, book):
    from invoices.finance.reports import ageing_report
    from licensing.core.db import get_session
    from tests.oracles import summarise

    with app.app_context():
        for today in (TODAY, TODAY - timedelta(days=45), TODAY + timedelta(days=61)):
            got = ageing_report(get_session(), today)
            want = summarise([(r.currency, r.due_date, r.total) for r in book if r.status == "open"], today)
            assert [(r.currency, r.amounts, r.counts) for r in got] == [(r.currency, r.amounts, r.counts) for r in want]


def test_revenue_by_month(app, db_kind, monkeypatch):
    from invoices.finance import services as finance
    from invoices.finance.reports import revenue_by_month
    from licensing.core.db import get_session

    no_rendering(monkeypatch)
    a = issue(app, date(2026, 1, 31), 10000, "GBP")
    b = issue(app, date(2026, 2, 1), 2500, "GBP")
    c = issue(app, date(2026, 2, 14), 700, "JPY")
    issue(app, date(2025, 12, 31), 99, "GBP")  # before the period
    with app.test_request_context("/"):
        s = get_session()
        finance.mark_paid(s, a, "fay@desk.test", "B-1", "2026-02-28")
        finance.mark_paid(s, c, "fay@desk.test", "B-2", "2026-03-01")
        finance.refund(s, a, "fay@desk.test", "partial", "10", "Goodwill")
        finance.void(s, b, "fay@desk.test", "Duplicate")
        refund_month = invoice(app, a).credit_notes[0].issue_date.replace(day=1)
        table = revenue_by_month(s, date(2026, 1, 1), max(date(2026, 3, 1), refund_month))
    gbp = {m.month: m for m in table["GBP"]}
    jpy = {m.month: m for m in table["JPY"]}
    assert (gbp["2026-01"].issued, gbp["2026-01"].issued_count) == (10000, 1)
    assert (gbp["2026-02"].issued, gbp["2026-02"].collected) == (2500, 10000)
    assert jpy["2026-02"].issued == 700 and jpy["2026-03"].collected == 700
    month = refund_month.strftime("%Y-%m")
    assert gbp[month].refunded == 1000 and gbp[month].voided == 2500
    assert sum(m.net for m in table["GBP"]) == 9000
    # buyers outside the UK pay no VAT: excluding it, the same figures
    assert (gbp["2026-01"].issued_ex_vat, gbp["2026-02"].collected_ex_vat) == (10000, 10000)
    assert (gbp[month].refunded_ex_vat, gbp[month].voided_ex_vat, jpy["2026-03"].collected_ex_vat) == (1000, 2500, 700)
    assert sorted(table) == ["GBP", "JPY"]


def test_revenue_by_medium_and_territory(seeded, db_kind, monkeypatch):
    from invoices.finance import services as finance
    from licensing.core.db import get_session
    from licensing.reports.views import revenue_by

    no_rendering(monkeypatch)
    app = seeded
    app.config["TODAY_FUNC"] = date.today
    staff_id = add_user(app, "sam@desk.test", "Sam Staff", ["staff"])
    web = approved(app, staff_id)
    news = approved(app, staff_id, medium="newsletter", territory=["FR"], email="n@letter.example")
    void = approved(app, staff_id, medium="newsletter", territory=["FR"], email="v@letter.example")
    with app.test_request_context("/"):
        s = get_session()
        finance.mark_paid(s, news.invoice_number, "fay@desk.test", "B-1", date.today().isoformat())
        finance.refund(s, news.invoice_number, "fay@desk.test", "partial", "1", "Typo in credit")
        finance.void(s, void.invoice_number, "fay@desk.test", "Duplicate")
        first = date.today().replace(day=1)
        end = (first + timedelta(days=32)).replace(day=1)
        media = {(r.key, r.currency): r for r in revenue_by(s, "medium", first, end)}
        places = {r.key: r for r in revenue_by(s, "territory", first, end)}
        assert revenue_by(s, "medium", date(2020, 1, 1), date(2020, 2, 1)) == []
    letter = media[("newsletter", "GBP")]
    assert (letter.licenses, letter.invoiced, letter.collected, letter.refunded, letter.net, letter.outstanding) == (
        2, news.total, news.total, 100, news.total - 100, 0)
    # excluding UK VAT (20%): the invoices' subtotals and the refund credit note's (£1.00 = 83p + 17p VAT)
    assert (news.total, web.total) == (36000, 81000)
    assert (letter.invoiced_ex_vat, letter.collected_ex_vat, letter.refunded_ex_vat, letter.net_ex_vat,
            letter.outstanding_ex_vat) == (30000, 30000, 83, 29917, 0)
    site = media[("website", "GBP")]
    assert (site.label, site.invoiced, site.collected, site.outstanding) == ("Website", web.total, 0, web.total)
    assert (site.invoiced_ex_vat, site.outstanding_ex_vat) == (67500, 67500)
    assert set(places) == {"FR", "FR,GB"} and places["FR"].label == "France"


def test_invoice_export_on_each_database(app, db_kind, book):
    from invoices.finance.exports import invoices_csv, invoices_query
    from invoices.finance.queries import InvoiceFilters
    from licensing.core.db import get_session

    with app.app_context():
        session = get_session()
        stmt = invoices_query(session, InvoiceFilters(tab="all", sort="oldest"), TODAY)
        text = "".join(invoices_csv(session, stmt))
    rows = read_csv(text.encode())
    assert len(rows) == len(book)
    by_number = {r.number: r for r in book}
    for row in rows:
        source = by_number[row["number"]]
        digits = 0 if source.currency == "JPY" else 2
        expected = f"{source.total // 10 ** digits}" + (f".{source.total % 100:02d}" if digits else "")
        assert (row["total"], row["currency"], row["status"]) == (expected, source.currency, source.status)
        assert row["issue_date"] == source.issue_date.isoformat() and row["due_date"] == source.due_date.isoformat()
        assert row["tax_rule"] == "outside_scope"


# ----------------------------------------------------------------------------------------- actions

@pytest.fixture
def licensed(seeded, monkeypatch):
    no_rendering(monkeypatch)
    seeded.config["TODAY_FUNC"] = date.today
    staff_id = add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"])
    return seeded, approved(seeded, staff_id)


def test_actions_and_their_license_effects(licensed, db_kind):
    from invoices.finance import services as finance
    from licensing.core.db import get_session

    app, lic = licensed
    other = approved(app, add_user(app, "sue@desk.test", "Sue Staff", ["staff"]), email="other@paper.example")
    with app.test_request_context("/"):
        s = get_session()
        finance.send_again(s, lic.invoice_number, "fay@desk.test", "Lost")
        finance.mark_paid(s, lic.invoice_number, "fay@desk.test", "BACS-1", date.today().isoformat())
        assert license_by_invoice(app, lic.invoice_number).status == "active"
        with pytest.raises(finance.ActionRefused, match="is paid: only an unpaid"):
            finance.void(s, lic.invoice_number, "fay@desk.test", "No")
        finance.refund(s, lic.invoice_number, "fay@desk.test", "partial", "10.00", "Part")
        finance.refund(s, lic.invoice_number, "fay@desk.test", "full", "", "Rest")
        assert license_by_invoice(app, lic.invoice_number).status == "revoked"
        finance.mark_uncollectible(s, other.invoice_number, "fay@desk.test", "Gone")
        finance.void(s, other.invoice_number, "fay@desk.test", "Closing the account")
        finance.add_note(s, other.invoice_number, "fay@desk.test", "Checked twice")
        with pytest.raises(finance.ActionRefused, match="is void: only an open invoice"):
            finance.mark_uncollectible(s, other.invoice_number, "fay@desk.test", "Again")
    paid = invoice(app, lic.invoice_number)
    assert [e.kind for e in paid.events] == ["sent_again", "paid", "refunded", "refunded"]
    assert paid.refunded_amount == paid.total and [n.total for n in paid.credit_notes] == [1000, paid.total - 1000]
    voided = invoice(app, other.invoice_number)
    assert voided.status == "void" and [n.kind for n in voided.credit_notes] == ["void"]
    assert [e.kind for e in voided.events] == ["marked_uncollectible", "voided", "note"]
    assert license_by_invoice(app, other.invoice_number).status == "cancelled"
    assert {e.action for e in events_of(app, other.reference)} >= {"license_cancelled"}
    assert len(mails(app, tag_contains=f"invoice:{lic.invoice_number}:again")) == 1


def _race(app, calls) -> list[object]:  # noqa: ANN001
    from licensing.core.db import get_session

    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(i: int, call) -> None:  # noqa: ANN001
        with app.test_request_context("/"):
            session = get_session()
            barrier.wait(timeout=10)
            try:
                outcomes[i] = call(session) or "done"
            except Exception as exc:  # noqa: BLE001 - the test inspects it
                session.rollback()
                outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "an action never finished (deadlock?)"
    return outcomes


def test_void_and_mark_paid_at_once_exactly_one_wins(licensed, db_kind):
    from invoices.finance import services as finance

    app, lic = licensed
    outcomes = _race(app, [
        lambda s: finance.void(s, lic.invoice_number, "a@desk.test", "Duplicate"),
        lambda s: finance.mark_paid(s, lic.invoice_number, "b@desk.test", "BACS-9", date.today().isoformat()),
    ])
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], finance.ActionRefused), outcomes
    inv = invoice(app, lic.invoice_number)
    status = license_by_invoice(app, lic.invoice_number).status
    if inv.status == "void":
        assert (len(inv.credit_notes), inv.payments, status) == (1, [], "cancelled")
    else:
        assert (inv.status, inv.credit_notes, len(inv.payments), status) == ("paid", [], 1, "active")


def test_two_refunds_at_once_never_exceed_the_total(licensed, db_kind):
    from invoices.finance import services as finance
    from licensing.core.db import get_session

    app, lic = licensed
    with app.test_request_context("/"):
        finance.mark_paid(get_session(), lic.invoice_number, "fay@desk.test", "B", date.today().isoformat())
    amount = f"{lic.total * 6 // 10 // 100}"  # 60% each: both cannot succeed
    outcomes = _race(app, [lambda s: finance.refund(s, lic.invoice_number, "a@desk.test", "partial", amount, "One"),
                           lambda s: finance.refund(s, lic.invoice_number, "b@desk.test", "partial", amount, "Two")])
    refused = [o for o in outcomes if isinstance(o, Exception)]
    # The second is refused under the invoice's lock, or, when the first has committed before it
    # starts, told at once how much is left: both are right, which one depends on timing.
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], finance.ActionRefused) or (
        isinstance(refused[0], FieldError) and refused[0].field == "amount"
        and "left to refund" in str(refused[0])), outcomes
    inv = invoice(app, lic.invoice_number)
    assert inv.refunded_amount == int(amount) * 100 and len(inv.credit_notes) == 1
