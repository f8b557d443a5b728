"""Fault: a job worker is killed (SIGKILL) in the middle of a job (sending an e-mail: the SMTP
server holds the message, so the worker is caught mid-send, before the server has accepted it).

Expected: after recovery the work is done exactly once (the e-mail delivered once, never twice,
never lost), without anyone running a command, and the stack goes on running (a dead worker is
replaced; the other processes are not stopped because of it)."""
from __future__ import annotations

import os
import re
import signal
import time
from collections import Counter

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.integration.faults.load import request_body
from tests.integration.faults.servers import Stack, wait_until

pytestmark = pytest.mark.fault
RECOVER_WITHIN = 120  # seconds


def _busy_worker_pid(redis_url: str) -> int:
    from redis import Redis
    from rq import Worker

    connection = Redis.from_url(redis_url)
    for worker in Worker.all(connection=connection):
        if worker.get_current_job_id():
            return worker.pid
    return 0


def test_a_worker_killed_mid_job_does_the_work_exactly_once(postgres, database, redis_server, smtp, tmp_path):
    stack = Stack(tmp_path, {"DATABASE_URL": database, "REDIS_URL": redis_server.url,
                             "MAIL_URL": f"smtp://127.0.0.1:{smtp.port}"}).start()
    try:
        smtp.holding = True
        answer = requests.post(f"{stack.url}/api/v1/requests", json=request_body(900), timeout=30)
        assert answer.status_code == 201
        reference = answer.json()["reference"]
        wait_until(smtp.held.is_set, 60, "the worker to be sending the receipt")
        pid = wait_until(lambda: _busy_worker_pid(redis_server.url), 10, "the busy worker in Redis")
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        time.sleep(1)
        smtp.holding = False  # the killed worker's transaction is dropped, not kept
        try:
            wait_until(lambda: any(reference in m.subject for m in smtp.received), RECOVER_WITHIN,
                       "the receipt after the worker was killed", 0.5)
            recovered = time.monotonic() - killed
        except AssertionError:
            recovered = None
        time.sleep(5)
        copies = Counter(ref for m in smtp.received for ref in re.findall(r"REQ-[A-Z0-9]{6}", m.subject))
        engine = create_engine(database)
        with engine.connect() as conn:
            status = conn.execute(text("SELECT status FROM outbox_messages WHERE tag LIKE :t"),
                                  {"t": f"request:{reference}:%"}).scalar_one()
        engine.dispose()
        alive = stack.alive()
        log = stack.log()
    finally:
        stack.stop()

    assert alive, f"the stack stopped when one worker died:\n{log}"
    assert recovered is not None, f"the receipt was never delivered after the kill (outbox status {status!r})"
    assert copies[reference] == 1 and status == "sent", (copies, status)
    print(f"recovered {recovered:.1f} s after the kill")
