"""Made-up volume for the load bench, inserted with SQLAlchemy Core in batches, from a fixed seed:
republishing requests (the staff queue) and invoices (the finance list), with realistic mixes of
statuses, dates, amounts, currencies and names."""
from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select, text

SEED = 20260105
BATCH = 5_000
ORGS = ("Leeds Evening Post", "Dublin Daily", "Le Courrier", "Berliner Abendblatt", "Gulf Observer",
        "Cairo Review", "Toronto Ledger", "Lisbon Tribune", "Nordic Wire", "Madrid Diario", "Riviera Matin",
        "Highland Herald", "Boston Record", "Amman Times", "Doha Weekly", "Ankara Bulletin")
SUFFIXES = ("Ltd", "Media", "Group", "Publishing", "News", "plc", "GmbH", "SA")
COUNTRIES = ("GB", "GB", "GB", "IE", "FR", "DE", "US", "CA", "PT", "ES", "QA", "JO", "TR", "EG", "NL", "SE")
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def _org(rng: random.Random) -> str:
    return f"{rng.choice(ORGS)} {rng.choice(SUFFIXES)} {rng.randint(1, 9999)}"


def _codes(rng: random.Random, n: int, length: int = 6) -> list[str]:
    seen: set[str] = set()
    while len(seen) < n:
        seen.add("".join(rng.choice(ALPHABET) for _ in range(length)))
    return sorted(seen, key=lambda _: rng.random())


def insert_requests(engine, count: int, seed: int = SEED) -> dict[str, int]:  # noqa: ANN001
    """`count` requests over the last two years: ~20% still open (submitted, in review, needing
    information), the rest decided. Returns the count per status."""
    from licensing.catalog.models import Article
    from licensing.intake.models import RepublishRequest
    from licensing.pricing.models import RateCard

    rng = random.Random(seed)
    with engine.connect() as conn:
        article_ids = list(conn.scalars(select(Article.id)))
        card_id = conn.scalar(select(RateCard.id).order_by(RateCard.version.desc()).limit(1))
    statuses = (("submitted", 12), ("in_review", 5), ("needs_info", 3), ("approved", 55), ("rejected", 15),
                ("withdrawn", 6), ("expired", 4))
    names, weights = zip(*statuses, strict=False)
    now = datetime.utcnow().replace(microsecond=0)
    counts: dict[str, int] = {}
    rows = []
    for n, code in enumerate(_codes(rng, count)):
        status = rng.choices(names, weights)[0]
        counts[status] = counts.get(status, 0) + 1
        # open requests are recent (days), decided ones spread over two years
        age = timedelta(minutes=rng.randrange(60, 60 * 24 * (12 if status in names[:3] else 730)))
        submitted = now - age
        amount = rng.choice((15000, 22500, 33750, 45000, 67500, 101250, 135000, 202500))
        org = _org(rng)
        territory = rng.choice(("worldwide", "GB", "FR,GB", "GB,IE", "DE", "US", "CA,US"))
        rows.append({
            "reference": f"REQ-{code}", "tracking_token_hash": hashlib.sha256(f"bench-{seed}-{n}".encode()).hexdigest(),
            "tracking_nonce": f"{n:032x}", "status": status, "article_id": rng.choice(article_ids),
            "organisation": org, "contact_name": "Jo Bloggs", "email": f"editor{n}@{org.split()[0].lower()}.example",
            "country": rng.choice(COUNTRIES), "vat_id": "", "billing_address": "", "publication": org.rsplit(" ", 2)[0],
            "publication_url": "https://publication.example", "medium": rng.choice(("website", "print", "newsletter", "broadcast")),
            "audience": rng.choice((5_000, 25_000, 250_000, 2_000_000)), "territory": territory, "language": "en",
            "term": rng.choice(("1_month", "1_year", "perpetual")), "start_date": (submitted + timedelta(days=7)).date(),
            "exclusive": False, "media_wanted": rng.random() < 0.2, "notes": "", "terms_accepted": True,
            "quote_amount": amount, "currency": "GBP",
            "quote_breakdown": [{"label": "Base fee: website", "amount": amount}], "rate_card_id": card_id,
            "submitted_at": submitted, "updated_at": submitted,
            "decided_at": None if status in names[:3] else submitted + timedelta(hours=rng.randint(1, 96)),
            "info_requested_at": submitted + timedelta(hours=5) if status == "needs_info" else None,
            "approved_fee": amount if status == "approved" else None,
            "fee_override_reason": "", "extra_terms": "", "decision_reason": "",
        })
    _insert(engine, RepublishRequest.__table__, rows)
    return counts


