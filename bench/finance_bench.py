"""Finance pages at 100,000 invoices: the invoice list (tabs, filters, search, sorting) and the
ageing report, through the test client (routing, auth, queries, templates), median and p95.

Data: 100,000 invoices over two years (fixed seed), one line each, payments for the paid ones,
mixed statuses and currencies, bulk-inserted with SQLAlchemy core into a migrated temporary
SQLite file and, when a server answers, a temporary PostgreSQL database (created and dropped).

    .venv/bin/python bench/finance_bench.py [--invoices 100000] [--runs 30]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import make_app, postgres_database, print_table, row, sqlite_database, timed  # noqa: E402

TODAY = date(2026, 6, 30)
AIM_MS = 100
SEED = 20260630
CURRENCIES = (("GBP", 70), ("EUR", 20), ("USD", 8), ("JPY", 2))
STATUSES = (("paid", 74), ("open", 16), ("void", 5), ("uncollectible", 2), ("refunded", 3))
COUNTRIES = ("GB", "FR", "DE", "IE", "US", "ES", "IT", "NL", "BE", "TR", "AE", "QA", "EG", "JO", "LB")
WORDS = ("Evening", "Post", "Herald", "Gazette", "Courier", "Daily", "Weekly", "News", "Times", "Observer", "Review",
         "Chronicle", "Record", "Echo", "Star", "Mail", "Journal", "Tribune", "Voice", "Standard")
PAGES = (
    ("list: open (default)", "/finance/invoices"),
    ("list: all, newest", "/finance/invoices?tab=all"),
    ("list: overdue, due date", "/finance/invoices?tab=overdue&sort=due_soonest"),
    ("list: paid, highest amount", "/finance/invoices?tab=paid&sort=amount_high"),
    ("list: refunded", "/finance/invoices?tab=refunded"),
    ("list: all, GBP, 2026 Q1, 100-900", "/finance/invoices?tab=all&currency=GBP&issued_from=2026-01-01"
                                         "&issued_to=2026-03-31&amount_min=100&amount_max=900"),
    ("list: customer search", "/finance/invoices?tab=all&q=herald"),
    ("list: number search", "/finance/invoices?tab=all&q=INV-2026-01234"),
    ("list: all, page 500", "/finance/invoices?tab=all&page=500"),
    ("ageing report", "/finance/reports/ageing"),
    ("invoice page", "/finance/invoices/INV-2026-01234"),
    ("revenue by month, 12 months", "/finance/reports/revenue"),
)


def _weighted(rng: random.Random, table) -> str:  # noqa: ANN001
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def generate(n: int) -> tuple[list[dict], list[dict], list[dict]]:
    rng = random.Random(SEED)
    buyers = [(f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i} Ltd", f"accounts{i}@publisher{i}.example",
               rng.choice(COUNTRIES)) for i in range(5000)]
    start = TODAY - timedelta(days=730)
    days = sorted(start + timedelta(days=rng.randrange(731)) for _ in range(n))
    counters: dict[int, int] = {}
    invoices, lines, payments = [], [], []
    for i, issued in enumerate(days, start=1):
        counters[issued.year] = counters.get(issued.year, 0) + 1
        currency = _weighted(rng, CURRENCIES)
        net = rng.randrange(50, 5000) * (1 if currency == "JPY" else 100)
        name, email, country = rng.choice(buyers)
        tax = net * 20 // 100 if country == "GB" else 0
        kind = _weighted(rng, STATUSES)
        status = "paid" if kind == "refunded" else kind
        if issued > TODAY - timedelta(days=20):  # recent invoices are mostly still open
            status = "open" if rng.random() < 0.7 else status
        total = net + tax
        paid_at = datetime.combine(issued + timedelta(days=rng.randrange(0, 30)), datetime.min.time()) \
            if status == "paid" else None
        invoices.append(dict(
            id=i, number=f"INV-{issued.year}-{counters[issued.year]:05d}", status=status, issue_date=issued,
            due_date=issued + timedelta(days=14), currency=currency, subtotal=net, tax_total=tax, total=total,
            reference=f"LIC-{issued.year}-{counters[issued.year]:05d}", seller_name="Middle East Eye Ltd",
            seller_address="Example House, 1 Example Street, London EC1A 1AA, United Kingdom", seller_country="GB",
            seller_vat_number="GB123456789",
            seller_bank_details="Sort code 00-00-00, account 12345678, IBAN GB00EXMP00000012345678",
            buyer_name=name, buyer_contact="Accounts", buyer_email=email, buyer_address="1 Press Row, Somewhere",
            buyer_country=country, buyer_vat_id="", payment_terms_days=14, created_at=datetime.combine(
                issued, datetime.min.time()), paid_at=paid_at, status_changed_at=paid_at,
            refunded_amount=(total // 2 if kind == "refunded" else 0), flagged=False, flag_reason=""))
        lines.append(dict(invoice_id=i, position=1, description="Republishing license", quantity=1, unit_amount=net,
                          net_amount=net, tax_rule="domestic_vat" if tax else "outside_scope",
                          tax_label="UK VAT 20%" if tax else "Outside scope 0%", tax_rate_bp=2000 if tax else 0,
                          tax_amount=tax, tax_note=""))
        if paid_at is not None and total > 0:
            payments.append(dict(invoice_id=i, method="bank_transfer", amount=total, currency=currency,
                                 reference=f"BANK-{i}", paid_at=paid_at, recorded_at=paid_at))
    return invoices, lines, payments


def load(url: str, data) -> float:  # noqa: ANN001
    from sqlalchemy import create_engine, insert, text

    from invoices.billing.models import Invoice, InvoiceLine, Payment

    invoices, lines, payments = data
    engine = create_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        for model, rows in ((Invoice, invoices), (InvoiceLine, lines), (Payment, payments)):
            for k in range(0, len(rows), 5000):
                conn.execute(insert(model), rows[k:k + 5000])
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('invoices', 'id'), (SELECT max(id) FROM invoices))"))
    if engine.dialect.name == "postgresql":  # what autovacuum does after a bulk load: statistics, visibility map
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE invoices, invoice_lines, payments"))
    # SQLite: no ANALYZE, as the app never runs one; the queries must not depend on statistics.
    engine.dispose()
    return time.perf_counter() - started


def finance_client(application):  # noqa: ANN001, ANN201
    from argon2 import PasswordHasher

    from licensing.core.db import new_session
    from licensing.core.models import User, UserRole

    with application.app_context(), new_session() as session:
        user = User(email="finance@bench.test", name="Finance", active=True, roles=[UserRole(role="finance")],
                    password_hash=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("x" * 12))
        session.add(user)
        session.commit()
        user_id = user.id
    client = application.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user_id)
        sess["_fresh"] = True
    return client


def bench(label: str, url: str, data, runs: int) -> None:  # noqa: ANN001
    seconds = load(url, data)
    print(f"\n{label}: {len(data[0]):,} invoices loaded in {seconds:.1f} s")
    application = make_app(url)
    application.config["TODAY_FUNC"] = lambda: TODAY
    client = finance_client(application)
    rows = []
    for name, path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        rows.append(row(name, timed(lambda p=path: client.get(p), runs, warmup=3), AIM_MS))
    print_table(f"{label}: finance pages (test client, {runs} runs each)", rows)
    application.extensions["database"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    data = generate(args.invoices)
    with sqlite_database() as url:
        bench("SQLite", url, data, args.runs)
    with postgres_database() as url:
        if url:
            bench("PostgreSQL", url, data, args.runs)


if __name__ == "__main__":
    main()
