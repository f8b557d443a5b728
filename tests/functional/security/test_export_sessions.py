"""Issue 13, item 2 (medium): every streamed CSV export handed the request's database session to
its generator; the request ended, the generator reopened the session, and nothing closed it again
until the garbage collector ran. Sixteen downloads at once emptied the pool (5 + 10 overflow) and
every later request, webhooks included, failed after 30 s until a restart.

Expected: every streamed response owns its session and closes it when the stream ends or is
abandoned. Here each export is downloaded 50 times over real HTTP (a threaded WSGI server, which,
like gunicorn, closes the response iterator when the client goes away), some downloads abandoned
after the first chunk; the garbage collector is off meanwhile, so only an explicit close can give
the connections back. Then the pool has no connection checked out. And the exports are bounded:
over EXPORT_MAX_ROWS rows, the answer is a clear message, not a CSV."""
from __future__ import annotations

import gc
import socket
import threading
import time
from datetime import date, datetime

import pytest
import requests
from sqlalchemy import text
from werkzeug.serving import make_server

from tests.staff_fixtures import add_user, insert_requests

DOWNLOADS = 50
ABANDON_EVERY = 3  # every third download is abandoned after its first chunk
EXPORTS = ("/staff/events.csv", "/finance/invoices.csv?tab=all", "/finance/payments.csv", "/finance/credit-notes.csv")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_kind(request) -> str:  # noqa: ANN001
    return request.param


@pytest.fixture(autouse=True)
def _collect_leaks_after_the_test():
    """After the test (and the app's teardown), let the garbage collector close what leaked: on
    PostgreSQL a leaked connection holds its locks and the next test's TRUNCATE would wait forever."""
    yield
    gc.enable()
    gc.collect()


class Served:
    """The app on a free loopback port, served by werkzeug's threaded server in this process."""

    def __init__(self, app):  # noqa: ANN001
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _fill(app, rows: int) -> None:  # noqa: ANN001
    """Enough rows that each export streams several chunks (of 64 KiB)."""
    from licensing.core.db import new_session
    from tests.finance_helpers import issue_many

    made = insert_requests(app, [{}])[0]
    numbers = issue_many(app, [{"issue_date": date(2026, 1, 5), "amount": 10_000 + i, "currency": "GBP",
                                "buyer": f"Buyer number {i} of a long list of buyers Ltd"} for i in range(rows)])
    with app.app_context(), new_session() as s:
        s.execute(text("INSERT INTO request_events (request_id, at, actor_kind, action, message, public) "
                       "VALUES (:r, :at, 'system', 'note', :m, true)"),
                  [{"r": made.id, "at": datetime(2026, 1, 5, 9, 0), "m": f"event {i} " + "x" * 200}
                   for i in range(rows * 3)])
        ids = dict(s.execute(text("SELECT number, id FROM invoices")).all())
        s.execute(text("INSERT INTO payments (invoice_id, method, amount, currency, payment_intent_id, reference, "
                       "paid_at, recorded_at) VALUES (:i, 'bank_transfer', 100, 'GBP', NULL, :ref, :at, :at)"),
                  [{"i": ids[n], "ref": f"BACS transfer reference {n} " + "y" * 100, "at": datetime(2026, 1, 6)}
                   for n in numbers])
        s.commit()


def _session_for(app, roles: list[str]) -> requests.Session:  # noqa: ANN001
    """A browser signed in through the real sign-in form."""
    from tests.staff_fixtures import PASSWORD

    email = f"{'-'.join(roles)}@desk.test"
    add_user(app, email, "Exporter", roles)
    browser = requests.Session()
    browser.app = app  # type: ignore[attr-defined]
    return browser, email, PASSWORD


def _sign_in(server: Served, browser: requests.Session, email: str, password: str) -> None:
    answer = browser.post(f"{server.url}/login", data={"email": email, "password": password}, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:500]