def insert_invoices(engine, count: int, seed: int = SEED) -> dict[str, int]:  # noqa: ANN001
    """`count` invoices issued over the last two years (numbers INV-YYYY-NNNNN gapless per year):
    most paid, some open (a share overdue), a few void, uncollectible or partly refunded."""
    from invoices.billing.models import Invoice

    rng = random.Random(seed + 1)
    today = date.today()
    issue_dates = sorted(today - timedelta(days=rng.randrange(0, 730)) for _ in range(count))
    per_year: dict[int, int] = {}
    counts: dict[str, int] = {}
    rows = []
    for n, issued in enumerate(issue_dates):
        per_year[issued.year] = per_year.get(issued.year, 0) + 1
        age = (today - issued).days
        status = rng.choices(("open", "paid", "void", "uncollectible"),
                             (60, 35, 3, 2) if age < 45 else (4, 88, 4, 4))[0]
        counts[status] = counts.get(status, 0) + 1
        currency = rng.choices(("GBP", "EUR", "USD"), (70, 20, 10))[0]
        subtotal = rng.choice((15000, 22500, 33750, 45000, 67500, 101250, 135000, 202500))
        country = rng.choice(COUNTRIES)
        tax = subtotal // 5 if country == "GB" else 0
        refunded = 0
        if status == "paid" and rng.random() < 0.03:
            refunded = rng.choice((subtotal + tax, (subtotal + tax) // 2))
            counts["refunded"] = counts.get("refunded", 0) + 1
        org = _org(rng)
        paid_at = datetime.combine(issued, datetime.min.time()) + timedelta(days=rng.randint(0, 20), hours=10) \
            if status == "paid" else None
        rows.append({
            "number": f"INV-{issued.year}-{per_year[issued.year]:05d}", "status": status, "issue_date": issued,
            "due_date": issued + timedelta(days=14), "currency": currency, "subtotal": subtotal, "tax_total": tax,
            "total": subtotal + tax, "reference": f"LIC-{issued.year}-{per_year[issued.year]:05d}",
            "seller_name": "Middle East Eye Ltd", "seller_address": "Example House, 1 Example Street, London",
            "seller_country": "GB", "seller_vat_number": "GB123456789", "seller_bank_details": "Sort code 00-00-00",
            "buyer_name": org, "buyer_contact": "Jo Bloggs", "buyer_email": f"accounts{n}@{org.split()[0].lower()}.example",
            "buyer_address": "", "buyer_country": country, "buyer_vat_id": "", "payment_terms_days": 14,
            "created_at": datetime.combine(issued, datetime.min.time()) + timedelta(hours=9), "paid_at": paid_at,
            "status_changed_at": paid_at, "stripe_customer_id": None, "payment_intent_id": None,
            "refunded_amount": refunded, "flagged": False, "flag_reason": "",
        })
    _insert(engine, Invoice.__table__, rows)
    return counts


def _insert(engine, table, rows: list[dict]) -> None:  # noqa: ANN001
    with engine.begin() as conn:
        for start in range(0, len(rows), BATCH):
            conn.execute(insert(table), rows[start:start + BATCH])


def analyze(engine) -> None:  # noqa: ANN001
    """What autovacuum does soon after a bulk load (PostgreSQL)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
