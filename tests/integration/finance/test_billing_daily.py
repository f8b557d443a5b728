"""`flask billing daily` on SQLite and PostgreSQL with a frozen clock: overdue reminders at the
configured days (each once, however often it runs, also two runs at once), license expiry
reminders 14 days before the end (once), and licenses past their end expired (once)."""
from __future__ import annotations

import re
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from tests.documents_helpers import no_rendering
from tests.finance_helpers import approved, invoice, issue, license_by_invoice, set_invoice
from tests.staff_fixtures import PUBLISHER_EMAIL, add_user, events_of, mails

START = date(2026, 6, 1)


class Clock:
    def __init__(self, day: date):
        self.day = day

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def app_config(clock) -> dict:
    return {"TODAY_FUNC": clock}


def daily(app) -> str:  # noqa: ANN001
    result = app.test_cli_runner().invoke(args=["billing", "daily"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def overdue_mails(app) -> list[tuple[str, str]]:  # noqa: ANN001
    """(invoice number, reminder day) of every overdue reminder in the outbox, in order."""
    found = []
    for message in mails(app, tag_contains=":overdue:"):
        _, number, _, day = message.tag.split(":")
        found.append((number, day))
    return found


def test_overdue_reminders_go_out_once_at_each_configured_day(app, db_kind, clock, monkeypatch):
    no_rendering(monkeypatch)
    late = issue(app, START, 12345, "EUR", email="ap@late.example", terms=14)  # due 15 June
    paid = issue(app, START, 500, "EUR", email="ap@paid.example", terms=14)
    set_invoice(app, paid, status="paid")
    void = issue(app, START, 500, "EUR", email="ap@void.example", terms=14)
    set_invoice(app, void, status="void")

    for day, expected in [(date(2026, 6, 15), []), (date(2026, 6, 17), []),
                          (date(2026, 6, 18), [(late, "3")]), (date(2026, 6, 24), [(late, "3")]),
                          (date(2026, 6, 25), [(late, "3"), (late, "10")]),
                          (date(2026, 7, 14), [(late, "3"), (late, "10")]),
                          (date(2026, 7, 15), [(late, "3"), (late, "10"), (late, "30")]),
                          (date(2026, 12, 31), [(late, "3"), (late, "10"), (late, "30")])]:
        clock.day = day
        daily(app)
        daily(app)  # a second run the same day sends nothing more
        assert overdue_mails(app) == expected, day

    first, second, third = mails(app, tag_contains=":overdue:")
    assert first.to_address == "ap@late.example"
    assert first.subject == f"Reminder: invoice {late} is 3 days overdue"
    assert "€123.45" in first.body_text and re.search(rf"/pay/{late}/[0-9a-f]{{32}}", first.body_text)
    assert third.subject == f"Reminder: invoice {late} is 30 days overdue"
    kinds = [(e.kind, e.data["day"]) for e in invoice(app, late).events if e.kind == "reminder_sent"]
    assert kinds == [("reminder_sent", 3), ("reminder_sent", 10), ("reminder_sent", 30)]


def test_after_a_gap_only_the_latest_reminder_goes_out(app, db_kind, clock, monkeypatch):
    no_rendering(monkeypatch)
    number = issue(app, START, 1000, "USD", terms=0)
    clock.day = START + timedelta(days=12)  # the 3-day reminder was missed: only the 10-day one now
    output = daily(app)
    assert overdue_mails(app) == [(number, "10")]
    assert f"overdue reminder: {number} (10 days)" in output
    clock.day = START + timedelta(days=13)
    daily(app)
    assert overdue_mails(app) == [(number, "10")]  # never the skipped 3-day one afterwards


def test_the_reminder_days_are_a_setting(db_kind, monkeypatch, tmp_path, request, clock):
    from app import create_app

    no_rendering(monkeypatch)
    url = request.getfixturevalue("database_url")
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "s", "SERVER_NAME": "desk.test",
                      "OVERDUE_REMINDER_DAYS": "1, 2", "TODAY_FUNC": clock})
    try:
        number = issue(app, START, 1000, "USD", terms=0)
        for offset, expected in [(1, [(number, "1")]), (2, [(number, "1"), (number, "2")]),
                                 (40, [(number, "1"), (number, "2")])]:
            clock.day = START + timedelta(days=offset)
            daily(app)
            assert overdue_mails(app) == expected
    finally:
        app.extensions["database"].dispose()


def test_two_runs_at_once_send_each_reminder_once(app, db_kind, clock, monkeypatch):
    from licensing.core.db import get_session
    from licensing.scheduled import run_daily

    no_rendering(monkeypatch)
    numbers = [issue(app, START, 1000 + i, "USD", email=f"ap{i}@x.example", terms=0) for i in range(6)]
    clock.day = START + timedelta(days=3)
    barrier = threading.Barrier(2)
    errors = []

    def run() -> None:
        with app.test_request_context("/"):
            barrier.wait(timeout=10)
            try:
                run_daily(get_session())
            except Exception as exc:  # noqa: BLE001 - the test reports it
                errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(overdue_mails(app)) == sorted((n, "3") for n in numbers)


# --------------------------------------------------------------------------------------- licenses

