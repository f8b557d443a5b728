"""Writes that come after reads in the same session: a request has usually read something (the
signed-in user, the article, the token) before it writes. On SQLite a read transaction cannot take
the write lock once another connection has committed since it began: "database is locked" at once,
whatever the busy timeout. Every such service starts a write transaction of its own (begin_write);
each case here first holds a read snapshot, lets another session commit, then calls the service."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from flask import current_app
from sqlalchemy import func, select

from licensing.catalog.services import import_feed
from licensing.core import tokens, users
from licensing.core.db import new_session
from licensing.core.models import ApiToken, LoginThrottle, User, UserRole
from licensing.demo.loader import DEMO_FEED
from licensing.intake.services import submit_request
from licensing.pricing.rules import DEMO_RATE_CARD
from licensing.pricing.services import save_rate_card
from licensing.review import digest as notifications
from tests.integration.conftest import given_request
from tests.staff_fixtures import insert_requests

PASSWORD = "a long enough password"


def _staff(email: str = "sam@desk.example") -> int:
    with new_session() as s:
        user = User(email=email, name="Sam Staff", password_hash="x", active=True)
        s.add(user)
        s.commit()
        return user.id


def _token(user_id: int) -> tuple[int, str]:
    with new_session() as s:
        row, token = tokens.create_token(s, s.get(User, user_id), "CMS")
        return row.id, token


def _user_and_token() -> tuple[int, int]:
    user_id = _staff()
    return user_id, _token(user_id)[0]


def _overdue() -> None:
    """An open request far past the review target, and a staff member to tell."""
    insert_requests(current_app._get_current_object(), [{"submitted_at": datetime(2026, 1, 5, 9, 0)}])
    with new_session() as s:
        s.add(User(email="desk@desk.example", name="Desk", password_hash="x", active=True,
                   roles=[UserRole(role="staff")]))
        s.commit()


def _failure(email: str) -> str:
    with new_session() as s:
        users.record_failure(s, email, "192.0.2.1")
    return email


def _clear_failures(session, email: str) -> bool:  # noqa: ANN001
    users.clear_failures(session, email, "192.0.2.1")
    return session.get(LoginThrottle, users._key("pair", email, "192.0.2.1")) is None


def _first_use(session, made: tuple[int, str]) -> bool:  # noqa: ANN001
    assert tokens.user_for_token(session, made[1]) is not None  # its first use is recorded: a write
    return session.get(ApiToken, made[0]).last_used_at is not None


def _set_roles(session, ids: tuple[int, int]) -> bool:  # noqa: ANN001
    admin, other = session.get(User, ids[0]), session.get(User, ids[1])
    users.set_roles(session, other, ["staff", "finance"], True, admin)
    return sorted(r.role for r in session.get(User, ids[1]).roles) == ["finance", "staff"]


# name: (what is made first, in a session of its own; what the session holding a stale read then does)
CASES: dict[str, tuple[Callable, Callable]] = {
    "submit a request": (lambda: None, lambda s, _: submit_request(s, given_request()).request.id is not None),
    "save a rate card": (lambda: None, lambda s, _: save_rate_card(s, DEMO_RATE_CARD, note="again").version == 2),
    "record a failed sign-in": (lambda: None, lambda s, _: users.record_failure(s, "x@x.example", "192.0.2.1")
                                or s.get(LoginThrottle, users._key("pair", "x@x.example", "192.0.2.1")).failures == 1),
    "clear failed sign-ins": (lambda: _failure("y@x.example"), _clear_failures),
    "create a user": (lambda: None,
                      lambda s, _: users.create_user(s, "new@desk.example", "New", PASSWORD, ["staff"]).id is not None),
    "first use of an API token": (lambda: _token(_staff()), _first_use),
    "revoke an API token": (_user_and_token, lambda s, made: tokens.revoke(s, s.get(User, made[0]), made[1])),
    "change roles": (lambda: (_staff("admin@desk.example"), _staff("other@desk.example")), _set_roles),
    "import the catalog": (lambda: None, lambda s, _: import_feed(s, str(DEMO_FEED)).updated > 0),
    "queue the overdue digest": (_overdue, lambda s, _: notifications.send_overdue_digest(s) == (1, 1)),
}


def _commit_elsewhere() -> None:
    """Another connection commits (a PDF job, a webhook, another visitor)."""
    with new_session() as other:
        count = other.scalar(select(func.count()).select_from(LoginThrottle))
        other.add(LoginThrottle(key=f"elsewhere-{count}", failures=1))
        other.commit()


@pytest.mark.parametrize("case", list(CASES))
def test_a_write_after_reads_survives_a_commit_elsewhere(seeded, case):
    make, act = CASES[case]
    with seeded.app_context():
        made = make()
        with new_session() as session:
            assert session.scalar(select(func.count()).select_from(User)) is not None  # a read snapshot
            assert session.in_transaction()
            _commit_elsewhere()
            assert act(session, made)
