"""Fault: PostgreSQL is restarted during a load of submissions and approvals.

Expected: the app recovers by itself (no restart of the app: the pool checks a connection before
use, "pre-ping"), users meanwhile get a clear 503 ("try again in a moment"), never a 500, and no
request is half-written: every request has its "submit" event and its receipt, every approval
its license, invoice and documents, and the numbers have no gap."""
from __future__ import annotations

import time
from collections import Counter

import pytest
from sqlalchemy import create_engine, text

from tests.integration.faults.load import Load
from tests.integration.faults.servers import Stack, staff_token

pytestmark = pytest.mark.fault
BEFORE, AFTER = 5.0, 8.0  # seconds of load before the restart and after the server is back
GRACE = 1.0  # after the server is back, requests started this much later must all succeed


def test_postgres_restarted_under_load(postgres, database, redis_server, tmp_path):
    stack = Stack(tmp_path, {"DATABASE_URL": database, "REDIS_URL": redis_server.url}).start()
    try:
        load = Load(stack.url, staff_token(database)).start()
        time.sleep(BEFORE)
        went_down = time.monotonic()
        postgres.restart()
        back = time.monotonic()
        time.sleep(AFTER)
        answers = load.stop()
        stack_alive = stack.alive()
    finally:
        stack.stop()

    before = [a for a in answers if a.ended < went_down]
    later = [a for a in answers if a.started > back + GRACE]
    summary = Counter((a.kind, a.status) for a in answers)
    assert before and later and any(a.status == 201 for a in later), summary  # the load ran on both sides
    server_errors = [f"{a.kind} {a.status} at {a.started - went_down:+.1f} s: {a.text[:120]}"
                     for a in answers if a.status == 500]
    unclear = [a for a in answers if a.status == 503 and "try again" not in a.text.lower()]
    failed_later = [f"{a.kind} {a.status} at {a.started - back:+.1f} s after the restart: {a.text[:120]}"
                    for a in later if a.status not in (200, 201)]

    engine = create_engine(database)
    with engine.connect() as conn:
        no_event = conn.execute(text(
            "SELECT reference FROM requests r WHERE NOT EXISTS (SELECT 1 FROM request_events e "
            "WHERE e.request_id = r.id AND e.action = 'submit')")).scalars().all()
        no_receipt = conn.execute(text(
            "SELECT reference FROM requests r WHERE NOT EXISTS (SELECT 1 FROM outbox_messages m "
            "WHERE m.tag LIKE 'request:' || r.reference || ':%')")).scalars().all()
        submitted = {a.reference for a in answers if a.kind == "submit" and a.status == 201}
        stored = set(conn.execute(text("SELECT reference FROM requests")).scalars())
        approved = {a.reference for a in answers if a.kind == "approve" and a.status == 200}
        licensed = set(conn.execute(text(
            "SELECT r.reference FROM licenses l JOIN requests r ON r.id = l.request_id")).scalars())
        without_invoice = conn.execute(text(
            "SELECT l.number FROM licenses l LEFT JOIN invoices i ON i.number = l.invoice_number "
            "WHERE i.id IS NULL")).scalars().all()
        numbers = sorted(conn.execute(text("SELECT number FROM licenses")).scalars())
    engine.dispose()
    problems = {"500s (a 503 with a message expected)": server_errors[:10], "503s without a clear message": unclear[:3],
                "failures after the server was back": failed_later[:10], "the stack stopped": not stack_alive}
    assert not any(problems.values()), f"{summary}\n" + "\n".join(f"{k}: {v}" for k, v in problems.items() if v)
    assert no_event == [] and no_receipt == [], (no_event, no_receipt)
    assert submitted <= stored
    assert approved <= licensed and without_invoice == []
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == list(range(1, len(numbers) + 1)), numbers