@pytest.fixture
def licenses(seeded, clock, monkeypatch):
    """Approved licenses (today's date), then given the status and term each test needs."""
    no_rendering(monkeypatch)
    clock.day = date.today()
    staff_id = add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"])

    def make(status: str, start: date, end: date | None, email: str = PUBLISHER_EMAIL):  # noqa: ANN202
        from licensing.core.db import new_session
        from licensing.licenses.models import License

        made = approved(seeded, staff_id, email=email)
        with seeded.app_context(), new_session() as s:
            s.execute(update(License).where(License.number == made.license_number)
                      .values(status=status, start_date=start, end_date=end))
            s.commit()
        return made

    return make


def test_expiry_reminders_go_out_once_fourteen_days_before_the_end(seeded, db_kind, clock, licenses):
    today = date(2026, 9, 1)
    ending = licenses("active", date(2026, 1, 1), today + timedelta(days=14), "soon@paper.example")
    later = licenses("active", date(2026, 1, 1), today + timedelta(days=20), "later@paper.example")
    unpaid = licenses("pending_payment", date(2026, 1, 1), today + timedelta(days=5), "unpaid@paper.example")
    forever = licenses("active", date(2026, 1, 1), None, "forever@paper.example")
    clock.day = today
    output = daily(seeded)
    daily(seeded)
    reminders = mails(seeded, tag_contains=":expiry")
    assert [m.to_address for m in reminders] == ["soon@paper.example"]
    assert f"expiry reminder: {ending.license_number}" in output
    body = reminders[0].body_text
    assert ending.license_number in body and "(14 days from now)" in body and "/track/" in body
    assert reminders[0].subject == f"Licence {ending.license_number} ends on 15 September 2026"  # en-GB
    assert "license_expiry_reminder" in [e.action for e in events_of(seeded, ending.reference)]

    clock.day = today + timedelta(days=6)  # `later` now ends in 14 days
    daily(seeded)
    daily(seeded)
    assert [m.to_address for m in mails(seeded, tag_contains=":expiry")] == ["soon@paper.example",
                                                                            "later@paper.example"]
    assert license_by_invoice(seeded, later.invoice_number).status == "active"
    # never reminded: `unpaid` is not active, `forever` has no end (the lists above hold neither)
    expiry_bodies = " ".join(m.body_text for m in mails(seeded, tag_contains=":expiry"))
    assert unpaid.license_number not in expiry_bodies and forever.license_number not in expiry_bodies
    assert ending.license_number in expiry_bodies


def test_licenses_past_their_end_become_expired_once(seeded, db_kind, clock, licenses):
    today = date(2026, 9, 1)
    ended = licenses("active", date(2026, 1, 1), today - timedelta(days=1), "ended@paper.example")
    last_day = licenses("active", date(2026, 1, 1), today, "lastday@paper.example")
    revoked = licenses("revoked", date(2026, 1, 1), today - timedelta(days=30), "revoked@paper.example")
    unpaid = licenses("pending_payment", date(2026, 1, 1), today - timedelta(days=30), "unpaid@paper.example")
    forever = licenses("active", date(2026, 1, 1), None, "forever@paper.example")
    clock.day = today
    output = daily(seeded)
    assert f"expired: {ended.license_number}" in output and "1 license(s) expired." in output
    assert "0 license(s) expired." in daily(seeded)
    status = {m.license_number: license_by_invoice(seeded, m.invoice_number).status
              for m in (ended, last_day, revoked, unpaid, forever)}
    assert status == {ended.license_number: "expired", last_day.license_number: "active",
                      revoked.license_number: "revoked", unpaid.license_number: "pending_payment",
                      forever.license_number: "active"}
    expired_events = [e for e in events_of(seeded, ended.reference) if e.action == "license_expired"]
    assert len(expired_events) == 1 and expired_events[0].public
    assert expired_events[0].message == f"Licence {ended.license_number} has expired: its term ended on " \
                                        f"{(today - timedelta(days=1)).isoformat()}."

    from licensing.core.db import new_session
    from licensing.licenses.models import LicenseReminder

    ended_id = license_by_invoice(seeded, ended.invoice_number).id
    with seeded.app_context(), new_session() as s:  # an ended license is never reminded that it ends soon
        reminded = set(s.scalars(select(LicenseReminder.license_id)))
    assert ended_id not in reminded and license_by_invoice(seeded, last_day.invoice_number).id in reminded
    clock.day = today + timedelta(days=1)
    daily(seeded)
    assert license_by_invoice(seeded, last_day.invoice_number).status == "expired"


def test_the_reminder_tables_are_append_only(app, db_kind, clock, monkeypatch):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    no_rendering(monkeypatch)
    issue(app, START, 1000, "USD", terms=0)
    clock.day = START + timedelta(days=3)
    daily(app)
    from licensing.core.db import new_session

    with app.app_context(), new_session() as s:
        with pytest.raises(DBAPIError, match="append-only"):
            s.execute(text("UPDATE invoice_reminders SET day = 10"))
            s.flush()
        s.rollback()
        with pytest.raises(DBAPIError, match="append-only"):
            s.execute(text("DELETE FROM invoice_reminders"))
        s.rollback()
