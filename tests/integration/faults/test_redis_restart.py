"""Fault: Redis (the job queue) is stopped and started again while jobs are queued.

Expected: no job is lost and nothing the user did fails: requests submitted and approved while
Redis is down are answered as usual (their e-mails and PDFs are work recorded in the database);
once Redis is back, rendering and mail resume by themselves, each e-mail is delivered exactly
once, each document is rendered, and the stack keeps running (no worker left dead)."""
from __future__ import annotations

import re
import time
from collections import Counter

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.integration.faults.load import request_body
from tests.integration.faults.servers import Stack, staff_token, wait_until

pytestmark = pytest.mark.fault
RESUME_WITHIN = 90  # seconds after Redis is back


def _submit(stack: Stack, n: int) -> requests.Response:
    return requests.post(f"{stack.url}/api/v1/requests", json=request_body(n), timeout=30)


def test_redis_stopped_and_started_loses_no_job(postgres, database, redis_server, smtp, tmp_path):
    stack = Stack(tmp_path, {"DATABASE_URL": database, "REDIS_URL": redis_server.url,
                             "MAIL_URL": f"smtp://127.0.0.1:{smtp.port}"}).start()
    token = staff_token(database)
    try:
        before = [_submit(stack, n) for n in (1, 2)]
        assert [r.status_code for r in before] == [201, 201]
        wait_until(lambda: len(smtp.received) >= 2, 60, "the first two receipts")

        redis_server.stop()
        during = [_submit(stack, n) for n in (3, 4, 5)]
        approve = requests.post(f"{stack.url}/api/v1/staff/requests/{before[0].json()['reference']}/approve",
                                json={}, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        time.sleep(3)
        redis_server.start()
        back = time.monotonic()

        references = [r.json()["reference"] for r in before + during if r.status_code == 201]
        wanted = {ref: 1 for ref in references}

        def delivered() -> Counter:  # the receipts (the approval of before[0] is a message of its own)
            return Counter(ref for m in smtp.received if m.subject.startswith("We received")
                           for ref in re.findall(r"REQ-[A-Z0-9]{6}", m.subject))

        try:
            wait_until(lambda: all(delivered()[ref] >= 1 for ref in references) and len(references) == 5,
                       RESUME_WITHIN, "every receipt after Redis came back")
        except AssertionError as exc:
            waited = f"{exc}"
        else:
            waited = ""
        resumed_after = time.monotonic() - back
        time.sleep(5)  # a duplicate would come now
        engine = create_engine(database)
        with engine.connect() as conn:
            documents = dict(conn.execute(text("SELECT number, status FROM documents")).all())
            outbox = Counter(conn.execute(text("SELECT status FROM outbox_messages")).scalars())
        engine.dispose()
        alive = stack.alive()
    finally:
        stack.stop()

    assert [r.status_code for r in during] == [201, 201, 201], [(r.status_code, r.text[:200]) for r in during]
    assert approve.status_code == 200, (approve.status_code, approve.text[:200])
    assert not waited, f"{waited}; delivered: {dict(delivered())}; outbox: {dict(outbox)}"
    assert {ref: n for ref, n in delivered().items() if ref in wanted} == wanted, "a receipt went twice"
    assert documents and set(documents.values()) == {"ready"}, documents
    assert alive, stack.log()
    print(f"mail resumed {resumed_after:.1f} s after Redis came back")
