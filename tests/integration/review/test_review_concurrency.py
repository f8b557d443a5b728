"""Review services against a real database (SQLite and PostgreSQL): concurrent decisions, expiry,
the append-only audit table and the overdue digest."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from licensing.core.db import utcnow
from tests.staff_fixtures import add_user, events_of, execute, insert_requests, mails, state, submit


def _race(app, reference: str, actors: list[tuple[int, str]]) -> list[object]:  # noqa: ANN001
    """Each (user id, "approve" | "reject") in its own thread, app context and session, released
    together by a barrier; returns what each call returned or raised, in the same order."""
    from licensing.core.db import get_session
    from licensing.core.models import User
    from licensing.review import services as review

    barrier = threading.Barrier(len(actors))
    outcomes: list[object] = [None] * len(actors)

    def run(i: int, user_id: int, action: str) -> None:
        with app.test_request_context("/"):
            session = get_session()
            user = session.get(User, user_id)
            session.commit()  # end the read transaction: every thread starts from nothing
            barrier.wait(timeout=10)
            try:
                if action == "approve":
                    outcomes[i] = review.approve(session, reference, user)
                else:
                    outcomes[i] = review.reject(session, reference, user, f"Rejected by {user.name}.") or "rejected"
            except Exception as exc:  # noqa: BLE001 - the test inspects it
                session.rollback()
                outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i, uid, action)) for i, (uid, action) in enumerate(actors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a decision never finished (deadlock?)"
    return outcomes


@pytest.mark.parametrize("actions", [
    ["approve", "approve"],
    ["approve", "reject"],
    ["approve", "reject"] * 4,
], ids=["two-approve", "approve-vs-reject", "eight-mixed"])
def test_concurrent_decisions_exactly_one_wins(seeded, db_kind, actions):
    from licensing.intake.services import AlreadyDecided

    app = seeded
    names = [f"Reviewer {i}" for i in range(len(actions))]
    user_ids = [add_user(app, f"reviewer{i}@desk.test", names[i], ["staff"]) for i in range(len(actions))]
    made = submit(app)
    outcomes = _race(app, made.reference, list(zip(user_ids, actions, strict=False)))

    winners = [i for i, o in enumerate(outcomes) if not isinstance(o, Exception)]
    assert len(winners) == 1, outcomes
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert all(isinstance(o, AlreadyDecided) for o in losers), losers
    winner = winners[0]
    decided = "approved" if actions[winner] == "approve" else "rejected"
    for loser in losers:
        assert re.fullmatch(rf"Already {decided} by {names[winner]} at \d{{4}}-\d\d-\d\d \d\d:\d\d UTC\.",
                            loser.message), loser.message
        assert loser.status == decided

    row = state(app, made.reference)
    assert (row.status, row.decided_by_id) == (decided, user_ids[winner])
    decisions = [e for e in events_of(app, made.reference) if e.action in ("approve", "reject")]
    assert [(e.action, e.actor_user_id, e.before_status) for e in decisions] == [
        (actions[winner], user_ids[winner], "submitted")]
    decision_mails = mails(app, tag_contains=f"request:{made.reference}:request_")
    assert [m.tag for m in decision_mails] == [f"request:{made.reference}:request_{decided}"]


def test_bulk_and_single_decisions_do_not_apply_twice(seeded, db_kind):
    """A bulk approve racing a single reject on the same request: one outcome, one e-mail."""
    from licensing.core.db import get_session
    from licensing.core.models import User
    from licensing.review import services as review

    app = seeded
    a = add_user(app, "ann@desk.test", "Ann", ["staff"])
    b = add_user(app, "bob@desk.test", "Bob", ["staff"])
    made = [submit(app) for _ in range(3)]
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def bulk() -> None:
        with app.test_request_context("/"):
            session = get_session()
            user = session.get(User, a)
            session.commit()
            barrier.wait(timeout=10)
            try:
                results["bulk"] = review.bulk_decide(session, [m.reference for m in made], user, "approve")
            except Exception as exc:  # noqa: BLE001 - a bulk run must report per row, never raise
                results["bulk"] = exc

    def single() -> None:
        with app.test_request_context("/"):
            session = get_session()
            user = session.get(User, b)
            session.commit()
            barrier.wait(timeout=10)
            try:
                review.reject(session, made[1].reference, user, "No.")
                results["single"] = "ok"
            except Exception as exc:  # noqa: BLE001
                session.rollback()
                results["single"] = exc

    threads = [threading.Thread(target=bulk), threading.Thread(target=single)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not isinstance(results["bulk"], Exception), results["bulk"]
    rows = {r.reference: r for r in results["bulk"]}
    assert rows[made[0].reference].ok and rows[made[2].reference].ok
    middle_won_by_bulk = rows[made[1].reference].ok
    assert middle_won_by_bulk != (results["single"] == "ok")
    status = state(app, made[1].reference).status
    assert status == ("approved" if middle_won_by_bulk else "rejected")
    assert len(mails(app, tag_contains=f"request:{made[1].reference}:request_")) == 1


# ------------------------------------------------------------------ expiry


def test_requests_expire_cli(seeded, db_kind):
    from licensing.core.db import new_session
    from licensing.core.models import User
    from licensing.intake.services import answer_info, find_by_token
    from licensing.review import services as review

    app = seeded
    uid = add_user(app, "sam@desk.test", "Sam Staff", ["staff"])
    stale, answered, recent = submit(app), submit(app), submit(app)
    with app.test_request_context("/"), new_session() as s:
        user = s.get(User, uid)
        for made in (stale, answered, recent):
            review.request_info(s, made.reference, user, "Which page?")
        answer_info(s, find_by_token(s, answered.token), "Page 3.")
    long_ago = utcnow() - timedelta(days=15)
    execute(app, "UPDATE requests SET info_requested_at = :at WHERE reference IN (:a, :b)",
            at=long_ago, a=stale.reference, b=answered.reference)  # answered: in review, never expires
    execute(app, "UPDATE requests SET info_requested_at = :at WHERE reference = :r",
            at=utcnow() - timedelta(days=13), r=recent.reference)

    runner = app.test_cli_runner()
    result = runner.invoke(args=["requests", "expire"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"1 request(s) expired: {stale.reference}"
    assert [state(app, m.reference).status for m in (stale, answered, recent)] == [
        "expired", "in_review", "needs_info"]
    row = state(app, stale.reference)
    assert row.decided_at is not None and row.decided_by_id is None
    last = events_of(app, stale.reference)[-1]
    assert (last.action, last.actor_kind, last.actor_user_id, last.before_status, last.after_status) == (
        "expire", "system", None, "needs_info", "expired")
    assert last.message == "Expired: the request for information went unanswered for 14 days."
    expired_mail = mails(app, tag_contains=":request_expired")
    assert [(m.to_address, m.subject) for m in expired_mail] == [
        ("jo@leeds-post.example", f"Your republishing request {stale.reference} has expired")]
    assert "went unanswered for 14 days" in expired_mail[0].body_text
    assert f"/track/{stale.token}" in expired_mail[0].body_text

    again = runner.invoke(args=["requests", "expire"])
    assert again.exit_code == 0 and again.output.strip() == "0 request(s) expired."
    assert len(events_of(app, stale.reference)) == 3  # submit, request_info, expire: nothing more
    assert len(mails(app, tag_contains=":request_expired")) == 1


# ------------------------------------------------------------------ the audit table


@pytest.mark.parametrize("statement", [
    "UPDATE request_events SET message = 'rewritten'",
    "UPDATE request_events SET after_status = 'approved' WHERE action = 'submit'",
    "DELETE FROM request_events",
])
def test_the_audit_table_is_append_only_in_the_database(seeded, db_kind, statement):
    from licensing.core.db import new_session
    from licensing.intake.models import RequestEvent

    app = seeded
    made = submit(app)
    with app.app_context(), new_session() as s:
        with pytest.raises(DBAPIError, match="append-only"):
            s.execute(text(statement))
        s.rollback()
        assert s.scalar(select(func.count(RequestEvent.id))) == 1
        event = s.scalars(select(RequestEvent)).one()
        assert (event.message, event.after_status) == ("Request submitted with a quote of £675.00.", "submitted")
    # the ORM has no way round it either
    with app.app_context(), new_session() as s:
        s.scalars(select(RequestEvent)).one().message = "changed"
        with pytest.raises(DBAPIError, match="append-only"):
            s.commit()
    assert events_of(app, made.reference)[0].message == "Request submitted with a quote of £675.00."


# ------------------------------------------------------------------ the overdue digest


def test_daily_digest_mails_each_active_staff_member_the_overdue_requests(seeded, db_kind):
    app = seeded
    add_user(app, "sam@desk.test", "Sam Staff", ["staff"])
    add_user(app, "ada@desk.test", "Ada Admin", ["admin", "staff"])
    add_user(app, "fran@desk.test", "Fran Finance", ["finance"])
    add_user(app, "old@desk.test", "Old Staff", ["staff"], active=False)
    now = utcnow()
    overdue, waiting, decided, fresh = insert_requests(app, [
        {"submitted_at": now - timedelta(days=10), "organisation": "Radio Tirana"},
        {"submitted_at": now - timedelta(days=9), "status": "needs_info"},
        {"submitted_at": now - timedelta(days=30), "status": "approved"},
        {"submitted_at": now - timedelta(hours=1)},
    ])
    result = app.test_cli_runner().invoke(args=["requests", "digest"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2 overdue request(s); digest sent to 2 staff member(s)."
    digests = mails(app, tag_contains="digest:")
    assert sorted(m.to_address for m in digests) == ["ada@desk.test", "sam@desk.test"]
    for message in digests:
        assert message.subject == "2 overdue republishing request(s)"
        assert overdue.reference in message.body_text and waiting.reference in message.body_text
        assert decided.reference not in message.body_text and fresh.reference not in message.body_text
        assert message.body_text.index(overdue.reference) < message.body_text.index(waiting.reference)
        assert "/staff/requests?overdue=1" in message.body_text
    sam = [m for m in digests if m.to_address == "sam@desk.test"][0]
    assert sam.body_text.startswith("Hello Sam Staff,")


def test_the_digest_goes_once_a_day_however_often_the_command_runs(seeded, db_kind):
    from datetime import timedelta

    from licensing.core.db import utcnow

    app = seeded
    add_user(app, "sam@desk.test", "Sam Staff", ["staff"])
    insert_requests(app, [{"submitted_at": utcnow() - timedelta(days=10)}])

    first = app.test_cli_runner().invoke(args=["requests", "digest"])
    second = app.test_cli_runner().invoke(args=["requests", "digest"])

    assert "digest sent to 1 staff member(s)" in first.output
    assert "digest sent to 0 staff member(s)" in second.output
    assert len(mails(app, tag_contains="digest:")) == 1


def test_no_digest_when_nothing_is_overdue(seeded, db_kind):
    app = seeded
    add_user(app, "sam@desk.test", "Sam Staff", ["staff"])
    insert_requests(app, [{"submitted_at": utcnow() - timedelta(minutes=5)}])
    result = app.test_cli_runner().invoke(args=["requests", "digest"])
    assert result.output.strip() == "0 overdue request(s); digest sent to 0 staff member(s)."
    assert mails(app) == []