def _download(server: Served, browser: requests.Session, path: str, abandon: bool) -> int:
    with browser.get(f"{server.url}{path}", stream=True, timeout=40) as response:
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        assert response.headers["Content-Type"].startswith("text/csv")
        if abandon:
            first = next(response.iter_content(4096))
            if response.raw._fp.fp is not None:  # None: a small export (no credit notes) came whole
                response.raw._fp.fp.raw._sock.shutdown(socket.SHUT_RDWR)  # the client goes away mid-stream
            return len(first)
        return len(response.content)


def _checked_out(app, settle: float = 2.0) -> int:  # noqa: ANN001
    """Connections still checked out of the pool once in-flight responses have had time to finish."""
    pool = app.extensions["database"].engine.pool
    deadline = time.monotonic() + settle
    while pool.checkedout() and time.monotonic() < deadline:
        time.sleep(0.05)
    return pool.checkedout()


def test_every_export_closes_its_session_finished_or_abandoned(seeded):
    app = seeded
    _fill(app, 400)
    browser, email, password = _session_for(app, ["staff", "finance", "admin"])
    server = Served(app)
    gc.disable()  # the leak was only ever repaired by the garbage collector
    try:
        _sign_in(server, browser, email, password)
        assert browser.get(f"{server.url}/finance/exports").status_code == 200
        assert _checked_out(app) == 0  # the counterpart: an ordinary page gives its connection back
        sizes, leaks = {}, []
        for path in EXPORTS:
            for i in range(DOWNLOADS):
                abandon = i % ABANDON_EVERY == 1
                sizes.setdefault(path, []).append(_download(server, browser, path, abandon))
                left = _checked_out(app)
                if left:  # stop at the first leak: a few more and every request waits 30 s for the pool
                    leaks.append(f"{left} connection(s) checked out after download {i + 1} of {path}"
                                 f"{' (abandoned)' if abandon else ''}")
                    break
            if leaks:
                break
    finally:
        gc.enable()
        server.stop()
    assert not leaks, leaks
    assert all(max(s) > 64 * 1024 for p, s in sizes.items() if "credit-notes" not in p), \
        {p: max(s) for p, s in sizes.items()}  # several chunks each: abandoning one is abandoning mid-stream


def test_sixteen_downloads_at_once_leave_the_app_answering(seeded):
    """The outage of the report: after 16 concurrent downloads, a page that reads the database still
    answers at once (not after the pool's 30 s timeout, not with a 500)."""
    app = seeded
    _fill(app, 200)
    browser, email, password = _session_for(app, ["staff", "finance", "admin"])
    server = Served(app)
    gc.disable()
    try:
        _sign_in(server, browser, email, password)
        threads = [threading.Thread(target=_download, args=(server, browser, "/staff/events.csv", i % 2 == 0))
                   for i in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        started = time.monotonic()
        answer = requests.get(f"{server.url}/verify/LIC-2026-00001", timeout=40)
        took = time.monotonic() - started
        left = _checked_out(app)
    finally:
        gc.enable()
        server.stop()
    assert answer.status_code == 404 and took < 5, (answer.status_code, took)
    assert left == 0


class TestBoundedExports:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"EXPORT_MAX_ROWS": 100}

    @pytest.mark.parametrize("path", EXPORTS[:3])
    def test_an_export_over_the_cap_says_so_instead_of_streaming(self, seeded, path):
        from tests.staff_fixtures import login

        _fill(seeded, 150)
        client = seeded.test_client()
        login(client, add_user(seeded, "boss@desk.test", "Bo Boss", ["staff", "finance", "admin"]))
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code in (400, 413, 422), (path, response.status_code)
        assert response.mimetype != "text/csv"
        assert "100" in body and ("period" in body.lower() or "filter" in body.lower()), body[-2000:]

    def test_an_export_under_the_cap_is_the_csv(self, seeded):
        from tests.staff_fixtures import login

        _fill(seeded, 20)
        client = seeded.test_client()
        login(client, add_user(seeded, "boss@desk.test", "Bo Boss", ["staff", "finance", "admin"]))
        response = client.get("/finance/payments.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert len(response.get_data(as_text=True).splitlines()) == 21
