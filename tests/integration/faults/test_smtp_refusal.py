"""Fault: the SMTP server refuses mail for a while (451, "try again later").

Expected: each message is retried with back-off (growing intervals between attempts), none is
lost, each is delivered exactly once when the server accepts again, and while it refuses the staff
see the failures in the app: the outbox (admins) lists them as failed with the server's answer,
and the staff's own pages say that e-mails could not be sent."""
from __future__ import annotations

import re
import time
from collections import Counter

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.integration.faults.load import request_body
from tests.integration.faults.servers import Stack, wait_until

pytestmark = pytest.mark.fault
REFUSE_FOR = 20  # seconds
DELIVER_WITHIN = 120  # seconds after the server accepts again
NOTICE = re.compile(r"e-?mails?\b[^.]{0,80}\b(could not|couldn't|cannot) be sent|not (been )?sent", re.I)


def _signed_in(stack: Stack, email: str, password: str) -> requests.Session:
    browser = requests.Session()
    form = browser.get(f"{stack.url}/login").text
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = browser.post(f"{stack.url}/login", data={"email": email, "password": password, "csrf_token": csrf},
                          allow_redirects=False)
    assert answer.status_code == 302, answer.status_code
    return browser


def test_refused_mail_is_retried_with_back_off_and_shown_to_staff(postgres, database, redis_server, smtp, tmp_path):
    stack = Stack(tmp_path, {"DATABASE_URL": database, "REDIS_URL": redis_server.url,
                             "MAIL_URL": f"smtp://127.0.0.1:{smtp.port}"}).start()
    try:
        smtp.refusing = True
        refused_from = time.monotonic()
        references = []
        for n in (1, 2, 3):
            answer = requests.post(f"{stack.url}/api/v1/requests", json=request_body(100 + n), timeout=30)
            assert answer.status_code == 201
            references.append(answer.json()["reference"])
        wait_until(lambda: len(smtp.attempts) >= 3, 30, "the first attempts")
        time.sleep(6)
        staff = _signed_in(stack, "staff@syndication-desk.org", "staff-demo-2026")
        staff_pages = staff.get(f"{stack.url}/staff/").text + staff.get(f"{stack.url}/staff/requests").text
        admin = _signed_in(stack, "admin@syndication-desk.org", "admin-demo-2026")
        outbox = admin.get(f"{stack.url}/staff/outbox").text
        time.sleep(max(0.0, REFUSE_FOR - (time.monotonic() - refused_from)))
        smtp.refusing = False
        accepted_from = time.monotonic()

        def delivered() -> Counter:
            return Counter(ref for m in smtp.received for ref in re.findall(r"REQ-[A-Z0-9]{6}", m.subject))

        wait_until(lambda: all(delivered()[ref] for ref in references), DELIVER_WITHIN,
                   f"the three receipts after the server accepts (attempts: {len(smtp.attempts)})", 0.5)
        took = time.monotonic() - accepted_from
        time.sleep(5)
        engine = create_engine(database)
        with engine.connect() as conn:
            statuses = Counter(conn.execute(text("SELECT status FROM outbox_messages")).scalars())
        engine.dispose()
    finally:
        stack.stop()

    assert {ref: delivered()[ref] for ref in references} == {ref: 1 for ref in references}
    assert statuses == Counter({"sent": 3}), statuses
    for ref in references:  # growing intervals between the attempts of one message
        times = [at for at, subject in smtp.attempts if ref in subject]
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert len(times) >= 2 and gaps == sorted(gaps), (ref, gaps)
    assert "failed" in outbox, "the outbox does not list the failed messages"
    assert "451" in outbox, "the outbox list does not show the mail server's answer"
    assert NOTICE.search(staff_pages), "the staff pages do not say that e-mails could not be sent"
    print(f"delivered {took:.1f} s after the server accepted again; {len(smtp.attempts)} attempts")
